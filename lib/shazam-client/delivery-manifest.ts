import { parse } from 'yaml';
import { STAGES, type Stage } from '../../crds/api.ts';
import { CLIENT_ERROR_CODES, ClientError } from './errors.ts';

/** What `manifest.yaml` at the root of a delivery says about it. */
export interface DeliveryManifest {
  asin: string;
  revision: number;
  artist?: string;
  stages: Stage[];
  notes?: string;
}

const ASIN = /^[A-Z0-9]{10}$/;

function invalid(source: string, problem: string): ClientError {
  return new ClientError(CLIENT_ERROR_CODES.manifestInvalid, `${source}: ${problem}`);
}

/**
 * Parses and checks a delivery's `manifest.yaml`. Only the fields the CLI needs are checked here (the
 * validation Job checks the whole delivery); each problem names the field and the expected form.
 *
 * @param text the YAML text
 * @param source how to name the file in messages, e.g. `deliveries/B0CHAIR001/manifest.yaml`
 */
export function parseDeliveryManifest(text: string, source: string): DeliveryManifest {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw invalid(source, `is not valid YAML (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw invalid(source, 'must be a YAML mapping with asin, revision, artist and stages');
  }
  const fields = document as Record<string, unknown>;
  const { asin, revision, artist, stages, notes } = fields;
  if (typeof asin !== 'string' || !ASIN.test(asin)) {
    throw invalid(
      source,
      `asin must be 10 characters A-Z 0-9 (e.g. B0CHAIR001), got ${JSON.stringify(asin)}`,
    );
  }
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1) {
    throw invalid(source, `revision must be a whole number ≥ 1, got ${JSON.stringify(revision)}`);
  }
  if (artist !== undefined && typeof artist !== 'string') {
    throw invalid(source, 'artist must be a string');
  }
  const stageList = stages ?? [];
  if (!Array.isArray(stageList) || !stageList.every((stage) => STAGES.includes(stage as Stage))) {
    throw invalid(
      source,
      `stages must be a list drawn from ${STAGES.join(', ')}, got ${JSON.stringify(stages)}`,
    );
  }
  if (notes !== undefined && typeof notes !== 'string') throw invalid(source, 'notes must be a string');
  return {
    asin,
    revision,
    stages: stageList as Stage[],
    ...(artist !== undefined ? { artist } : {}),
    ...(notes !== undefined ? { notes } : {}),
  };
}
