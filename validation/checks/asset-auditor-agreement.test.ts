import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createGltfIO } from '../../lib/gltf/create-io.ts';
import { DEFAULT_POLICY } from '../policy/policy.ts';
import { checkCleanup } from './check-cleanup.ts';
import { checkTexturing } from './check-texturing.ts';

const auditor = fileURLToPath(new URL('../../test/fixtures/gltf-asset-auditor/', import.meta.url));

interface Expectation {
  model: string;
  schema: string;
  check: string;
  pass_: boolean;
}

interface Range {
  maximum?: number;
  minimum?: number;
  percentTolerance?: number;
}

interface AuditorSchema {
  model?: { triangles?: Range; requireCleanRootNodeTransform?: boolean };
  product?: { dimensions?: Record<'height' | 'length' | 'width', Range> };
  textures?: { requireDimensionsBePowersOfTwo?: boolean };
}

/**
 * The Khronos glTF Asset Auditor checks that have a counterpart among ours, and how its pass/fail maps to
 * our findings under a policy built from the auditor's schema. (File size, object and material counts are
 * storefront-profile limits here, not policy checks; bevel and manifold checks we do not have.)
 */
const COUNTERPARTS: Record<string, (schema: AuditorSchema, file: string) => Promise<boolean>> = {
  async triangleCount(schema, file) {
    const maximum = schema.model?.triangles?.maximum ?? -1;
    const document = await load(file);
    const policy = {
      ...DEFAULT_POLICY.cleanup,
      maxTriangles: maximum < 0 ? Number.MAX_SAFE_INTEGER : maximum,
    };
    return !checkCleanup(document, policy, file).findings.some(
      (item) => item.code === 'CLEANUP_TRIANGLE_BUDGET',
    );
  },
  async rootNodeCleanTransform(schema, file) {
    const document = await load(file);
    const { findings } = checkCleanup(document, DEFAULT_POLICY.cleanup, file);
    const dirty = findings.some((item) =>
      ['CLEANUP_STRAY_TRANSFORM', 'CLEANUP_MIRRORED_TRANSFORM'].includes(item.code),
    );
    return !(schema.model?.requireCleanRootNodeTransform ?? true) || !dirty;
  },
  async texturesPowerOfTwo(_schema, file) {
    const { findings } = await checkTexturing(await load(file), DEFAULT_POLICY.texturing, file);
    return !findings.some((item) => item.code === 'TEXTURING_NOT_POWER_OF_TWO');
  },
  async overallDimensionsWithinTolerance(schema, file) {
    // The auditor bounds every side; ours bounds the largest side. For the auditor's cubes they coincide.
    const dimensions = Object.values(schema.product?.dimensions ?? {});
    const tolerance = 1 + (dimensions[0]?.percentTolerance ?? 0) / 100;
    const maximum = Math.min(
      ...dimensions.map((range) => ((range.maximum ?? -1) < 0 ? Infinity : range.maximum!)),
    );
    const minimum = Math.max(
      ...dimensions.map((range) => ((range.minimum ?? -1) < 0 ? 1e-9 : range.minimum!)),
    );
    const policy = {
      ...DEFAULT_POLICY.cleanup,
      minExtentMeters: minimum / tolerance,
      maxExtentMeters: Number.isFinite(maximum) ? maximum * tolerance : Number.MAX_VALUE,
    };
    const { findings } = checkCleanup(await load(file), policy, file);
    return !findings.some((item) => item.code === 'CLEANUP_SCALE');
  },
};

/**
 * Known disagreements, each checked to still be one. The auditor's clean-transform check reads a root node's
 * translation/rotation/scale only; box.gltf rotates its root by a `matrix` (Z-up to Y-up), which we see
 * through the world matrix and report as CLEANUP_STRAY_TRANSFORM.
 */
const KNOWN_DISAGREEMENTS = new Set(['rootNodeCleanTransform tests/models/box.gltf tests/schemas/pass.json']);

async function load(file: string) {
  const io = await createGltfIO();
  return io.read(join(auditor, file));
}

describe('agreement with the Khronos glTF Asset Auditor test expectations', () => {
  it('gives the same pass/fail on every auditor check we have a counterpart for', async () => {
    const { expectations } = JSON.parse(await readFile(join(auditor, 'expectations.json'), 'utf8')) as {
      expectations: Expectation[];
    };
    const comparable = expectations.filter((item) => item.check in COUNTERPARTS);
    expect(comparable.length).toBeGreaterThanOrEqual(20);
    const outcomes: string[] = [];
    for (const item of comparable) {
      const schema = JSON.parse(await readFile(join(auditor, item.schema), 'utf8')) as AuditorSchema;
      const ours = await COUNTERPARTS[item.check]!(schema, item.model);
      outcomes.push(`${item.check} ${item.model} ${item.schema}: auditor ${item.pass_}, ours ${ours}`);
    }
    expect(outcomes).toEqual(
      comparable.map((item) => {
        const key = `${item.check} ${item.model} ${item.schema}`;
        return `${key}: auditor ${item.pass_}, ours ${KNOWN_DISAGREEMENTS.has(key) ? !item.pass_ : item.pass_}`;
      }),
    );
  }, 60_000);
});
