import { createHash } from 'node:crypto';
import type { Document } from '@gltf-transform/core';
import { cloneDocument } from '@gltf-transform/functions';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createGltfIO } from '../../lib/gltf/create-io.ts';
import { checkCleanup } from '../checks/check-cleanup.ts';
import { checkTexturing } from '../checks/check-texturing.ts';
import type { Finding } from '../findings.ts';
import { DEFAULT_POLICY } from '../policy/policy.ts';
import { planRepairs } from './plan-repairs.ts';
import { repairModel } from './repair-model.ts';

const MODELS = 'test/fixtures/models';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Deliveries that need a repair, made from fixture models the way artists get them wrong. */
const inCentimetres = (document: Document) => scaleWorld(document, 100);
const offOrigin = (document: Document) => moveRoots(document, [2.5, 0.4, -1]);
const upsized = async (document: Document) => {
  for (const texture of document.getRoot().listTextures()) {
    const image = texture.getImage()!;
    texture.setImage(new Uint8Array(await sharp(image).resize(4096, 4096).png().toBuffer()));
    texture.setMimeType('image/png');
  }
};

function scaleWorld(document: Document, factor: number): void {
  for (const scene of document.getRoot().listScenes()) {
    for (const node of scene.listChildren()) {
      node.setScale(node.getScale().map((value) => value * factor) as [number, number, number]);
      node.setTranslation(node.getTranslation().map((value) => value * factor) as [number, number, number]);
    }
  }
}

function moveRoots(document: Document, by: [number, number, number]): void {
  for (const scene of document.getRoot().listScenes()) {
    for (const node of scene.listChildren()) {
      const [x, y, z] = node.getTranslation();
      node.setTranslation([x + by[0], y + by[1], z + by[2]]);
    }
  }
}

async function errors(document: Document): Promise<Finding[]> {
  const cleanup = checkCleanup(document, DEFAULT_POLICY.cleanup, 'model.glb');
  const texturing = await checkTexturing(document, DEFAULT_POLICY.texturing, 'model.glb');
  return [...cleanup.findings, ...texturing.findings].filter((item) => item.severity === 'error');
}

type Damage = (document: Document) => void | Promise<void>;

/**
 * Each row: a fixture, what was done to it, the error codes validation raises, and whether the repaired
 * candidate passes. Rows marked false stay rejected, with the reason in the comment.
 */
const CASES: [string, string, Damage[], string[], boolean][] = [
  // As delivered upstream: centred on its middle, so it stands half below the floor.
  ['Box as delivered', 'Box/glTF-Binary/Box.glb', [], ['CLEANUP_ORIGIN'], true],
  [
    'BoxTextured off the origin',
    'BoxTextured/glTF-Binary/BoxTextured.glb',
    [offOrigin],
    ['CLEANUP_ORIGIN'],
    true,
  ],
  [
    'Duck in centimetres',
    'Duck/glTF-Binary/Duck.glb',
    [inCentimetres],
    ['CLEANUP_ORIGIN', 'CLEANUP_SCALE'],
    true,
  ],
  [
    'BoxTextured with a 4096² texture',
    'BoxTextured/glTF-Binary/BoxTextured.glb',
    [upsized],
    ['CLEANUP_ORIGIN', 'TEXTURING_TEXTURE_TOO_LARGE'],
    true,
  ],
  [
    'WaterBottle in centimetres and off the origin',
    'WaterBottle/glTF/WaterBottle.gltf',
    [inCentimetres, offOrigin],
    ['CLEANUP_ORIGIN', 'CLEANUP_SCALE'],
    true,
  ],
  ['DamagedHelmet as delivered', 'DamagedHelmet/glTF-Binary/DamagedHelmet.glb', [], ['CLEANUP_ORIGIN'], true],
];

describe('repairModel on fixture deliveries that need it', () => {
  it.each(CASES)('%s', async (_name, path, damage, expectedCodes, approvable) => {
    const io = await createGltfIO();
    const delivered = await io.read(`${MODELS}/${path}`);
    for (const step of damage) await step(delivered);
    const before = await errors(delivered);
    expect([...new Set(before.map((item) => item.code))].sort()).toEqual(expectedCodes);
    const artistBytes = sha256(await io.writeBinary(delivered));

    const repaired = cloneDocument(delivered);
    const plan = planRepairs(before, DEFAULT_POLICY.repair);
    const outcome = await repairModel(repaired, plan.fixes, DEFAULT_POLICY);
    expect(outcome.skipped).toEqual([]);
    expect(outcome.changes.length).toBeGreaterThanOrEqual(plan.fixes.length);
    for (const change of outcome.changes) expect(change.before).not.toEqual(change.after);

    expect((await errors(repaired)).map((item) => item.code)).toEqual(approvable ? [] : expect.anything());
    // The artist's delivery is never changed by the repair.
    expect(sha256(await io.writeBinary(delivered))).toBe(artistBytes);
  });

  it('skips a unit repair no factor can make safe, and says why', async () => {
    const document = await (await createGltfIO()).read(`${MODELS}/Box/glTF-Binary/Box.glb`);
    scaleWorld(document, 1e6);
    const outcome = await repairModel(document, ['unit-scale'], DEFAULT_POLICY);
    expect(outcome.changes).toEqual([]);
    expect(outcome.skipped[0]?.reason).toContain('no unit factor');
  });
});
