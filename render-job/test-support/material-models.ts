/**
 * Small glTF models made here (CC0, no source files) that exercise the material extensions storefront
 * products use: a red fabric cushion with KHR_materials_sheen, a glossy dark metal ring, a red
 * clear-coated sphere, a glass sphere (KHR_materials_transmission + _ior) and a sphere with a tinted
 * KHR_materials_specular. Written as real GLB bytes by gltf-transform, read back by the renderer like any
 * delivery, and served to <model-viewer> by the look benchmark.
 */
import { Document, type Material } from '@gltf-transform/core';
import {
  KHRMaterialsClearcoat,
  KHRMaterialsIOR,
  KHRMaterialsSheen,
  KHRMaterialsSpecular,
  KHRMaterialsTransmission,
} from '@gltf-transform/extensions';
import { createGltfIO } from '../../lib/gltf/create-io.ts';

/** Names of the models {@link materialModel} makes. */
export const MATERIAL_MODELS = [
  'SheenCushion',
  'GlossyMetalRing',
  'ClearcoatSphere',
  'GlassSphere',
  'SpecularSphere',
] as const;
export type MaterialModelName = (typeof MATERIAL_MODELS)[number];

/** Options of {@link materialModel}. */
export interface MaterialModelOptions {
  /** Leave the model's material extension out (the same model, base material only). */
  withoutExtension?: boolean;
}

/**
 * The GLB bytes of model `name`.
 *
 * @example
 * ```ts
 * const glb = await materialModel('SheenCushion');
 * ```
 */
export async function materialModel(
  name: MaterialModelName,
  options: MaterialModelOptions = {},
): Promise<Uint8Array> {
  const document = new Document();
  document.createBuffer();
  const material = document.createMaterial(name);
  const extended = !options.withoutExtension;
  let shape: Shape;
  switch (name) {
    case 'SheenCushion': {
      material.setBaseColorFactor([0.55, 0.04, 0.05, 1]).setMetallicFactor(0).setRoughnessFactor(0.9);
      if (extended) {
        const sheen = document.createExtension(KHRMaterialsSheen).createSheen();
        sheen.setSheenColorFactor([1, 0.55, 0.55]).setSheenRoughnessFactor(0.5);
        material.setExtension('KHR_materials_sheen', sheen);
      }
      shape = cushion();
      break;
    }
    case 'GlossyMetalRing':
      material.setBaseColorFactor([0.3, 0.3, 0.32, 1]).setMetallicFactor(1).setRoughnessFactor(0.15);
      shape = ring();
      break;
    case 'ClearcoatSphere': {
      material.setBaseColorFactor([0.6, 0.02, 0.03, 1]).setMetallicFactor(0).setRoughnessFactor(0.6);
      if (extended) {
        const coat = document.createExtension(KHRMaterialsClearcoat).createClearcoat();
        coat.setClearcoatFactor(1).setClearcoatRoughnessFactor(0.05);
        material.setExtension('KHR_materials_clearcoat', coat);
      }
      shape = sphere(1, 1);
      break;
    }
    case 'GlassSphere': {
      material.setBaseColorFactor([0.9, 0.95, 1, 1]).setMetallicFactor(0).setRoughnessFactor(0.05);
      if (extended) {
        const transmission = document.createExtension(KHRMaterialsTransmission).createTransmission();
        transmission.setTransmissionFactor(1);
        material.setExtension('KHR_materials_transmission', transmission);
        const ior = document.createExtension(KHRMaterialsIOR).createIOR().setIOR(1.5);
        material.setExtension('KHR_materials_ior', ior);
      }
      shape = sphere(1, 1);
      break;
    }
    case 'SpecularSphere': {
      material.setBaseColorFactor([0.05, 0.1, 0.4, 1]).setMetallicFactor(0).setRoughnessFactor(0.25);
      if (extended) {
        const specular = document.createExtension(KHRMaterialsSpecular).createSpecular();
        specular.setSpecularFactor(1).setSpecularColorFactor([1, 0.8, 0.3]);
        material.setExtension('KHR_materials_specular', specular);
        const ior = document.createExtension(KHRMaterialsIOR).createIOR().setIOR(1.8);
        material.setExtension('KHR_materials_ior', ior);
      }
      shape = sphere(1, 1);
      break;
    }
  }
  addMesh(document, material, shape);
  const io = await createGltfIO();
  return io.writeBinary(document);
}

interface Shape {
  positions: Float32Array<ArrayBuffer>;
  normals: Float32Array<ArrayBuffer>;
  indices: Uint32Array<ArrayBuffer>;
}

/** A UV sphere of radius `r`, squashed vertically by `squash`. */
function sphere(r: number, squash: number, segments = 48, rings = 24): Shape {
  return surface(segments, rings, (u, v) => {
    const theta = v * Math.PI;
    const phi = u * 2 * Math.PI;
    const n: [number, number, number] = [
      Math.sin(theta) * Math.cos(phi),
      Math.cos(theta),
      -Math.sin(theta) * Math.sin(phi),
    ];
    return { p: [r * n[0], r * squash * n[1], r * n[2]], n: [n[0] * squash, n[1], n[2] * squash] };
  });
}

/** A plump square cushion: a superellipsoid, wider than tall. */
function cushion(): Shape {
  const power = (x: number, e: number) => Math.sign(x) * Math.abs(x) ** e;
  return surface(64, 32, (u, v) => {
    const theta = v * Math.PI - Math.PI / 2;
    const phi = u * 2 * Math.PI;
    const e = 0.35;
    const p: [number, number, number] = [
      power(Math.cos(theta), e) * power(Math.cos(phi), e),
      0.4 * power(Math.sin(theta), 1),
      -power(Math.cos(theta), e) * power(Math.sin(phi), e),
    ];
    return { p, n: [0, 0, 0] };
  });
}

/** A ring (torus) standing upright, like a racquet frame. */
function ring(): Shape {
  const major = 1;
  const minor = 0.12;
  return surface(96, 24, (u, v) => {
    const phi = u * 2 * Math.PI;
    const theta = -v * 2 * Math.PI;
    const n: [number, number, number] = [
      Math.cos(theta) * Math.cos(phi),
      Math.cos(theta) * Math.sin(phi),
      Math.sin(theta),
    ];
    const p: [number, number, number] = [
      (major + minor * Math.cos(theta)) * Math.cos(phi),
      (major + minor * Math.cos(theta)) * Math.sin(phi),
      minor * Math.sin(theta),
    ];
    return { p, n };
  });
}

/** A grid of (segments+1)×(rings+1) vertices from `at(u, v)`; normals from the faces when given as 0. */
function surface(
  segments: number,
  rings: number,
  at: (u: number, v: number) => { p: [number, number, number]; n: [number, number, number] },
): Shape {
  const columns = segments + 1;
  const positions = new Float32Array(columns * (rings + 1) * 3);
  const normals = new Float32Array(columns * (rings + 1) * 3);
  for (let j = 0; j <= rings; j++) {
    for (let i = 0; i <= segments; i++) {
      const { p, n } = at(i / segments, j / rings);
      positions.set(p, (j * columns + i) * 3);
      normals.set(n, (j * columns + i) * 3);
    }
  }
  const indices: number[] = [];
  for (let j = 0; j < rings; j++) {
    for (let i = 0; i < segments; i++) {
      const a = j * columns + i;
      const b = a + columns;
      indices.push(a, b, a + 1, a + 1, b, b + 1);
    }
  }
  const index = Uint32Array.from(indices);
  smoothNormals(positions, normals, index);
  return { positions, normals, indices: index };
}

/** Replaces zero normals by area-weighted vertex normals, merging vertices at the same place (seams). */
function smoothNormals(positions: Float32Array, normals: Float32Array, indices: Uint32Array): void {
  if (normals.some((value) => value !== 0)) {
    for (let i = 0; i < normals.length; i += 3) {
      const length = Math.hypot(normals[i]!, normals[i + 1]!, normals[i + 2]!) || 1;
      normals[i] = normals[i]! / length;
      normals[i + 1] = normals[i + 1]! / length;
      normals[i + 2] = normals[i + 2]! / length;
    }
    return;
  }
  const key = (v: number) =>
    `${positions[v * 3]!.toFixed(5)},${positions[v * 3 + 1]!.toFixed(5)},${positions[v * 3 + 2]!.toFixed(5)}`;
  const sums = new Map<string, [number, number, number]>();
  for (let t = 0; t < indices.length; t += 3) {
    const [a, b, c] = [indices[t]!, indices[t + 1]!, indices[t + 2]!];
    const e1 = [0, 1, 2].map((k) => positions[b * 3 + k]! - positions[a * 3 + k]!);
    const e2 = [0, 1, 2].map((k) => positions[c * 3 + k]! - positions[a * 3 + k]!);
    const n: [number, number, number] = [
      e1[1]! * e2[2]! - e1[2]! * e2[1]!,
      e1[2]! * e2[0]! - e1[0]! * e2[2]!,
      e1[0]! * e2[1]! - e1[1]! * e2[0]!,
    ];
    for (const v of [a, b, c]) {
      const sum = sums.get(key(v)) ?? [0, 0, 0];
      sums.set(key(v), [sum[0] + n[0], sum[1] + n[1], sum[2] + n[2]]);
    }
  }
  for (let v = 0; v < positions.length / 3; v++) {
    const [x, y, z] = sums.get(key(v)) ?? [0, 1, 0];
    const length = Math.hypot(x, y, z) || 1;
    normals.set([x / length, y / length, z / length], v * 3);
  }
}

function addMesh(document: Document, material: Material, shape: Shape): void {
  const buffer = document.getRoot().listBuffers()[0]!;
  const primitive = document
    .createPrimitive()
    .setAttribute(
      'POSITION',
      document.createAccessor().setType('VEC3').setArray(shape.positions).setBuffer(buffer),
    )
    .setAttribute(
      'NORMAL',
      document.createAccessor().setType('VEC3').setArray(shape.normals).setBuffer(buffer),
    )
    .setIndices(document.createAccessor().setType('SCALAR').setArray(shape.indices).setBuffer(buffer))
    .setMaterial(material);
  const mesh = document.createMesh(material.getName()).addPrimitive(primitive);
  const node = document.createNode(material.getName()).setMesh(mesh);
  document.createScene('Scene').addChild(node);
  document.getRoot().setDefaultScene(document.getRoot().listScenes()[0]!);
}
