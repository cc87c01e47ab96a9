import type { FindingStage, Severity } from '../lib/contracts/validation-result.ts';

/** Where a finding points: a file of the delivery and, inside it, a JSON pointer or an object's name. */
export interface FindingLocation {
  /** Path inside the delivery, e.g. `model/B0MIXER001.glb`. */
  file?: string;
  /** JSON pointer inside a glTF, e.g. `/meshes/0/primitives/1`. */
  pointer?: string;
  /** Name of the mesh, material, texture or node concerned. */
  name?: string;
}

/** One finding of the full report. */
export interface Finding {
  code: string;
  severity: Severity;
  stage: FindingStage;
  message: string;
  /** What the artist does to fix it. */
  hint: string;
  location?: FindingLocation;
}

/** Catalogue entry of a finding code: where it belongs, how bad it is by default, how to fix it. */
interface CodeInfo {
  stage: FindingStage;
  severity: Severity;
  hint: string;
}

const ZIP_HINT = 'Re-pack the delivery with `shazam pack` (it writes a plain, safe ZIP).';

/**
 * Every finding code SHAZAM raises itself (glTF-Validator's own codes are passed through as `GLTF_<CODE>`).
 * The codes are stable: tests, dashboards and artists' scripts rely on them.
 */
export const FINDING_CODES = {
  DELIVERY_NOT_FOUND: {
    stage: 'delivery',
    severity: 'error',
    hint: 'Upload the ZIP to the URI in spec.delivery.uri.',
  },
  DELIVERY_TOO_LARGE: {
    stage: 'delivery',
    severity: 'error',
    hint: 'Reduce texture sizes or drop the optional source/ folder.',
  },
  DELIVERY_SHA256_MISMATCH: {
    stage: 'delivery',
    severity: 'error',
    hint: 'Put the sha256 of the uploaded ZIP (`sha256sum r<rev>.zip`) in spec.delivery.sha256, or re-upload the ZIP you meant.',
  },
  ZIP_CORRUPT: { stage: 'archive', severity: 'error', hint: ZIP_HINT },
  ZIP_TOO_MANY_ENTRIES: {
    stage: 'archive',
    severity: 'error',
    hint: 'Keep the delivery to the files in the contract.',
  },
  ZIP_PATH_TRAVERSAL: { stage: 'archive', severity: 'error', hint: ZIP_HINT },
  ZIP_ABSOLUTE_PATH: { stage: 'archive', severity: 'error', hint: ZIP_HINT },
  ZIP_DRIVE_LETTER: { stage: 'archive', severity: 'error', hint: ZIP_HINT },
  ZIP_BACKSLASH_PATH: { stage: 'archive', severity: 'error', hint: ZIP_HINT },
  ZIP_INVALID_NAME: { stage: 'archive', severity: 'error', hint: ZIP_HINT },
  ZIP_NAME_NOT_UTF8: {
    stage: 'archive',
    severity: 'error',
    hint: 'Name files with UTF-8 names, then re-pack.',
  },
  ZIP_NAME_TOO_LONG: { stage: 'archive', severity: 'error', hint: 'Use shorter file and folder names.' },
  ZIP_SYMLINK: { stage: 'archive', severity: 'error', hint: 'Replace links by the files they point to.' },
  ZIP_SPECIAL_FILE: { stage: 'archive', severity: 'error', hint: 'Only regular files belong in a delivery.' },
  ZIP_DUPLICATE_NAME: { stage: 'archive', severity: 'error', hint: ZIP_HINT },
  ZIP_CASE_COLLISION: {
    stage: 'archive',
    severity: 'error',
    hint: 'Rename files so that no two names differ only by case.',
  },
  ZIP_ENCRYPTED: { stage: 'archive', severity: 'error', hint: 'Pack the delivery without a password.' },
  ZIP_UNSUPPORTED_METHOD: {
    stage: 'archive',
    severity: 'error',
    hint: 'Pack with the deflate or store method (`shazam pack` does).',
  },
  ZIP_ENTRY_TOO_LARGE: { stage: 'archive', severity: 'error', hint: 'Reduce the size of that file.' },
  ZIP_TOTAL_TOO_LARGE: {
    stage: 'archive',
    severity: 'error',
    hint: 'Reduce the total size of the delivery.',
  },
  ZIP_COMPRESSION_RATIO: {
    stage: 'archive',
    severity: 'error',
    hint: 'That entry expands far beyond any real asset; re-pack the delivery.',
  },
  ZIP_SIZE_MISMATCH: { stage: 'archive', severity: 'error', hint: ZIP_HINT },
  ZIP_CRC_MISMATCH: { stage: 'archive', severity: 'error', hint: 'The ZIP is damaged; upload it again.' },
  ZIP_OVERLAPPING_ENTRIES: { stage: 'archive', severity: 'error', hint: ZIP_HINT },
  ZIP_NESTED_ARCHIVE: {
    stage: 'archive',
    severity: 'error',
    hint: 'Put the files themselves in the delivery, not an archive inside it.',
  },
  ZIP_PATH_TOO_DEEP: {
    stage: 'archive',
    severity: 'error',
    hint: 'Use the flat layout of the delivery contract.',
  },
  ZIP_PATH_CONFLICT: {
    stage: 'archive',
    severity: 'error',
    hint: 'A file and a folder cannot share a name: rename the file (or the folder), then re-pack.',
  },
  ZIP_HEADERS_DISAGREE: {
    stage: 'archive',
    severity: 'error',
    hint: 'Other unzip tools would see different files than the ones checked. Re-pack the delivery with `shazam pack` or an ordinary ZIP tool.',
  },
  DIR_SYMLINK: { stage: 'archive', severity: 'error', hint: 'Replace links by the files they point to.' },
  STRUCTURE_MODEL_MISSING: {
    stage: 'structure',
    severity: 'error',
    hint: 'Put the textured model at model/<ASIN>.glb.',
  },
  STRUCTURE_UNEXPECTED_FILE: {
    stage: 'structure',
    severity: 'warning',
    hint: 'Remove files outside manifest.yaml, model/, source/ and references/ (they are not stored).',
  },
  STRUCTURE_EXTRA_MODEL: {
    stage: 'structure',
    severity: 'error',
    hint: 'Deliver exactly one model: model/<ASIN>.glb.',
  },
  MANIFEST_INVALID: { stage: 'structure', severity: 'error', hint: 'Fix manifest.yaml as the message says.' },
  MANIFEST_ASIN_MISMATCH: {
    stage: 'structure',
    severity: 'error',
    hint: 'The ASIN in manifest.yaml must equal spec.asin of the AssetSubmission.',
  },
  MANIFEST_REVISION_MISMATCH: {
    stage: 'structure',
    severity: 'error',
    hint: 'The revision in manifest.yaml must equal spec.revision of the AssetSubmission.',
  },
  MANIFEST_STAGES_MISMATCH: {
    stage: 'structure',
    severity: 'warning',
    hint: 'List the same stages in manifest.yaml as in spec.stages.',
  },
  GLTF_UNREADABLE: {
    stage: 'gltf',
    severity: 'error',
    hint: 'Re-export the model as GLB from your DCC tool; check it with the Khronos glTF-Validator.',
  },
  GLTF_MODEL_TOO_LARGE: {
    stage: 'gltf',
    severity: 'error',
    hint: 'Reduce the model: decimate meshes, resize textures (storefronts take 15 MB at most).',
  },
  GLTF_JSON_TOO_LARGE: {
    stage: 'gltf',
    severity: 'error',
    hint: 'Export a binary GLB: buffers and images belong in its binary chunk, not in data: URIs in the JSON.',
  },
  GLTF_JSON_TOO_DEEP: {
    stage: 'gltf',
    severity: 'error',
    hint: 'Re-export the model without the deeply nested custom data (extras or extensions).',
  },
  GLTF_DECLARED_TOO_LARGE: {
    stage: 'gltf',
    severity: 'error',
    hint: 'The model declares more data than the policy allows: reduce it, or fix the sizes its exporter wrote.',
  },
  VALIDATION_ABORTED: {
    stage: 'delivery',
    severity: 'error',
    hint: 'The delivery broke the checks themselves, so it cannot be accepted. Re-export the model and re-pack the ZIP with ordinary tools; if it persists, send the ZIP to the pipeline team.',
  },
  GLTF_REPORT_TRUNCATED: {
    stage: 'gltf',
    severity: 'error',
    hint: 'The model has more issues than the validator reports; fix the reported ones and re-run.',
  },
  CLEANUP_TRIANGLE_BUDGET: { stage: 'cleanup', severity: 'error', hint: 'Decimate the mesh to the budget.' },
  CLEANUP_VERTEX_BUDGET: { stage: 'cleanup', severity: 'error', hint: 'Decimate or weld the mesh.' },
  CLEANUP_DEGENERATE_TRIANGLES: {
    stage: 'cleanup',
    severity: 'error',
    hint: 'Merge by distance / delete degenerate faces in your DCC tool.',
  },
  CLEANUP_UNUSED_DATA: {
    stage: 'cleanup',
    severity: 'warning',
    hint: 'Delete unused meshes, materials, textures and accessors (glTF-Transform `prune`).',
  },
  CLEANUP_LOOSE_GEOMETRY: {
    stage: 'cleanup',
    severity: 'warning',
    hint: 'Delete loose vertices that no triangle uses.',
  },
  CLEANUP_NOT_TRIANGLES: {
    stage: 'cleanup',
    severity: 'warning',
    hint: 'Deliver triangle meshes; points and lines are not shown on storefronts.',
  },
  CLEANUP_EMPTY_SCENE: {
    stage: 'cleanup',
    severity: 'error',
    hint: 'Export the scene with the product mesh in it.',
  },
  CLEANUP_SCALE: {
    stage: 'cleanup',
    severity: 'error',
    hint: 'Model in metres (1 unit = 1 m) at the real size of the product.',
  },
  CLEANUP_ORIGIN: {
    stage: 'cleanup',
    severity: 'error',
    hint: 'Move the model so that the origin is at the centre of its base (bottom centre, +Y up).',
  },
  CLEANUP_STRAY_TRANSFORM: {
    stage: 'cleanup',
    severity: 'warning',
    hint: 'Apply (freeze) transforms so nodes carry no rotation or scale.',
  },
  CLEANUP_MIRRORED_TRANSFORM: {
    stage: 'cleanup',
    severity: 'error',
    hint: 'Apply the negative scale and fix the flipped normals.',
  },
  CLEANUP_NAMES: {
    stage: 'cleanup',
    severity: 'info',
    hint: 'Name meshes, materials and textures with a-z 0-9 _ -, starting with a letter.',
  },
  UV_MISSING_TEXCOORD: {
    stage: 'uv',
    severity: 'error',
    hint: 'Unwrap the mesh: a textured primitive needs TEXCOORD_0.',
  },
  UV_OUT_OF_RANGE: {
    stage: 'uv',
    severity: 'warning',
    hint: 'Keep UVs within 0–1 unless the texture is meant to tile.',
  },
  UV_ZERO_AREA: {
    stage: 'uv',
    severity: 'error',
    hint: 'Re-unwrap: too many triangles have zero UV area (collapsed UVs).',
  },
  TEXTURING_NO_MATERIAL: {
    stage: 'texturing',
    severity: 'error',
    hint: 'Assign a metallic-roughness PBR material to every primitive.',
  },
  TEXTURING_NOT_PBR: {
    stage: 'texturing',
    severity: 'error',
    hint: 'Use the metallic-roughness workflow (not specular-glossiness or unlit).',
  },
  TEXTURING_NO_BASE_COLOR: {
    stage: 'texturing',
    severity: 'error',
    hint: 'Set a base colour texture or factor on the material.',
  },
  TEXTURING_IMAGE_UNDECODABLE: {
    stage: 'texturing',
    severity: 'error',
    hint: 'Re-save the texture as PNG, JPEG or WebP.',
  },
  TEXTURING_IMAGE_MISSING: {
    stage: 'texturing',
    severity: 'error',
    hint: 'Embed the texture in the GLB (export as glTF Binary).',
  },
  TEXTURING_TEXTURE_TOO_LARGE: {
    stage: 'texturing',
    severity: 'error',
    hint: 'Resize the texture to the policy maximum.',
  },
  TEXTURING_NOT_POWER_OF_TWO: {
    stage: 'texturing',
    severity: 'warning',
    hint: 'Resize the texture to a power of two (512, 1024, 2048).',
  },
  TEXTURING_COLOR_SPACE: {
    stage: 'texturing',
    severity: 'warning',
    hint: 'Save colour textures (base colour, emissive) as sRGB and data textures (normal, ORM) as linear without an ICC profile.',
  },
  TEXTURING_BASE_COLOR_LUMINANCE: {
    stage: 'texturing',
    severity: 'warning',
    hint: 'Keep base colour values between 30 and 243 sRGB (no pure black or white).',
  },
  TEXTURING_TEXTURE_MEMORY: {
    stage: 'texturing',
    severity: 'error',
    hint: 'Reduce texture sizes or count: GPU memory exceeds the policy.',
  },
  REFERENCES_TOO_FEW: {
    stage: 'references',
    severity: 'error',
    hint: 'Add reference photos as references/*.jpg.',
  },
  REFERENCES_UNDECODABLE: {
    stage: 'references',
    severity: 'error',
    hint: 'Re-save the photo as a baseline JPEG.',
  },
  REFERENCES_TOO_SMALL: {
    stage: 'references',
    severity: 'error',
    hint: 'Deliver reference photos at least as large as the policy minimum.',
  },
  REFERENCES_NOT_JPEG: {
    stage: 'references',
    severity: 'error',
    hint: 'References must be JPEG files named *.jpg or *.jpeg.',
  },
  SOURCE_OBJ_INVALID: {
    stage: 'structure',
    severity: 'warning',
    hint: 'Re-export the cleaned scan mesh as OBJ, or leave source/ out.',
  },
  INGEST_REVISION_EXISTS: {
    stage: 'ingest',
    severity: 'error',
    hint: 'This revision is already stored with a different delivery; bump spec.revision and manifest.yaml.',
  },
} as const satisfies Record<string, CodeInfo>;

/**
 * Codes a policy's `severities` cannot soften: each means the checks could not run on the delivery (or
 * on its model), so a delivery that raised one has not been judged and must not pass.
 */
export const FIXED_SEVERITY_CODES: ReadonlySet<string> = new Set([
  'VALIDATION_ABORTED',
  'GLTF_MODEL_TOO_LARGE',
  'GLTF_JSON_TOO_LARGE',
  'GLTF_JSON_TOO_DEEP',
  'GLTF_DECLARED_TOO_LARGE',
]);

/** A code of {@link FINDING_CODES}. */
export type FindingCode = keyof typeof FINDING_CODES;

/** Builds a finding from the catalogue; `severity` overrides the default (e.g. from policy). */
export function finding(
  code: FindingCode,
  message: string,
  location?: FindingLocation,
  severity?: Severity,
): Finding {
  const info: CodeInfo = FINDING_CODES[code];
  const result: Finding = {
    code,
    severity: severity ?? info.severity,
    stage: info.stage,
    message,
    hint: info.hint,
  };
  if (location) result.location = location;
  return result;
}

/** Formats a location as `file#pointer (name)` for one-line output. */
export function formatLocation(location: FindingLocation | undefined): string | undefined {
  if (!location) return undefined;
  let text = location.file ?? '';
  if (location.pointer) text += `#${location.pointer}`;
  if (location.name) text += text ? ` (${location.name})` : location.name;
  return text || undefined;
}
