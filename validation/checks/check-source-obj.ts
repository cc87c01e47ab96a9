import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Finding, finding } from '../findings.ts';

/** Counts of a parsed OBJ file. */
export interface ObjStats {
  vertices: number;
  faces: number;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Parses the optional cleaned scan mesh `source/<ASIN>.obj` line by line (streamed: scans can be large):
 * vertices need three numbers, faces at least three indices that refer to existing vertices, and the file
 * needs at least one face. Problems are warnings: the source mesh is kept for the record, not published.
 */
export async function checkSourceObj(
  path: string,
  name: string,
): Promise<{ findings: Finding[]; stats?: ObjStats }> {
  let vertices = 0;
  let faces = 0;
  let lineNumber = 0;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNumber++;
    const parts = line.trim().split(/\s+/);
    const keyword = parts[0];
    if (keyword === 'v') {
      const coordinates = parts.slice(1, 4);
      if (coordinates.length < 3 || !coordinates.every((value) => NUMBER.test(value))) {
        return invalid(name, lineNumber, 'a vertex needs three numbers');
      }
      vertices++;
    } else if (keyword === 'f') {
      const corners = parts.slice(1);
      if (corners.length < 3) return invalid(name, lineNumber, 'a face needs at least three corners');
      for (const corner of corners) {
        const index = Number.parseInt(corner.split('/')[0] ?? '', 10);
        const resolved = index < 0 ? vertices + index + 1 : index;
        if (!Number.isInteger(index) || index === 0 || resolved < 1 || resolved > vertices) {
          return invalid(name, lineNumber, `face corner "${corner}" refers to no vertex`);
        }
      }
      faces++;
    }
  }
  if (faces === 0) return invalid(name, lineNumber, 'the file has no faces');
  return { findings: [], stats: { vertices, faces } };
}

function invalid(name: string, line: number, reason: string): { findings: Finding[] } {
  return { findings: [finding('SOURCE_OBJ_INVALID', `${name} line ${line}: ${reason}.`, { file: name })] };
}
