import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeliveryFile } from '../checks/check-references.ts';
import { type Finding, finding } from '../findings.ts';
import type { ArchivePolicy } from '../policy/policy.ts';
import { checkEntryName, collisionKey } from './check-entry-name.ts';

/**
 * Lists an unpacked delivery folder (what an artist checks before packing) under the same rules as a ZIP:
 * no symlinks or special files, safe names, no case collisions, entry and total caps. Nothing is copied.
 */
export async function listDirectory(
  root: string,
  policy: ArchivePolicy,
): Promise<{ files: DeliveryFile[]; findings: Finding[] }> {
  const files: DeliveryFile[] = [];
  const findings: Finding[] = [];
  const folded = new Map<string, string>();
  let total = 0;
  let entries = 0;
  const walk = async (folder: string, prefix: string): Promise<boolean> => {
    const names = (await readdir(folder)).sort();
    for (const entry of names) {
      const name = `${prefix}${entry}`;
      const path = join(folder, entry);
      const stat = await lstat(path);
      if (++entries > policy.maxEntries) {
        findings.push(
          finding('ZIP_TOO_MANY_ENTRIES', `The folder holds more than ${policy.maxEntries} entries.`),
        );
        return false;
      }
      if (stat.isSymbolicLink()) {
        findings.push(finding('DIR_SYMLINK', `${name} is a symbolic link.`, { file: name }));
        continue;
      }
      const problem = checkEntryName(stat.isDirectory() ? `${name}/` : name, Buffer.byteLength(name), policy);
      if (problem) {
        findings.push(finding(problem.code, `"${name}" is rejected: ${problem.reason}.`, { file: name }));
        continue;
      }
      const other = folded.get(collisionKey(name));
      if (other !== undefined) {
        findings.push(
          finding('ZIP_CASE_COLLISION', `"${name}" and "${other}" differ only by case or normalisation.`, {
            file: name,
          }),
        );
        continue;
      }
      folded.set(collisionKey(name), name);
      if (stat.isDirectory()) {
        if (!(await walk(path, `${name}/`))) return false;
      } else if (stat.isFile()) {
        if (stat.size > policy.maxEntryBytes) {
          findings.push(
            finding(
              'ZIP_ENTRY_TOO_LARGE',
              `${name} is ${stat.size} bytes; the limit is ${policy.maxEntryBytes}.`,
              {
                file: name,
              },
            ),
          );
          continue;
        }
        total += stat.size;
        files.push({ name, path, bytes: stat.size });
      } else {
        findings.push(finding('ZIP_SPECIAL_FILE', `${name} is not a regular file.`, { file: name }));
      }
    }
    return true;
  };
  await walk(root, '');
  if (total > policy.maxTotalBytes) {
    findings.push(
      finding(
        'ZIP_TOTAL_TOO_LARGE',
        `The folder holds ${total} bytes; the limit is ${policy.maxTotalBytes}.`,
      ),
    );
  }
  return { files, findings };
}
