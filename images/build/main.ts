/**
 * Builds every SHAZAM image (images/definitions.ts) into OCI archives without a container daemon:
 *   npx tsx images/build/main.ts [--out DIR] [--tag TAG]
 * Prints the directory holding `<name>.oci.tar` and `images.json` (digests and sizes). Called by
 * scripts/build-images.sh; the test harness calls {@link ensureImages}.
 */
import { createReadStream, existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  BASE_KEEP_EXECUTABLES,
  BASE_PACKAGES,
  IMAGES,
  type ImageDefinition,
  NODE_RUNTIME,
  NONROOT_UID,
} from '../definitions.ts';
import { imageConfig, imageIndex, imageManifest, type LayerBlob, sha256 } from './oci.ts';
import { debianTarball, run, subtractTree, unpackDebian, writeLinkerCache } from './rootfs.ts';
import { stageApp } from './stage-app.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** One built image, as listed in images.json. */
export interface BuiltImage {
  name: string;
  /** `repository:tag` */
  reference: string;
  /** The manifest digest: what a registry or containerd calls the image's digest. */
  digest: string;
  archive: string;
  /** Bytes of the compressed layers plus config and manifest (what a pull transfers). */
  compressedBytes: number;
  /** Bytes of the uncompressed layers (what a node unpacks). */
  uncompressedBytes: number;
  layers: number;
}

/** Options of {@link buildImages}. */
export interface BuildImagesOptions {
  /** Tag of every image; default `local`. */
  tag?: string;
  /** Seconds since the epoch stamped on every file and the config; default `SOURCE_DATE_EPOCH` or 0. */
  sourceDateEpoch?: number;
  /** Cache root; default `$SHAZAM_CACHE_DIR` or `~/.cache/shazam`, then `images/`. */
  cacheDir?: string;
  log?: (line: string) => void;
}

/** `$SHAZAM_CACHE_DIR/images` or `~/.cache/shazam/images`. */
export function imagesCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.SHAZAM_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'shazam');
  return join(base, 'images');
}

const APP_DIRS = [
  'bin',
  'cli',
  'controllers',
  'crds',
  'lib',
  'lint',
  'operator',
  'render-job',
  'search-api',
  'validation',
  'images',
];

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'test-support')
        out.push(...(await listFiles(path)));
    } else if (entry.isFile() && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

/** A digest of everything an image build reads from the repository, so an unchanged tree is not rebuilt. */
async function inputKey(tag: string, epoch: number): Promise<string> {
  const files = [join(repoRoot, 'package-lock.json'), join(repoRoot, 'package.json')];
  for (const dir of APP_DIRS) files.push(...(await listFiles(join(repoRoot, dir))));
  const hash = [tag, String(epoch), JSON.stringify(NODE_RUNTIME)];
  for (const file of files) hash.push(relative(repoRoot, file), sha256(await readFile(file)));
  return sha256(hash.join('\n')).slice(7, 23);
}

async function fileSha256(path: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** Tars `dir` reproducibly (sorted names, one mtime, root owner, no atime/ctime), gzips it, stores the blob. */
async function writeLayer(dir: string, blobs: string, epoch: number, createdBy: string): Promise<LayerBlob> {
  const tar = `${dir}.tar`;
  run('tar', [
    '--sort=name',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    `--mtime=@${epoch}`,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    dir,
    '-cf',
    tar,
    '.',
  ]);
  const diffId = await fileSha256(tar);
  run('gzip', ['-n', '-6', tar]);
  const digest = await fileSha256(`${tar}.gz`);
  const size = (await stat(`${tar}.gz`)).size;
  await cp(`${tar}.gz`, join(blobs, digest.slice(7)));
  await rm(`${tar}.gz`);
  return { digest, diffId, size, createdBy };
}

async function uncompressedSize(path: string): Promise<number> {
  return Number(run('sh', ['-c', 'gzip -dc "$1" | wc -c', 'sh', path]).trim());
}

async function nodeTarball(cacheDir: string, log: (line: string) => void): Promise<string> {
  const path = join(cacheDir, 'node', `${NODE_RUNTIME.package}-${NODE_RUNTIME.version}.tgz`);
  if (!existsSync(path)) {
    log(`[images] fetching ${NODE_RUNTIME.package}@${NODE_RUNTIME.version} from the npm registry`);
    await mkdir(dirname(path), { recursive: true });
    run('npm', [
      'pack',
      `${NODE_RUNTIME.package}@${NODE_RUNTIME.version}`,
      '--pack-destination',
      dirname(path),
      '--silent',
    ]);
  }
  const { createHash } = await import('node:crypto');
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(path))
    .digest('base64')}`;
  if (integrity !== NODE_RUNTIME.integrity) {
    await rm(path);
    throw new Error(`${path} has integrity ${integrity}, expected ${NODE_RUNTIME.integrity}; removed it`);
  }
  return path;
}

/** The base layer's tree: Debian's C/C++ runtime, /usr/bin/env, Node.js, the users, /tmp and /app. */
async function baseTree(dir: string, debian: string, nodeTgz: string): Promise<void> {
  await unpackDebian(debian, dir, BASE_KEEP_EXECUTABLES);
  const nodeDir = await mkdtemp(join(tmpdir(), 'shazam-node-'));
  run('tar', ['-xzf', nodeTgz, '-C', nodeDir, 'package/bin/node', 'package/LICENSE']);
  await mkdir(join(dir, 'usr/local/bin'), { recursive: true });
  await cp(join(nodeDir, 'package/bin/node'), join(dir, 'usr/local/bin/node'));
  await mkdir(join(dir, 'usr/local/share/doc/node'), { recursive: true });
  await cp(join(nodeDir, 'package/LICENSE'), join(dir, 'usr/local/share/doc/node/LICENSE'));
  await rm(nodeDir, { recursive: true, force: true });
  await writeFile(
    join(dir, 'etc/passwd'),
    `root:x:0:0:root:/root:/usr/sbin/nologin\nnonroot:x:${NONROOT_UID}:${NONROOT_UID}:nonroot:/tmp:/usr/sbin/nologin\n`,
  );
  await writeFile(join(dir, 'etc/group'), `root:x:0:\nnonroot:x:${NONROOT_UID}:\n`);
  await mkdir(join(dir, 'tmp'), { recursive: true });
  await chmod(join(dir, 'tmp'), 0o1777);
  await mkdir(join(dir, 'app'), { recursive: true });
  writeLinkerCache(dir);
}

/**
 * Builds every image into `<cache>/images/<input key>/`, or returns that directory at once when it already
 * holds a complete build of the same inputs.
 */
export async function buildImages(
  options: BuildImagesOptions = {},
): Promise<{ dir: string; images: BuiltImage[]; cached: boolean }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const tag = options.tag ?? 'local';
  const epoch = options.sourceDateEpoch ?? Number(process.env.SOURCE_DATE_EPOCH ?? 0);
  const cacheDir = options.cacheDir ?? imagesCacheDir();
  const key = await inputKey(tag, epoch);
  const outDir = join(cacheDir, 'out', key);
  if (existsSync(join(outDir, 'images.json'))) {
    const images = JSON.parse(await readFile(join(outDir, 'images.json'), 'utf8')) as BuiltImage[];
    return { dir: outDir, images, cached: true };
  }
  const started = Date.now();
  const work = await mkdtemp(join(tmpdir(), 'shazam-images-'));
  try {
    const nodeTgz = await nodeTarball(cacheDir, log);
    const baseDebian = debianTarball(cacheDir, BASE_PACKAGES, log);
    const blobs = join(work, 'blobs');
    await mkdir(blobs, { recursive: true });
    const base = join(work, 'base');
    await baseTree(base, baseDebian, nodeTgz);
    const baseLayer = await writeLayer(
      base,
      blobs,
      epoch,
      `debian ${BASE_PACKAGES.join(' ')}; node ${NODE_RUNTIME.version}`,
    );
    const built: BuiltImage[] = [];
    for (const image of IMAGES) {
      const layers: Array<LayerBlob> = [baseLayer];
      if (image.debianPackages.length > 0) {
        const extra = join(work, `${image.name}-debian`);
        await unpackDebian(
          debianTarball(cacheDir, [...BASE_PACKAGES, ...image.debianPackages], log),
          extra,
          BASE_KEEP_EXECUTABLES,
        );
        writeLinkerCache(extra);
        await subtractTree(extra, base);
        layers.push(await writeLayer(extra, blobs, epoch, `debian ${image.debianPackages.join(' ')}`));
      }
      const app = join(work, `${image.name}-app`);
      const staged = await stageApp(repoRoot, image, join(app, 'app'));
      await mkdir(join(app, 'usr/local/bin'), { recursive: true });
      await symlink('/app/bin/shazam.js', join(app, 'usr/local/bin/shazam'));
      for (const [path, content] of Object.entries(image.extraFiles)) {
        await mkdir(dirname(join(app, path)), { recursive: true });
        await writeFile(join(app, path), content);
      }
      for (const [path, target] of Object.entries(image.extraLinks)) {
        await mkdir(dirname(join(app, path)), { recursive: true });
        await symlink(target, join(app, path));
      }
      layers.push(
        await writeLayer(
          app,
          blobs,
          epoch,
          `shazam ${image.commands.join(' ')}; ${staged.packages.length} npm packages`,
        ),
      );
      built.push(await writeArchive(image, layers, { work, blobs, outDir: join(work, 'out'), tag, epoch }));
      log(
        `[images] ${image.name}: ${built.at(-1)?.digest} (${staged.sources.length} modules, ${staged.packages.length} packages)`,
      );
    }
    await mkdir(join(work, 'out'), { recursive: true });
    await writeFile(join(work, 'out', 'images.json'), `${JSON.stringify(built, null, 2)}\n`);
    await mkdir(dirname(outDir), { recursive: true });
    await rm(outDir, { recursive: true, force: true });
    run('mv', [join(work, 'out'), outDir]);
    const images = built.map((image) => ({ ...image, archive: join(outDir, `${image.name}.oci.tar`) }));
    await writeFile(join(outDir, 'images.json'), `${JSON.stringify(images, null, 2)}\n`);
    log(
      `[images] built ${images.length} images in ${Math.round((Date.now() - started) / 1000)} s: ${outDir}`,
    );
    return { dir: outDir, images, cached: false };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function writeArchive(
  image: ImageDefinition,
  layers: Array<LayerBlob>,
  at: { work: string; blobs: string; outDir: string; tag: string; epoch: number },
): Promise<BuiltImage> {
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const created = new Date(at.epoch * 1000).toISOString();
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': image.name,
    'org.opencontainers.image.description': image.description,
    'org.opencontainers.image.version': pkg.version,
    'org.opencontainers.image.source': 'https://github.com/shazam-dev/shazam',
    'org.opencontainers.image.created': created,
    'org.opencontainers.image.base.name': `debian:${'bookworm'}`,
    ...(process.env.SHAZAM_IMAGE_REVISION
      ? { 'org.opencontainers.image.revision': process.env.SHAZAM_IMAGE_REVISION }
      : {}),
  };
  const config = imageConfig(
    {
      created,
      user: `${NONROOT_UID}:${NONROOT_UID}`,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...image.env },
      entrypoint: ['shazam'],
      cmd: image.cmd,
      workingDir: '/app',
      labels,
    },
    layers,
  );
  const reference = `${image.repository}:${at.tag}`;
  const manifest = imageManifest(config, layers, labels);
  const index = imageIndex(manifest, reference);
  const layout = join(at.work, `${image.name}-layout`);
  await mkdir(join(layout, 'blobs/sha256'), { recursive: true });
  for (const layer of layers)
    await cp(join(at.blobs, layer.digest.slice(7)), join(layout, 'blobs/sha256', layer.digest.slice(7)));
  await writeFile(join(layout, 'blobs/sha256', config.digest.slice(7)), config.json);
  await writeFile(join(layout, 'blobs/sha256', manifest.digest.slice(7)), manifest.json);
  await writeFile(join(layout, 'index.json'), index.json);
  await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await mkdir(at.outDir, { recursive: true });
  const archive = join(at.outDir, `${image.name}.oci.tar`);
  run('tar', [
    '--sort=name',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    `--mtime=@${at.epoch}`,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '-C',
    layout,
    '-cf',
    archive,
    'oci-layout',
    'index.json',
    'blobs',
  ]);
  let uncompressedBytes = 0;
  for (const layer of layers)
    uncompressedBytes += await uncompressedSize(join(at.blobs, layer.digest.slice(7)));
  return {
    name: image.name,
    reference,
    digest: manifest.digest,
    archive,
    compressedBytes: layers.reduce((sum, layer) => sum + layer.size, 0) + config.size + manifest.size,
    uncompressedBytes,
    layers: layers.length,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { tag: { type: 'string' }, out: { type: 'string' } } });
  const result = await buildImages({ ...(values.tag ? { tag: values.tag } : {}) });
  if (values.out) {
    await mkdir(values.out, { recursive: true });
    for (const image of result.images) await cp(image.archive, join(values.out, `${image.name}.oci.tar`));
    await cp(join(result.dir, 'images.json'), join(values.out, 'images.json'));
  }
  for (const image of result.images) {
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
    process.stdout.write(
      `${image.reference}@${image.digest}  ${mb(image.compressedBytes)} compressed, ${mb(image.uncompressedBytes)} unpacked\n`,
    );
  }
  process.stdout.write(`${result.cached ? 'cached' : 'built'}: ${result.dir}\n`);
}
