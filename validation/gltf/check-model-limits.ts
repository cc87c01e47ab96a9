import { open } from 'node:fs/promises';
import { type Finding, finding } from '../findings.ts';
import type { ModelPolicy } from '../policy/policy.ts';

const GLB_MAGIC = 0x46546c67; // 'glTF'
const GLB_HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;
const CHUNK_JSON = 0x4e4f534a; // 'JSON'
const MiB = 1024 * 1024;

const COMPONENTS: Record<string, number> = {
  SCALAR: 1,
  VEC2: 2,
  VEC3: 3,
  VEC4: 4,
  MAT2: 4,
  MAT3: 9,
  MAT4: 16,
};
const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };

/**
 * Holds a model file to the model policy before anything parses or decodes it: the file size, the size of
 * its JSON (read from the GLB chunk header, so an oversized JSON is never read), the nesting depth of that
 * JSON (scanned byte by byte, so a depth bomb never reaches a recursive parser), and the sizes the JSON
 * declares (buffer `byteLength`s, `data:` URI payloads, accessor element counts), which the validator and
 * the loader would otherwise allocate.
 *
 * Guarantees: memory stays at `maxJsonBytes` plus its parsed form; the file is read only up to the end of
 * its JSON. Returns no finding when the file is not GLB or JSON at all: glTF-Validator names that.
 *
 * @example
 * ```ts
 * const findings = await checkModelLimits('/scratch/delivery/model/B0X.glb', 'model/B0X.glb', DEFAULT_POLICY.model);
 * ```
 */
export async function checkModelLimits(path: string, file: string, policy: ModelPolicy): Promise<Finding[]> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > policy.maxModelBytes) {
      return [
        finding(
          'GLTF_MODEL_TOO_LARGE',
          `${file} is ${mib(size)} MiB; the limit is ${mib(policy.maxModelBytes)} MiB.`,
          { file },
        ),
      ];
    }
    const head = Buffer.alloc(GLB_HEADER_BYTES + CHUNK_HEADER_BYTES);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    let start = 0;
    let length = size;
    if (bytesRead >= 4 && head.readUInt32LE(0) === GLB_MAGIC) {
      if (bytesRead < head.length || head.readUInt32LE(16) !== CHUNK_JSON) return [];
      start = head.length;
      length = head.readUInt32LE(12);
    }
    if (length > policy.maxJsonBytes) {
      return [
        finding(
          'GLTF_JSON_TOO_LARGE',
          `The JSON of ${file} is ${mib(length)} MiB; the limit is ${mib(policy.maxJsonBytes)} MiB (embedded data: URIs count: keep buffers and images in the GLB's binary chunk).`,
          { file },
        ),
      ];
    }
    const json = Buffer.alloc(Math.min(length, Math.max(size - start, 0)));
    await handle.read(json, 0, json.length, start);
    return checkJson(json, file, policy);
  } finally {
    await handle.close();
  }
}

/** The depth and declared-size checks on a model's JSON bytes. Pure; exported for the property tests. */
export function checkJson(json: Uint8Array, file: string, policy: ModelPolicy): Finding[] {
  const deep = depthExceeded(json, policy.maxJsonDepth);
  if (deep !== undefined) {
    return [
      finding(
        'GLTF_JSON_TOO_DEEP',
        `The JSON of ${file} nests arrays and objects more than ${policy.maxJsonDepth} levels deep (at byte ${deep}); a glTF needs about 8. Look for custom extras written by an exporter plug-in.`,
        { file },
      ),
    ];
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(json));
  } catch {
    return []; // glTF-Validator reports the syntax error with its position.
  }
  return declaredSizes(value, file, policy);
}

/**
 * The byte offset at which arrays and objects nest deeper than `maxDepth`, or undefined. Brackets inside
 * strings (escapes included) do not count. Allocates nothing.
 */
export function depthExceeded(json: Uint8Array, maxDepth: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < json.length; index++) {
    const byte = json[index]!;
    if (inString) {
      if (byte === 0x5c) index++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > maxDepth) return index;
    } else if (byte === 0x5d || byte === 0x7d) {
      depth--;
    }
  }
  return undefined;
}

interface Declared {
  total: number;
  largest: { pointer: string; bytes: number; what: string } | undefined;
}

function declaredSizes(value: unknown, file: string, policy: ModelPolicy): Finding[] {
  if (!isObject(value)) return [];
  const findings: Finding[] = [];
  const data: Declared = { total: 0, largest: undefined };
  const add = (into: Declared, pointer: string, bytes: number, what: string) => {
    into.total += bytes;
    if (!into.largest || bytes > into.largest.bytes) into.largest = { pointer, bytes, what };
  };
  for (const [index, buffer] of list(value.buffers)) {
    const declared = finiteSize(buffer.byteLength);
    const payload = dataUriBytes(buffer.uri);
    const bytes = Math.max(declared, payload);
    if (bytes > 0) add(data, `/buffers/${index}`, bytes, payload > declared ? 'a data: URI' : 'a buffer');
  }
  for (const [index, image] of list(value.images)) {
    const payload = dataUriBytes(image.uri);
    if (payload > 0) add(data, `/images/${index}`, payload, 'a data: URI image');
  }
  if (data.total > policy.maxDeclaredBytes)
    findings.push(tooLarge(file, 'buffer and image data', data, policy));
  const unpacked: Declared = { total: 0, largest: undefined };
  for (const [index, accessor] of list(value.accessors)) {
    const components = COMPONENTS[String(accessor.type)] ?? 0;
    const componentBytes = COMPONENT_BYTES[Number(accessor.componentType)] ?? 0;
    const bytes = finiteSize(accessor.count) * components * componentBytes;
    if (bytes > 0) add(unpacked, `/accessors/${index}`, bytes, 'an accessor');
  }
  if (unpacked.total > policy.maxDeclaredBytes) {
    findings.push(tooLarge(file, 'unpacked accessor data', unpacked, policy));
  }
  return findings;
}

function tooLarge(file: string, what: string, declared: Declared, policy: ModelPolicy): Finding {
  const largest = declared.largest!;
  return finding(
    'GLTF_DECLARED_TOO_LARGE',
    `${file} declares ${mib(declared.total)} MiB of ${what} (the largest, ${largest.what} at ${largest.pointer}, ${mib(largest.bytes)} MiB); the limit is ${mib(policy.maxDeclaredBytes)} MiB.`,
    { file, pointer: largest.pointer },
  );
}

/** Decoded size of a `data:` URI's payload, from its length alone; 0 for anything else. */
export function dataUriBytes(uri: unknown): number {
  if (typeof uri !== 'string' || !uri.startsWith('data:')) return 0;
  const comma = uri.indexOf(',');
  if (comma < 0) return 0;
  const payload = uri.length - comma - 1;
  if (!/;base64$/i.test(uri.slice(0, comma))) return payload;
  let padding = 0;
  if (uri.endsWith('==')) padding = 2;
  else if (uri.endsWith('=')) padding = 1;
  return Math.max(Math.floor((payload * 3) / 4) - padding, 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): [number, Record<string, unknown>][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, index) =>
    isObject(item) ? [[index, item] as [number, Record<string, unknown>]] : [],
  );
}

function finiteSize(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

function mib(bytes: number): number {
  return Math.round((bytes / MiB) * 10) / 10;
}
