/**
 * Further views of a rendered turntable while its scene is still uploaded: the same framing, any angle, and
 * optionally another camera elevation. The render Job uses them to refine the angle of each reference photo's
 * best view between frames (lib/fidelity `renderAt`).
 */
import {
  type FrameTurntableOptions,
  frameTurntable,
  type TurntableCamera,
} from './camera/frame-turntable.ts';
import { turntableMatrices } from './camera/turntable-matrices.ts';
import type { Renderer } from './gpu/create-renderer.ts';
import type { Scene } from './scene/scene-types.ts';

/** One rendered view: RGBA, row-major, `width × height`. */
export interface RenderedView {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Renders views of the turntable; `rendered` counts them. */
export interface TurntableViews {
  renderAt(angleDeg: number, elevationDeg?: number): Promise<RenderedView>;
  readonly rendered: number;
}

/** How the turntable was framed, to frame other elevations the same way. */
export type FramingOptions = Omit<FrameTurntableOptions, 'elevationDeg'>;

/** Views of `scene` through `renderer`, framed like `camera` (other elevations framed with `framing`). */
export function turntableViews(
  renderer: Renderer,
  scene: Pick<Scene, 'primitives' | 'bounds'>,
  camera: TurntableCamera,
  framing: FramingOptions,
  resolution: number,
): TurntableViews {
  const cameras = new Map<number, TurntableCamera>();
  const cameraAt = (elevationDeg: number | undefined): TurntableCamera => {
    if (elevationDeg === undefined) return camera;
    let framed = cameras.get(elevationDeg);
    if (!framed) {
      framed = frameTurntable(scene, { ...framing, elevationDeg });
      cameras.set(elevationDeg, framed);
    }
    return framed;
  };
  let rendered = 0;
  return {
    async renderAt(angleDeg, elevationDeg) {
      const at = cameraAt(elevationDeg);
      const data = await renderer.renderFrame({ ...turntableMatrices(at, angleDeg), eye: at.eye });
      rendered += 1;
      return { data, width: resolution, height: resolution };
    },
    get rendered() {
      return rendered;
    },
  };
}
