import { readFile } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { type Finding, finding } from '../findings.ts';
import type { ReferencesPolicy } from '../policy/policy.ts';

/** One reference photo as the report lists it. */
export interface ReferenceStats {
  name: string;
  width: number;
  height: number;
  bytes: number;
}

/** A file of the delivery: its name inside the delivery and where it lies on disk. */
export interface DeliveryFile {
  name: string;
  path: string;
  bytes: number;
}

/**
 * The reference photos under `references/`: at least the policy minimum of them, each a JPEG that decodes
 * and whose shorter side is at least the policy minimum.
 */
export async function checkReferences(
  references: DeliveryFile[],
  policy: ReferencesPolicy,
): Promise<{ findings: Finding[]; stats: ReferenceStats[] }> {
  const findings: Finding[] = [];
  const stats: ReferenceStats[] = [];
  for (const file of references) {
    const location = { file: file.name };
    if (!/\.jpe?g$/i.test(file.name)) {
      findings.push(finding('REFERENCES_NOT_JPEG', `${file.name} is not a .jpg file.`, location));
      continue;
    }
    let metadata: Metadata;
    try {
      const bytes = await readFile(file.path);
      metadata = await sharp(bytes).metadata();
      if (metadata.format !== 'jpeg') throw new Error(`it is ${metadata.format ?? 'not an image'}, not JPEG`);
      // Decoding the pixels, not only the header, catches truncated files.
      await sharp(bytes).resize(8, 8).raw().toBuffer();
    } catch (error) {
      findings.push(
        finding(
          'REFERENCES_UNDECODABLE',
          `${file.name} does not decode as JPEG: ${(error as Error).message}.`,
          location,
        ),
      );
      continue;
    }
    const width = metadata.width ?? 0;
    const height = metadata.height ?? 0;
    stats.push({ name: file.name, width, height, bytes: file.bytes });
    if (Math.min(width, height) < policy.minShortSide) {
      findings.push(
        finding(
          'REFERENCES_TOO_SMALL',
          `${file.name} is ${width}×${height}; its shorter side must be at least ${policy.minShortSide} px.`,
          location,
        ),
      );
    }
  }
  if (stats.length < policy.minCount) {
    findings.push(
      finding(
        'REFERENCES_TOO_FEW',
        `${stats.length} usable reference photo(s) under references/; at least ${policy.minCount} required.`,
      ),
    );
  }
  return { findings, stats };
}
