import { RenderError } from '../errors.ts';

/**
 * Pops the two error scopes pushed by {@link pushErrorScopes} and turns what they caught, or a lost device,
 * into a RenderError: SHAZAM_RENDER_OUT_OF_MEMORY or SHAZAM_RENDER_DEVICE_FAILED, never a blank frame.
 */
export async function checkErrors(device: GPUDevice, lost: () => string | undefined): Promise<void> {
  const validation = await device.popErrorScope();
  const memory = await device.popErrorScope();
  if (memory) {
    throw new RenderError(
      'SHAZAM_RENDER_OUT_OF_MEMORY',
      `the GPU ran out of memory (${memory.message}); lower --resolution or give the Job a larger GPU`,
    );
  }
  if (validation) {
    throw new RenderError('SHAZAM_RENDER_DEVICE_FAILED', `WebGPU rejected a command: ${validation.message}`);
  }
  const reason = lost();
  if (reason) throw new RenderError('SHAZAM_RENDER_DEVICE_FAILED', `the GPU device was lost (${reason})`);
}

/** Pushes the out-of-memory and validation scopes {@link checkErrors} pops. */
export function pushErrorScopes(device: GPUDevice): void {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
}

/** Watches the device for loss; the returned function says why it was lost, or undefined. */
export function watchDeviceLoss(device: GPUDevice): () => string | undefined {
  let lost: string | undefined;
  device.lost.then((info) => {
    lost = `${info.reason}: ${info.message}`;
  });
  return () => lost;
}
