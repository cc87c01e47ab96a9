/**
 * The frame's render targets (multisampled colour, resolved colour, depth) and its read-back: the render
 * pass that clears to the background, the copy into a mappable buffer, and the rows copied out of it.
 */
import { COLOR_FORMAT, DEPTH_FORMAT } from './pipelines.ts';
import type { Track } from './upload-scene.ts';

/** Targets of one square frame size. */
export interface FrameTarget {
  /** Begins the frame's render pass, cleared to the background. */
  beginPass(encoder: GPUCommandEncoder): GPURenderPassEncoder;
  /** Records the copy of the resolved frame into the read-back buffer. */
  copyToReadback(encoder: GPUCommandEncoder): void;
  /** Maps the read-back buffer and returns tightly packed RGBA8 with straight alpha. */
  readPixels(): Promise<Uint8Array>;
}

/** Creates the targets and the read-back buffer for `size`² frames. */
export function createFrameTarget(
  device: GPUDevice,
  size: number,
  sampleCount: number,
  background: [number, number, number] | 'transparent',
  track: Track,
): FrameTarget {
  const usage = GPUTextureUsage.RENDER_ATTACHMENT;
  const multisampled =
    sampleCount > 1
      ? track(device.createTexture({ size: [size, size], format: COLOR_FORMAT, sampleCount, usage }))
      : undefined;
  const resolved = track(
    device.createTexture({
      size: [size, size],
      format: COLOR_FORMAT,
      usage: usage | GPUTextureUsage.COPY_SRC,
    }),
  );
  const depth = track(device.createTexture({ size: [size, size], format: DEPTH_FORMAT, sampleCount, usage }));
  const bytesPerRow = Math.ceil((size * 4) / 256) * 256;
  const readback = track(
    device.createBuffer({
      size: bytesPerRow * size,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    }),
  );
  const clearValue =
    background === 'transparent'
      ? { r: 0, g: 0, b: 0, a: 0 }
      : { r: background[0] / 255, g: background[1] / 255, b: background[2] / 255, a: 1 };
  return {
    beginPass(encoder) {
      return encoder.beginRenderPass({
        colorAttachments: [
          {
            view: (multisampled ?? resolved).createView(),
            ...(multisampled ? { resolveTarget: resolved.createView() } : {}),
            clearValue,
            loadOp: 'clear',
            storeOp: multisampled ? 'discard' : 'store',
          },
        ],
        depthStencilAttachment: {
          view: depth.createView(),
          depthClearValue: 1,
          depthLoadOp: 'clear',
          depthStoreOp: 'discard',
        },
      });
    },
    copyToReadback(encoder) {
      encoder.copyTextureToBuffer({ texture: resolved }, { buffer: readback, bytesPerRow }, [size, size]);
    },
    async readPixels() {
      await readback.mapAsync(GPUMapMode.READ);
      const mapped = new Uint8Array(readback.getMappedRange());
      const pixels = new Uint8Array(size * size * 4);
      if (bytesPerRow === size * 4) {
        pixels.set(mapped.subarray(0, pixels.length));
      } else {
        for (let row = 0; row < size; row++) {
          pixels.set(mapped.subarray(row * bytesPerRow, row * bytesPerRow + size * 4), row * size * 4);
        }
      }
      readback.unmap();
      if (background === 'transparent') unpremultiply(pixels);
      return pixels;
    },
  };
}

/** Blending leaves premultiplied colour; a transparent frame's files want straight alpha. */
export function unpremultiply(pixels: Uint8Array): void {
  for (let i = 0; i < pixels.length; i += 4) {
    const a = pixels[i + 3]!;
    if (a === 0 || a === 255) continue;
    const scale = 255 / a;
    pixels[i] = Math.min(255, Math.round(pixels[i]! * scale));
    pixels[i + 1] = Math.min(255, Math.round(pixels[i + 1]! * scale));
    pixels[i + 2] = Math.min(255, Math.round(pixels[i + 2]! * scale));
  }
}
