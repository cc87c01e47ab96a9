import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  type ScalarTag,
  type Tags,
} from 'yaml';

/** One YAML document of a manifest file, with what is needed to point at its lines. */
export interface SourceDocument {
  /** The parsed value (undefined for an empty document). */
  value: unknown;
  /** 1-based line where the document's content starts. */
  line: number;
  /** 1-based line of the node at a field path such as `spec.stages[1]`; the nearest existing parent's line otherwise. */
  lineOf(field: string): number;
  /** The source text of the scalar at a field path, when that node is a plain (unquoted) scalar. */
  plainScalarAt(field: string): string | undefined;
}

/** A YAML syntax error, at a 1-based line. */
export interface SyntaxProblem {
  line: number;
  message: string;
}

/** Splits a field path into keys and indexes: `spec.stages[1]` → `['spec', 'stages', 1]`. */
export function fieldSegments(field: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const match of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[1] !== undefined) segments.push(match[1]);
  }
  return segments;
}

function walk(doc: Document, field: string): { offset: number; node: Node | null; complete: boolean } {
  let node = doc.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (const segment of fieldSegments(field)) {
    if (typeof segment === 'number' && isSeq(node)) {
      const item = node.items[segment] as Node | undefined;
      if (!item) return { offset, node, complete: false };
      node = item;
      offset = item.range?.[0] ?? offset;
    } else if (isMap(node)) {
      const pair = node.items.find(
        (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment),
      );
      if (!pair) return { offset, node, complete: false };
      offset = (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? offset;
      node = pair.value as Node | null;
    } else {
      return { offset, node, complete: false };
    }
  }
  return { offset, node, complete: true };
}

const FLOAT_TAG = 'tag:yaml.org,2002:float';
/** go-yaml v2's float syntax: a digit is required, no underscores (`e1` and `.` are strings). */
const GO_YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** Go's `0o17` octal form, which go-yaml v2 reads as an integer through strconv.ParseInt. */
const GO_YAML_OCTAL_O = /^[-+]?0o[0-7_]+$/;
const GO_OCTAL_O: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  format: 'OCT',
  test: GO_YAML_OCTAL_O,
  resolve: (source: string) => {
    const sign = source.startsWith('-') ? -1 : 1;
    return sign * Number.parseInt(source.replace(/^[-+]?0o/, '').replace(/_/g, ''), 8);
  },
};

/**
 * The YAML 1.1 tags as go-yaml v2 (which kubectl and the apiserver use) resolves plain scalars: the `yaml`
 * package's 1.1 schema also reads sexagesimal numbers (`1:20` → 80), timestamps and mantissa-less
 * exponents (`e1` → NaN), none of which go-yaml does; those stay strings here as they do for kubectl.
 * Go's `0o17` octal is added.
 */
function kubectlTags(tags: Tags): Tags {
  const out: Tags = [];
  let floatAdded = false;
  for (const tag of tags) {
    if (typeof tag === 'string') {
      out.push(tag);
      continue;
    }
    if (tag.format === 'TIME' || tag.tag === 'tag:yaml.org,2002:timestamp') continue;
    const isFiniteFloat =
      tag.tag === FLOAT_TAG && 'test' in tag && tag.test && !tag.test.source.includes('inf');
    if (tag.tag === 'tag:yaml.org,2002:int' && tag.format === 'OCT') {
      out.push(tag, GO_OCTAL_O);
    } else if (!isFiniteFloat) {
      out.push(tag);
    } else if (!floatAdded) {
      out.push({ ...tag, format: undefined, test: GO_YAML_FLOAT });
      floatAdded = true;
    }
  }
  return out;
}

/**
 * Parses a multi-document YAML file the way kubectl reads manifests: YAML 1.1, so an unquoted `yes`, `no`,
 * `on`, `off`, `y` or `n` is a boolean, as it is for the apiserver.
 */
export function parseManifestFile(text: string): { documents: SourceDocument[]; syntax: SyntaxProblem[] } {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, {
    lineCounter,
    version: '1.1',
    customTags: kubectlTags,
    prettyErrors: false,
  });
  const docs = Array.isArray(parsed) ? parsed : [];
  const syntax: SyntaxProblem[] = [];
  const documents: SourceDocument[] = [];
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  if (!Array.isArray(parsed)) {
    syntax.push({ line: 1, message: 'not a YAML stream' });
  }
  for (const doc of docs) {
    const [error] = doc.errors;
    if (error) {
      // Later errors in the same document mostly follow from the first one.
      syntax.push({ line: lineAt(error.pos[0]), message: error.message.split('\n')[0] ?? error.message });
      continue;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    // An empty document (`---` with nothing after it) is no object; kubectl skips it too.
    if (doc.contents === null || value === null || value === undefined) continue;
    documents.push({
      value,
      line: lineAt(doc.contents.range?.[0] ?? 0),
      lineOf: (field) => lineAt(walk(doc, field).offset),
      plainScalarAt: (field) => {
        const { node, complete } = walk(doc, field);
        if (!complete || !isScalar(node) || node.type !== 'PLAIN') return undefined;
        return node.source;
      },
    });
  }
  return { documents, syntax };
}
