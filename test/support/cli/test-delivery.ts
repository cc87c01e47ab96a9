import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Options of {@link writeTestDelivery}. */
export interface TestDeliveryOptions {
  asin?: string;
  revision?: number;
  /** Extra text in the manifest's notes, to make two deliveries differ. */
  notes?: string;
}

/**
 * Writes a small real delivery folder for tests: `manifest.yaml`, the Khronos Box GLB as the model and
 * one JPEG reference photo, all copied from test/fixtures. Returns the folder.
 */
export async function writeTestDelivery(options: TestDeliveryOptions = {}): Promise<string> {
  const asin = options.asin ?? 'B0TESTBOX1';
  const revision = options.revision ?? 1;
  const dir = await mkdtemp(join(tmpdir(), 'shazam-delivery-'));
  await mkdir(join(dir, 'model'));
  await mkdir(join(dir, 'references'));
  await copyFile(join(fixtures, 'models/Box/glTF-Binary/Box.glb'), join(dir, 'model', `${asin}.glb`));
  await copyFile(join(fixtures, 'reference-images/Mixer-0.jpg'), join(dir, 'references', 'front.jpg'));
  await writeFile(
    join(dir, 'manifest.yaml'),
    `asin: ${asin}\nrevision: ${revision}\nartist: test-artist\nstages: [cleanup, uv, texturing]\nnotes: ${JSON.stringify(options.notes ?? 'test delivery')}\n`,
  );
  return dir;
}
