import { ExactPhotoIndex } from './exact-photo-index.ts';
import { ImageIndex } from './image-index.ts';
import { photoIndexContract } from './photo-index-contract.ts';

photoIndexContract('ImageIndex (in memory, IVF)', (dims) => new ImageIndex(dims));
// Past the exact threshold from the start: the lists pick the candidates even in these small catalogues.
photoIndexContract(
  'ImageIndex (in memory, IVF, lists in use)',
  (dims) => new ImageIndex(dims, { exactProducts: 100 }),
);
photoIndexContract('ExactPhotoIndex (in memory, every frame)', (dims) => new ExactPhotoIndex(dims));
