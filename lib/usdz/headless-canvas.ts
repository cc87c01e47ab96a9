import sharp from 'sharp';

/**
 * An encoded image (PNG, JPEG, WebP) handed to three.js as a texture's `image`, with its decoded size.
 * During {@link withHeadlessCanvas} it passes three.js's `instanceof ImageBitmap` test, so exporters that
 * draw textures onto a canvas accept it in Node.
 */
export class EncodedImage {
  constructor(
    /** The encoded bytes, as stored in the glTF. */
    readonly bytes: Uint8Array,
    readonly width: number,
    readonly height: number,
  ) {}

  /** Reads the size of an encoded image. */
  static async from(bytes: Uint8Array): Promise<EncodedImage> {
    const metadata = await sharp(bytes).metadata();
    if (!metadata.width || !metadata.height) throw new Error('image without a size');
    return new EncodedImage(bytes, metadata.width, metadata.height);
  }
}

/**
 * The part of a 2D canvas context that three.js's USDZExporter uses: an optional vertical flip, then one
 * `drawImage` of the whole source scaled to the canvas.
 */
class RasterContext {
  flipY = false;
  source: EncodedImage | undefined;

  translate(_x: number, _y: number): void {}

  scale(x: number, y: number): void {
    if (x !== 1 || (y !== 1 && y !== -1)) throw new Error(`unsupported canvas scale (${x}, ${y})`);
    if (y === -1) this.flipY = !this.flipY;
  }

  drawImage(image: unknown): void {
    if (!(image instanceof EncodedImage)) throw new Error('the headless canvas draws encoded images only');
    this.source = image;
  }
}

/** A canvas whose `toBlob` resizes (and flips) the drawn image with sharp. */
class RasterCanvas {
  #width = 300;
  #height = 150;
  readonly #context = new RasterContext();

  get width(): number {
    return this.#width;
  }
  set width(value: number) {
    this.#width = Math.max(1, Math.trunc(value));
  }
  get height(): number {
    return this.#height;
  }
  set height(value: number) {
    this.#height = Math.max(1, Math.trunc(value));
  }

  getContext(kind: string): RasterContext {
    if (kind !== '2d') throw new Error(`unsupported canvas context ${kind}`);
    return this.#context;
  }

  toBlob(callback: (blob: Blob | null) => void, type = 'image/png'): void {
    const source = this.#context.source;
    if (!source) {
      callback(null);
      return;
    }
    let pipeline = sharp(source.bytes).resize(this.#width, this.#height, { fit: 'fill' });
    if (this.#context.flipY) pipeline = pipeline.flip();
    pipeline = type === 'image/jpeg' ? pipeline.jpeg({ quality: 90 }) : pipeline.png();
    pipeline.toBuffer().then(
      (buffer) => callback(new Blob([new Uint8Array(buffer)], { type })),
      () => callback(null),
    );
  }
}

interface CanvasGlobals {
  document?: unknown;
  ImageBitmap?: unknown;
}

let installed = 0;
let saved: CanvasGlobals = {};

/**
 * Runs `task` with a minimal `document.createElement('canvas')` and `ImageBitmap` in the global scope, the
 * two browser names three.js's USDZExporter needs to write textures, backed by sharp.
 *
 * Guarantees: the globals are removed (or the previous values restored) when the last concurrent task
 * ends, even if it throws. Assumptions: nothing else in the process relies on `document` being absent
 * while an export runs; a browser's own `document` is never replaced. Caveats: the canvas supports
 * exactly what the exporter does (one scaled `drawImage`, optional vertical flip, PNG or JPEG `toBlob`).
 */
export async function withHeadlessCanvas<T>(task: () => Promise<T>): Promise<T> {
  const scope = globalThis as CanvasGlobals;
  if (installed === 0) {
    if (scope.document !== undefined && saved.document === undefined) return task();
    saved = { document: scope.document, ImageBitmap: scope.ImageBitmap };
    scope.document = {
      createElement(tag: string): RasterCanvas {
        if (tag !== 'canvas') throw new Error(`headless document creates canvases only, not ${tag}`);
        return new RasterCanvas();
      },
    };
    scope.ImageBitmap = EncodedImage;
  }
  installed++;
  try {
    return await task();
  } finally {
    installed--;
    if (installed === 0) {
      scope.document = saved.document;
      scope.ImageBitmap = saved.ImageBitmap;
      if (saved.document === undefined) delete scope.document;
      if (saved.ImageBitmap === undefined) delete scope.ImageBitmap;
      saved = {};
    }
  }
}
