import { Document, isMap, isScalar, isSeq, parseDocument, Scalar, stringify } from 'yaml';
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

/** One value to write at a path of the manifest. */
interface Edit {
  path: string[];
  value: string | number | string[];
}

/** The edits a revision makes: what the artist gave, the revision, the delivery and the stages. */
function revisionEdits(input: SubmissionManifestInput): Edit[] {
  const { product } = input;
  const edits: (Edit | undefined)[] = [
    { path: ['spec', 'revision'], value: input.revision },
    input.artist !== undefined ? { path: ['spec', 'artist'], value: input.artist } : undefined,
    product.title !== undefined ? { path: ['spec', 'product', 'title'], value: product.title } : undefined,
    product.brand !== undefined ? { path: ['spec', 'product', 'brand'], value: product.brand } : undefined,
    product.tags !== undefined ? { path: ['spec', 'product', 'tags'], value: product.tags } : undefined,
    product.description !== undefined
      ? { path: ['spec', 'product', 'description'], value: product.description }
      : undefined,
    { path: ['spec', 'delivery', 'uri'], value: input.delivery.uri },
    { path: ['spec', 'delivery', 'sha256'], value: input.delivery.sha256 },
    { path: ['spec', 'stages'], value: input.stages },
  ];
  return edits.filter((edit) => edit !== undefined);
}

/** A string as one YAML scalar in the style the file used for the value it replaces. */
function scalarText(value: string | number, style: Scalar['type']): string | undefined {
  if (typeof value === 'number') return String(value);
  if (style === Scalar.QUOTE_DOUBLE) return JSON.stringify(value);
  if (style === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  if (style === Scalar.PLAIN || style === undefined) return stringify(value, { lineWidth: 0 }).trimEnd();
  return undefined;
}

/**
 * Applies `edits` to the text of an existing manifest by replacing only the characters of each value that
 * changes, found through the parsed document's source ranges, so every other byte of the file (comments,
 * spacing, quoting, folded text, key order) stays as the artist wrote it. Returns undefined when an edit
 * needs a new key or a change of shape (a block list, a block scalar), which only a re-render can do.
 */
function editInPlace(source: string, document: Document, edits: Edit[]): string | undefined {
  const splices: { start: number; end: number; text: string }[] = [];
  for (const edit of edits) {
    const node = document.getIn(edit.path, true);
    if (node === undefined) return undefined;
    const current: unknown = document.getIn(edit.path);
    const same = JSON.stringify(isSeq(current) ? current.toJSON() : current) === JSON.stringify(edit.value);
    if (same) continue;
    let text: string | undefined;
    if (isScalar(node) && !Array.isArray(edit.value)) text = scalarText(edit.value, node.type);
    else if (isSeq(node) && node.flow && Array.isArray(edit.value)) {
      const items = edit.value.map((item) => scalarText(item, Scalar.PLAIN));
      text = `[${items.join(', ')}]`;
    }
    const range = (node as { range?: [number, number, number] }).range;
    if (text === undefined || !range) return undefined;
    splices.push({ start: range[0], end: range[1], text });
  }
  let result = source;
  for (const splice of splices.sort((a, b) => b.start - a.start)) {
    result = result.slice(0, splice.start) + splice.text + result.slice(splice.end);
  }
  return result;
}

function checkExisting(document: Document, input: SubmissionManifestInput): void {
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
}

function checkRequired(document: Document): void {
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
}

/**
 * Writes the AssetSubmission manifest for a new revision.
 *
 * A new manifest is block YAML, one field a line, in the order people read it. With `existing` (the file
 * already in the GitOps repository) only the values that change are rewritten, in place: comments,
 * spacing, quoting, key order and the product fields not given stay byte for byte, so the commit diff
 * shows only what changed. Where a change needs a new key (say a first `--description`) the document is
 * re-rendered through the yaml Document API, which keeps comments and key order.
 *
 * Throws a ClientError `gitopsInvalid` when the existing file is not an AssetSubmission of the same ASIN,
 * when it would move the revision backwards, or when a field the CRD requires is missing.
 */
export function renderSubmissionManifest(input: SubmissionManifestInput, existing?: string): string {
  const edits = revisionEdits(input);
  if (existing === undefined) {
    const document = new Document({
      apiVersion: API_VERSION,
      kind: 'AssetSubmission',
      metadata: {
        name: input.name,
        ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
      },
      spec: { asin: input.asin, revision: input.revision },
    }) as Document;
    for (const edit of edits) {
      document.setIn(edit.path, document.createNode(edit.value));
    }
    if (!isMap(document.getIn(['spec', 'product'])))
      document.setIn(['spec', 'product'], document.createNode({}));
    checkRequired(document);
    return document.toString({ lineWidth: 0 });
  }
  const document = parseDocument(existing);
  if (document.errors.length > 0) {
    throw new ClientError(
      CLIENT_ERROR_CODES.gitopsInvalid,
      `the existing manifest is not valid YAML: ${document.errors[0]?.message}`,
    );
  }
  checkExisting(document, input);
  checkRequired(document);
  const inPlace = editInPlace(existing, document, edits);
  if (inPlace !== undefined) return inPlace;
  for (const edit of edits) {
    const node = document.getIn(edit.path, true);
    const flow = isSeq(node) ? node.flow === true : false;
    document.setIn(
      edit.path,
      Array.isArray(edit.value) ? document.createNode(edit.value, { flow }) : edit.value,
    );
  }
  checkRequired(document);
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
