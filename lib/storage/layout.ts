/**
 * The S3 object layout of SHAZAM: every key any program reads or writes is built here, so the
 * validation Job, the operator, the renderer and the search API cannot disagree on where things live.
 *
 * @example
 * ```ts
 * versionKeys('B0CHAIR001', 3).model // 'assets/B0CHAIR001/versions/3/model.glb'
 * ```
 */

/** Key prefix of everything stored for one ASIN. */
export function assetPrefix(asin: string): string {
  return `assets/${asin}/`;
}

/** Key prefix of one version of an asset (ends with a slash). */
export function versionPrefix(asin: string, revision: number): string {
  return `${assetPrefix(asin)}versions/${revision}/`;
}

/** Key prefix under which all versions of an asset live (ends with a slash). */
export function versionsPrefix(asin: string): string {
  return `${assetPrefix(asin)}versions/`;
}

/** The artist's upload of a delivery ZIP. */
export function incomingKey(asin: string, revision: number): string {
  return `incoming/${asin}/r${revision}.zip`;
}

/** The published pointer of an asset, written last in a single PUT. */
export function publishedKey(asin: string): string {
  return `${assetPrefix(asin)}published.json`;
}

/** The compact validation result of one delivery (written whether it passed or failed). */
export function validationResultKey(asin: string, revision: number, sha256: string): string {
  return `${assetPrefix(asin)}validation/r${revision}-${sha256.slice(0, 16)}.json`;
}

/**
 * The full validation report of a delivery that failed (`validation.json` form, every finding), next to
 * its compact result. A passed delivery's report lives in its version instead (`versionKeys().report`):
 * nothing is written under `versions/<rev>/` for a failed one.
 */
export function validationReportKey(asin: string, revision: number, sha256: string): string {
  return `${assetPrefix(asin)}validation/r${revision}-${sha256.slice(0, 16)}.report.json`;
}

/** Zero-padded file name of turntable frame `index` (three digits, or more past 999). */
export function frameFileName(index: number, extension = 'webp'): string {
  return `${String(index).padStart(3, '0')}.${extension}`;
}

/** Every key of one version. */
export interface VersionKeys {
  prefix: string;
  model: string;
  webModel: string;
  /** The USDZ of the web model, for AR Quick Look on iOS. */
  arModel: string;
  referencesPrefix: string;
  report: string;
  /** `repair.json`: present only in a repaired candidate, naming its source delivery and every change. */
  repairProvenance: string;
  complete: string;
  rendersPrefix: string;
  framesPrefix: string;
  poster: string;
  renderManifest: string;
  descriptors: string;
}

/** Builds the keys of one version of an asset. */
export function versionKeys(asin: string, revision: number): VersionKeys {
  const prefix = versionPrefix(asin, revision);
  const rendersPrefix = `${prefix}renders/`;
  return {
    prefix,
    model: `${prefix}model.glb`,
    webModel: `${prefix}model.web.glb`,
    arModel: `${prefix}model.usdz`,
    referencesPrefix: `${prefix}references/`,
    report: `${prefix}validation.json`,
    repairProvenance: `${prefix}repair.json`,
    complete: `${prefix}complete.json`,
    rendersPrefix,
    framesPrefix: `${rendersPrefix}360/`,
    poster: `${rendersPrefix}poster.webp`,
    renderManifest: `${rendersPrefix}manifest.json`,
    descriptors: `${rendersPrefix}descriptors.json`,
  };
}

/**
 * Parses the revision out of a key under `versionsPrefix(asin)`, or returns undefined when the key is
 * not inside a version folder.
 */
export function revisionOfKey(asin: string, key: string): number | undefined {
  const prefix = versionsPrefix(asin);
  if (!key.startsWith(prefix)) return undefined;
  const segment = key.slice(prefix.length).split('/', 1)[0] ?? '';
  if (!/^[1-9][0-9]*$/.test(segment)) return undefined;
  return Number(segment);
}
