import { ExactPhotoIndex } from './exact-photo-index.ts';
import { ImageIndex } from './image-index.ts';
import type { ImageHit, PhotoFrame, PhotoIndex } from './photo-index.ts';
import { photoIndexContract } from './photo-index-contract.ts';

/** An index that answers with a promise on a later tick, as one across the network does. */
class AnswersLater implements PhotoIndex {
  constructor(private readonly inner: PhotoIndex) {}
  get dims(): number {
    return this.inner.dims;
  }
  get size(): number {
    return this.inner.size;
  }
  get frameCount(): number {
    return this.inner.frameCount;
  }
  has(asin: string): boolean {
    return this.inner.has(asin);
  }
  upsert(asin: string, frames: ReadonlyArray<PhotoFrame>): void {
    this.inner.upsert(asin, frames);
  }
  remove(asin: string): void {
    this.inner.remove(asin);
  }
  async search(query: ArrayLike<number>, limit: number): Promise<ImageHit[]> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.inner.search(query, limit);
  }
}

photoIndexContract('ImageIndex (in memory, IVF)', (dims) => new ImageIndex(dims));
// Past the exact threshold from the start: the lists pick the candidates even in these small catalogues.
photoIndexContract(
  'ImageIndex (in memory, IVF, lists in use)',
  (dims) => new ImageIndex(dims, { exactProducts: 100 }),
);
photoIndexContract('ExactPhotoIndex (in memory, every frame)', (dims) => new ExactPhotoIndex(dims));
// The shape of an engine's module: the same contract through a promise (a wrong-length query rejects).
photoIndexContract('ImageIndex answering with a promise', (dims) => new AnswersLater(new ImageIndex(dims)));
