import { type Document, getBounds, type Node, PropertyType } from '@gltf-transform/core';
import { type Finding, finding } from '../findings.ts';
import type { CleanupPolicy } from '../policy/policy.ts';
import { forEachTriangle, isTriangleMode, readFloats, triangleArea3 } from './geometry.ts';

/** Geometry figures of a model, reported whatever the verdict. */
export interface GeometryStats {
  /** Triangles drawn by the default scene (instances counted). */
  triangles: number;
  vertices: number;
  degenerateTriangles: number;
  /** Bounding box of the default scene in metres, `[min, max]`. */
  bounds: { min: [number, number, number]; max: [number, number, number] };
  meshes: number;
  materials: number;
  textures: number;
}

/** Outcome of {@link checkCleanup}. */
export interface CleanupOutcome {
  findings: Finding[];
  stats: GeometryStats;
}

const NAME = /^[a-z][a-z0-9_-]*$/;

/**
 * The cleanup stage: triangle and vertex budgets, degenerate triangles, unused data and loose vertices,
 * real-world scale (largest extent in metres within the policy), origin at the base centre (+Y up), and
 * stray or mirrored node transforms. `file` names the model in finding locations.
 */
export function checkCleanup(document: Document, policy: CleanupPolicy, file: string): CleanupOutcome {
  const findings: Finding[] = [];
  const root = document.getRoot();
  const scene = root.getDefaultScene() ?? root.listScenes()[0];
  let triangles = 0;
  let vertices = 0;
  let degenerate = 0;
  let looseVertices = 0;
  const nonTriangle = new Set<string>();
  const strayTransforms: string[] = [];
  const mirrored: string[] = [];
  const visited = new Map<unknown, { triangles: number; vertices: number; degenerate: number }>();
  scene?.traverse((node: Node) => {
    const mesh = node.getMesh();
    if (!mesh) return;
    const world = node.getWorldMatrix();
    const determinant = det3(world);
    if (determinant < 0) mirrored.push(node.getName() || mesh.getName() || '(unnamed)');
    else if (!isRigid(world)) strayTransforms.push(node.getName() || mesh.getName() || '(unnamed)');
    for (const primitive of mesh.listPrimitives()) {
      let counts = visited.get(primitive);
      if (!counts) {
        counts = { triangles: 0, vertices: 0, degenerate: 0 };
        const position = primitive.getAttribute('POSITION');
        counts.vertices = position?.getCount() ?? 0;
        if (!isTriangleMode(primitive)) {
          nonTriangle.add(mesh.getName() || '(unnamed)');
        } else if (position) {
          const points = readFloats(position);
          const used = primitive.getIndices() ? new Uint8Array(position.getCount()) : undefined;
          counts.triangles = forEachTriangle(primitive, (a, b, c) => {
            if (used) {
              used[a] = 1;
              used[b] = 1;
              used[c] = 1;
            }
            if (a === b || b === c || a === c || triangleArea3(points, a, b, c) === 0) {
              counts!.degenerate++;
            }
          });
          if (used) looseVertices += used.length - used.reduce((sum, flag) => sum + flag, 0);
        }
        visited.set(primitive, counts);
      }
      triangles += counts.triangles;
      vertices += counts.vertices;
      degenerate += counts.degenerate;
    }
  });
  const bounds = scene ? getBounds(scene) : { min: [0, 0, 0], max: [0, 0, 0] };
  const stats: GeometryStats = {
    triangles,
    vertices,
    degenerateTriangles: degenerate,
    bounds: { min: toVec3(bounds.min), max: toVec3(bounds.max) },
    meshes: root.listMeshes().length,
    materials: root.listMaterials().length,
    textures: root.listTextures().length,
  };
  const at = { file };
  if (triangles === 0) {
    findings.push(finding('CLEANUP_EMPTY_SCENE', 'The default scene draws no triangles.', at));
    return { findings, stats };
  }
  if (triangles > policy.maxTriangles) {
    findings.push(
      finding('CLEANUP_TRIANGLE_BUDGET', `${triangles} triangles; the budget is ${policy.maxTriangles}.`, at),
    );
  }
  if (vertices > policy.maxVertices) {
    findings.push(
      finding('CLEANUP_VERTEX_BUDGET', `${vertices} vertices; the budget is ${policy.maxVertices}.`, at),
    );
  }
  if (degenerate > 0) {
    const share = degenerate / triangles;
    findings.push(
      finding(
        'CLEANUP_DEGENERATE_TRIANGLES',
        `${degenerate} of ${triangles} triangles are degenerate (zero area); at most ${policy.maxDegenerateShare * 100}% are tolerated.`,
        at,
        share > policy.maxDegenerateShare ? 'error' : 'info',
      ),
    );
  }
  if (looseVertices > 0) {
    findings.push(
      finding('CLEANUP_LOOSE_GEOMETRY', `${looseVertices} vertices are not used by any triangle.`, at),
    );
  }
  if (nonTriangle.size > 0) {
    findings.push(
      finding('CLEANUP_NOT_TRIANGLES', `Meshes draw points or lines: ${[...nonTriangle].join(', ')}.`, at),
    );
  }
  const unused = unusedProperties(document);
  if (unused.length > 0) {
    findings.push(finding('CLEANUP_UNUSED_DATA', `Unused data in the file: ${unused.join(', ')}.`, at));
  }
  checkScaleAndOrigin(stats.bounds, policy, file, findings);
  if (mirrored.length > 0) {
    findings.push(
      finding(
        'CLEANUP_MIRRORED_TRANSFORM',
        `Nodes have a negative scale (mirrored): ${names(mirrored)}.`,
        at,
      ),
    );
  }
  if (strayTransforms.length > 0) {
    findings.push(
      finding(
        'CLEANUP_STRAY_TRANSFORM',
        `Nodes carry rotation or scale that was not applied: ${names(strayTransforms)}.`,
        at,
      ),
    );
  }
  const badNames = [...root.listMeshes(), ...root.listMaterials(), ...root.listTextures()]
    .map((property) => property.getName())
    .filter((name) => name !== '' && !NAME.test(name));
  if (badNames.length > 0) {
    findings.push(finding('CLEANUP_NAMES', `Names outside a-z 0-9 _ -: ${names(badNames)}.`, at));
  }
  return { findings, stats };
}

function checkScaleAndOrigin(
  bounds: GeometryStats['bounds'],
  policy: CleanupPolicy,
  file: string,
  findings: Finding[],
): void {
  const extent = bounds.max.map((max, axis) => max - bounds.min[axis]!);
  const largest = Math.max(...extent);
  const size = extent.map((value) => round(value)).join(' × ');
  if (largest < policy.minExtentMeters || largest > policy.maxExtentMeters) {
    findings.push(
      finding(
        'CLEANUP_SCALE',
        `The model measures ${size} m; its largest side must be between ${policy.minExtentMeters} and ${policy.maxExtentMeters} m (is it in centimetres or millimetres?).`,
        { file },
      ),
    );
  }
  // Judged on its own even when the scale is wrong: a model in centimetres can also stand off its origin,
  // and the artist should fix both in one round.
  const base = [(bounds.min[0] + bounds.max[0]) / 2, bounds.min[1], (bounds.min[2] + bounds.max[2]) / 2];
  const offset = Math.hypot(...base);
  if (offset > policy.originTolerance * largest) {
    findings.push(
      finding(
        'CLEANUP_ORIGIN',
        `The base centre of the model is at (${base.map(round).join(', ')}) m, not at the origin (tolerance ${policy.originTolerance * 100}% of ${round(largest)} m).`,
        { file },
      ),
    );
  }
}

function unusedProperties(document: Document): string[] {
  const root = document.getRoot();
  const unused: string[] = [];
  const count = (list: { listParents(): { propertyType: string }[] }[], label: string) => {
    const orphans = list.filter((item) =>
      item.listParents().every((parent) => parent.propertyType === PropertyType.ROOT),
    );
    if (orphans.length > 0) unused.push(`${orphans.length} ${label}`);
  };
  count(root.listMeshes(), 'meshes');
  count(root.listMaterials(), 'materials');
  count(root.listTextures(), 'textures');
  count(root.listAccessors(), 'accessors');
  return unused;
}

function det3(m: ArrayLike<number>): number {
  return (
    m[0]! * (m[5]! * m[10]! - m[6]! * m[9]!) -
    m[4]! * (m[1]! * m[10]! - m[2]! * m[9]!) +
    m[8]! * (m[1]! * m[6]! - m[2]! * m[5]!)
  );
}

function isRigid(m: ArrayLike<number>): boolean {
  // Identity rotation and unit scale; translation is allowed (it places parts of an assembly).
  const identity = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const upper = [m[0]!, m[1]!, m[2]!, m[4]!, m[5]!, m[6]!, m[8]!, m[9]!, m[10]!];
  return upper.every((value, index) => Math.abs(value - identity[index]!) < 1e-4);
}

function toVec3(value: ArrayLike<number>): [number, number, number] {
  return [value[0] ?? 0, value[1] ?? 0, value[2] ?? 0];
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function names(list: string[]): string {
  const unique = [...new Set(list)];
  return unique.length > 5
    ? `${unique.slice(0, 5).join(', ')} and ${unique.length - 5} more`
    : unique.join(', ');
}
