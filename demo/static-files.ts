import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

/** Content types of the files the pages and the asset store serve. */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.glb': 'model/gltf-binary',
  '.gltf': 'model/gltf+json',
  '.zip': 'application/zip',
};

/** The content type for a file name, `application/octet-stream` when unknown. */
export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Resolves a URL path below `root`, or returns undefined when it would leave `root` (`..`, encoded
 * slashes, NUL bytes). A path ending in `/` means its `index.html`.
 */
export function resolveBelow(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const relative = normalize(decoded.endsWith('/') ? `${decoded}index.html` : decoded).replace(
    /^([/\\])+/,
    '',
  );
  if (relative.split(/[/\\]/).includes('..')) return undefined;
  const full = join(root, relative);
  return full === root || full.startsWith(root.endsWith(sep) ? root : `${root}${sep}`) ? full : undefined;
}

/** Sends the file at `path` (or 404), with no caching so edited pages show at once during a demo. */
export async function sendFile(res: ServerResponse, path: string | undefined): Promise<void> {
  const info = path === undefined ? undefined : await stat(path).catch(() => undefined);
  if (path === undefined || !info?.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    return;
  }
  res.writeHead(200, {
    'content-type': contentTypeOf(path),
    'content-length': info.size,
    'cache-control': 'no-cache',
  });
  createReadStream(path).pipe(res);
}
