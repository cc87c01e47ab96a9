import { Accessor, type Document, getBounds, type Node, type Scene } from '@gltf-transform/core';
import sharp from 'sharp';
import type { Policy } from '../policy/policy.ts';
import type { RepairFix } from './plan-repairs.ts';

/** One change a repair made, with the figures before and after. */
export interface RepairChange {
  fix: RepairFix;
  /** What changed, in one sentence. */
  summary: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** What {@link repairModel} did. */
export interface RepairOutcome {
  changes: RepairChange[];
  /** Fixes that found nothing they could safely change (e.g. no unit factor brings the scale in range). */
  skipped: { fix: RepairFix; reason: string }[];
}

type Vec3 = [number, number, number];

/**
 * Applies mechanical fixes to a model, in place: pass a clone (`cloneDocument`) to keep the delivery as
 * it was. Each fix touches only what its name says:
 *
 * - `unit-scale`: scales positions and node translations by the first policy unit factor that brings the
 *   largest extent within the cleanup limits (centimetres, millimetres, inches); no node scale is added;
 * - `recenter`: moves the root nodes so the base centre (+Y up) sits on the origin;
 * - `downsize-textures`: resizes images above the texturing limit to fit it, aspect kept, same format.
 *
 * Guarantees: topology, UVs, materials and the node hierarchy are untouched; only positions, node
 * translations and oversized image bytes change; a fix with nothing safe to do (quantised positions, no
 * unit factor in range) is reported in `skipped`, not forced. Caveat: the unit factor is a guess (a model
 * in millimetres that is also in range read as centimetres gets the centimetre factor); QA judges the
 * candidate.
 *
 * @example
 * ```ts
 * const repaired = cloneDocument(document);
 * const { changes } = await repairModel(repaired, ['unit-scale', 'recenter'], policy);
 * ```
 */
export async function repairModel(
  document: Document,
  fixes: readonly RepairFix[],
  policy: Pick<Policy, 'cleanup' | 'texturing' | 'repair'>,
): Promise<RepairOutcome> {
  const outcome: RepairOutcome = { changes: [], skipped: [] };
  const root = document.getRoot();
  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  for (const fix of fixes) {
    if (fix === 'downsize-textures') {
      await downsizeTextures(document, policy.texturing.maxTextureSize, outcome);
    } else if (!scene) {
      outcome.skipped.push({ fix, reason: 'the model has no scene' });
    } else if (fix === 'unit-scale') {
      unitScale(scene, policy, outcome);
    } else {
      recenter(scene, outcome);
    }
  }
  return outcome;
}

function extentOf(scene: Scene): Vec3 {
  const { min, max } = getBounds(scene);
  return [max[0] - min[0], max[1] - min[1], max[2] - min[2]];
}

function baseCentreOf(scene: Scene): Vec3 {
  const { min, max } = getBounds(scene);
  return [(min[0] + max[0]) / 2, min[1], (min[2] + max[2]) / 2];
}

const round = (value: number): number => Number(value.toPrecision(6));
const rounded = (vector: Vec3): number[] => vector.map(round);

function unitScale(scene: Scene, policy: Pick<Policy, 'cleanup' | 'repair'>, outcome: RepairOutcome): void {
  const before = extentOf(scene);
  const largest = Math.max(...before);
  const { minExtentMeters, maxExtentMeters } = policy.cleanup;
  const factor = policy.repair.unitFactors.find((candidate) => {
    const scaled = largest * candidate;
    return scaled >= minExtentMeters && scaled <= maxExtentMeters;
  });
  if (factor === undefined) {
    outcome.skipped.push({
      fix: 'unit-scale',
      reason: `no unit factor of ${policy.repair.unitFactors.join(', ')} brings ${round(largest)} within ${minExtentMeters}–${maxExtentMeters} m`,
    });
    return;
  }
  const problem = scaleInPlace(scene, factor);
  if (problem) {
    outcome.skipped.push({ fix: 'unit-scale', reason: problem });
    return;
  }
  outcome.changes.push({
    fix: 'unit-scale',
    summary: `Scaled the model by ${factor} (${unitName(factor)} to metres).`,
    before: { extentMeters: rounded(before) },
    after: { extentMeters: rounded(extentOf(scene)), factor },
  });
}

/**
 * Scales the world by `factor` without adding a node scale (which the cleanup stage would flag): every
 * position, morph-target position and node translation is multiplied, since A(f·x) + f·t = f·(Ax + t) at
 * every level of the hierarchy; inverse bind matrices get the same on their translation.
 */
function scaleInPlace(scene: Scene, factor: number): string | undefined {
  const positions = new Set<Accessor>();
  const bindMatrices = new Set<Accessor>();
  const nodes = new Set<Node>();
  scene.traverse((node) => {
    nodes.add(node);
    for (const primitive of node.getMesh()?.listPrimitives() ?? []) {
      const position = primitive.getAttribute('POSITION');
      if (position) positions.add(position);
      for (const target of primitive.listTargets()) {
        const delta = target.getAttribute('POSITION');
        if (delta) positions.add(delta);
      }
    }
    const inverseBind = node.getSkin()?.getInverseBindMatrices();
    if (inverseBind) bindMatrices.add(inverseBind);
  });
  for (const accessor of [...positions, ...bindMatrices]) {
    if (accessor.getComponentType() !== Accessor.ComponentType.FLOAT || accessor.getNormalized()) {
      return `accessor "${accessor.getName()}" is quantised; its positions cannot be scaled exactly`;
    }
  }
  for (const accessor of positions) {
    const array = accessor.getArray()!.slice();
    for (let index = 0; index < array.length; index++) array[index] = array[index]! * factor;
    accessor.setArray(array);
  }
  for (const accessor of bindMatrices) {
    const array = accessor.getArray()!.slice();
    for (let offset = 0; offset + 16 <= array.length; offset += 16) {
      for (const column of [12, 13, 14]) array[offset + column] = array[offset + column]! * factor;
    }
    accessor.setArray(array);
  }
  for (const node of nodes) node.setTranslation(scaled(node.getTranslation(), factor));
  return undefined;
}

function unitName(factor: number): string {
  if (factor === 0.01) return 'centimetres';
  if (factor === 0.001) return 'millimetres';
  if (factor === 0.0254) return 'inches';
  return `units of ${factor} m`;
}

function scaled(vector: number[], factor: number): Vec3 {
  return [vector[0]! * factor, vector[1]! * factor, vector[2]! * factor];
}

function recenter(scene: Scene, outcome: RepairOutcome): void {
  const before = baseCentreOf(scene);
  // Translation is applied last in T·R·S, so shifting each root node's translation shifts the world.
  for (const node of scene.listChildren() as Node[]) {
    const [x, y, z] = node.getTranslation();
    node.setTranslation([x - before[0], y - before[1], z - before[2]]);
  }
  outcome.changes.push({
    fix: 'recenter',
    summary: 'Moved the model so its base centre sits on the origin.',
    before: { baseCentreMeters: rounded(before) },
    after: { baseCentreMeters: rounded(baseCentreOf(scene)) },
  });
}

async function downsizeTextures(document: Document, maxSize: number, outcome: RepairOutcome): Promise<void> {
  const done = new Set<Uint8Array>();
  for (const texture of document.getRoot().listTextures()) {
    const image = texture.getImage();
    if (!image || done.has(image)) continue;
    done.add(image);
    const { width = 0, height = 0 } = await sharp(image).metadata();
    if (Math.max(width, height) <= maxSize) continue;
    let resized = sharp(image).resize(maxSize, maxSize, { fit: 'inside' });
    const mimeType = texture.getMimeType();
    resized = mimeType === 'image/jpeg' ? resized.jpeg({ quality: 92 }) : resized.png();
    const { data, info } = await resized.toBuffer({ resolveWithObject: true });
    texture.setImage(new Uint8Array(data));
    outcome.changes.push({
      fix: 'downsize-textures',
      summary: `Resized image "${texture.getName() || texture.getURI()}" to the ${maxSize} px limit.`,
      before: { width, height, bytes: image.byteLength },
      after: { width: info.width, height: info.height, bytes: data.byteLength },
    });
  }
}
