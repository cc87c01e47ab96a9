import { isMap, parseDocument } from 'yaml';
import type { Stage } from '../../crds/api.ts';
import { API_VERSION } from '../../crds/api.ts';
import { CLIENT_ERROR_CODES, ClientError } from './errors.ts';

/** Product fields an artist may set from the command line; unset fields keep what the file says. */
export interface ProductFields {
  title?: string;
  brand?: string;
  tags?: string[];
  description?: string;
}

/** Everything the GitOps manifest of one submission revision needs. */
export interface SubmissionManifestInput {
  name: string;
  namespace?: string;
  asin: string;
  revision: number;
  artist?: string;
  stages: Stage[];
  delivery: { uri: string; sha256: string };
  product: ProductFields;
}

/** The default object name of an ASIN's submission: the ASIN in lower case (a valid DNS label). */
export function submissionName(asin: string): string {
  return asin.toLowerCase();
}

/**
 * Writes the AssetSubmission manifest for a new revision. With `existing` (the file already in the GitOps
 * repository) it edits that document in place, keeping comments, key order and the product fields not
 * given, so the commit diff shows only what changed: the revision, the delivery and what the artist set.
 *
 * Throws a ClientError `gitopsInvalid` when the existing file is not an AssetSubmission of the same ASIN,
 * or when it would move the revision backwards.
 */
export function renderSubmissionManifest(input: SubmissionManifestInput, existing?: string): string {
  const document = parseDocument(existing ?? '{}');
  if (document.errors.length > 0) {
    throw new ClientError(
      CLIENT_ERROR_CODES.gitopsInvalid,
      `the existing manifest is not valid YAML: ${document.errors[0]?.message}`,
    );
  }
  if (existing !== undefined) {
    const kind = document.get('kind');
    const asin = document.getIn(['spec', 'asin']);
    const revision = document.getIn(['spec', 'revision']);
    if (kind !== 'AssetSubmission') {
      throw new ClientError(
        CLIENT_ERROR_CODES.gitopsInvalid,
        `the existing manifest is a ${String(kind)}, not an AssetSubmission`,
      );
    }
    if (asin !== input.asin) {
      throw new ClientError(
        CLIENT_ERROR_CODES.gitopsInvalid,
        `the existing manifest is for ASIN ${String(asin)}, not ${input.asin}; the ASIN of a submission never changes, use another --name`,
      );
    }
    if (typeof revision === 'number' && revision > input.revision) {
      throw new ClientError(
        CLIENT_ERROR_CODES.gitopsInvalid,
        `the existing manifest is already at revision ${revision}; submit revision ${revision + 1} or later`,
      );
    }
  } else {
    document.set('apiVersion', API_VERSION);
    document.set('kind', 'AssetSubmission');
    document.setIn(['metadata', 'name'], input.name);
    if (input.namespace !== undefined) document.setIn(['metadata', 'namespace'], input.namespace);
    document.setIn(['spec', 'asin'], input.asin);
  }
  document.setIn(['spec', 'revision'], input.revision);
  if (input.artist !== undefined) document.setIn(['spec', 'artist'], input.artist);
  const product = input.product;
  if (product.title !== undefined) document.setIn(['spec', 'product', 'title'], product.title);
  if (product.brand !== undefined) document.setIn(['spec', 'product', 'brand'], product.brand);
  if (product.tags !== undefined)
    document.setIn(['spec', 'product', 'tags'], document.createNode(product.tags));
  if (product.description !== undefined)
    document.setIn(['spec', 'product', 'description'], product.description);
  if (!isMap(document.getIn(['spec', 'product'])))
    document.setIn(['spec', 'product'], document.createNode({}));
  const missing = [
    document.getIn(['spec', 'artist']) === undefined
      ? 'artist (--artist, or artist in manifest.yaml)'
      : undefined,
    document.getIn(['spec', 'product', 'title']) === undefined ? 'product title (--title)' : undefined,
    document.getIn(['spec', 'product', 'brand']) === undefined ? 'product brand (--brand)' : undefined,
  ].filter((field) => field !== undefined);
  if (missing.length > 0) {
    throw new ClientError(
      CLIENT_ERROR_CODES.gitopsInvalid,
      `the submission needs ${missing.join(', ')}; search and QA rely on them`,
    );
  }
  document.setIn(
    ['spec', 'delivery'],
    document.createNode({ uri: input.delivery.uri, sha256: input.delivery.sha256 }),
  );
  document.setIn(['spec', 'stages'], document.createNode(input.stages));
  return document.toString({ lineWidth: 0 });
}
