import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import type { KubeConfig } from '@kubernetes/client-node';
import { CLIENT_ERROR_CODES, ClientError } from '../lib/shazam-client/errors.ts';
import { QAApi } from './qa-api.ts';
import { sendS3Object } from './s3-files.ts';
import { resolveBelow, sendFile } from './static-files.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Options of {@link startPagesServer}. */
export interface PagesServerOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  host?: string;
  /**
   * Base URL of the search API; `/v1/*` is forwarded there so the pages need no CORS. A function when
   * the search API starts after this server (it needs this server's CDN URL first).
   */
  searchApiUrl: string | (() => string);
  s3: S3Client;
  assetsBucket: string;
  /** The QA reviewer's kubeconfig (used when the browser sends no bearer token). */
  reviewerKubeConfig: KubeConfig;
  namespace: string;
}

/** A running pages server. */
export interface PagesServer {
  /** `http://host:port` */
  url: string;
  /** Where the assets bucket is served: the operator's and search API's public base URL. */
  cdnBaseUrl: string;
  close(): Promise<void>;
}

/** Where each page's files live. */
const PAGE_ROOTS: Record<string, string> = {
  storefront: `${repoRoot}examples/storefront`,
  qa: `${repoRoot}examples/qa`,
};

/** The model-viewer bundle, served from node_modules: the pages never reach a CDN. */
const MODEL_VIEWER = `${repoRoot}node_modules/@google/model-viewer/dist/model-viewer.min.js`;

/** The meshopt decoder (a classic script) model-viewer loads before decoding meshopt-compressed GLBs. */
const MESHOPT_DECODER = `${repoRoot}node_modules/meshoptimizer/meshopt_decoder.cjs`;

const MAX_JSON_BYTES = 64 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES)
      throw new ClientError(CLIENT_ERROR_CODES.decisionInvalid, 'the request body is larger than 64 KB');
    chunks.push(chunk as Buffer);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {}
  throw new ClientError(CLIENT_ERROR_CODES.decisionInvalid, 'the request body must be a JSON object');
}

function errorStatus(error: ClientError): number {
  if (error.code === CLIENT_ERROR_CODES.notFound) return 404;
  if (error.code === CLIENT_ERROR_CODES.alreadyDecided) return 409;
  if (error.code === CLIENT_ERROR_CODES.reviewOrphaned) return 409;
  if (error.code === CLIENT_ERROR_CODES.forbidden) return 403;
  return 400;
}

function forward(req: IncomingMessage, res: ServerResponse, base: string): void {
  const target = new URL(req.url ?? '/', base);
  const headers = { ...req.headers, host: target.host };
  const upstream = httpRequest(target, { method: req.method, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent)
      sendJson(res, 502, {
        code: 'SHAZAM_DEMO_SEARCH_UNREACHABLE',
        message: 'the search API did not answer',
      });
    else res.destroy();
  });
  req.pipe(upstream);
}

/**
 * Starts the demo's web server: the product page (`/storefront/`), the QA page (`/qa/`), the
 * model-viewer bundle (`/vendor/`), the assets bucket as a CDN would serve it (`/cdn/<key>`), the
 * search API (`/v1/*`, forwarded) and the QA page's backend (`/api/qa/*`, see {@link QAApi}).
 */
export async function startPagesServer(options: PagesServerOptions): Promise<PagesServer> {
  const qa = new QAApi({
    kubeConfig: options.reviewerKubeConfig,
    namespace: options.namespace,
    s3: options.s3,
    assetsBucket: options.assetsBucket,
    assetUrl: (key) => `/cdn/${key.split('/').map(encodeURIComponent).join('/')}`,
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://pages');
    const path = url.pathname;
    if (path === '/' || path === '/storefront' || path === '/qa') {
      res.writeHead(302, { location: path === '/' ? '/storefront/' : `${path}/` }).end();
      return;
    }
    if (path.startsWith('/v1/')) {
      forward(
        req,
        res,
        typeof options.searchApiUrl === 'string' ? options.searchApiUrl : options.searchApiUrl(),
      );
      return;
    }
    if (path === '/vendor/model-viewer.min.js' || path === '/vendor/meshopt_decoder.js') {
      await sendFile(res, path === '/vendor/model-viewer.min.js' ? MODEL_VIEWER : MESHOPT_DECODER);
      return;
    }
    if (path.startsWith('/cdn/')) {
      const key = decodeURIComponent(path.slice('/cdn/'.length));
      // Only the asset tree is public; incoming uploads and anything else stay private.
      if (!key.startsWith('assets/') || key.includes('..')) {
        res.writeHead(404).end();
        return;
      }
      await sendS3Object(res, options.s3, options.assetsBucket, key);
      return;
    }
    if (path.startsWith('/api/qa/')) {
      const client = qa.clientFor(req.headers.authorization);
      const parts = path.slice('/api/qa/'.length).split('/').map(decodeURIComponent);
      try {
        if (req.method === 'GET' && parts[0] === 'whoami') {
          sendJson(res, 200, { username: (await qa.whoAmI(client)) ?? null, namespace: options.namespace });
        } else if (req.method === 'GET' && parts[0] === 'reviews' && parts.length === 1) {
          sendJson(res, 200, { namespace: options.namespace, reviews: await qa.listReviews(client) });
        } else if (req.method === 'GET' && parts[0] === 'reviews' && parts.length === 2 && parts[1]) {
          sendJson(res, 200, await qa.reviewDetails(client, parts[1]));
        } else if (req.method === 'POST' && parts[0] === 'reviews' && parts[2] === 'decision' && parts[1]) {
          sendJson(res, 200, await qa.decide(client, parts[1], await readJson(req)));
        } else {
          sendJson(res, 404, {
            code: 'SHAZAM_DEMO_NOT_FOUND',
            message: `no QA endpoint ${req.method} ${path}`,
          });
        }
      } catch (error) {
        if (!(error instanceof ClientError)) throw error;
        sendJson(res, errorStatus(error), { code: error.code, message: error.message });
      } finally {
        client.close();
      }
      return;
    }
    const [, page, ...rest] = path.split('/');
    const root = page === undefined ? undefined : PAGE_ROOTS[page];
    await sendFile(res, root === undefined ? undefined : resolveBelow(root, `/${rest.join('/')}`));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, {
          code: 'SHAZAM_DEMO_INTERNAL',
          message: error instanceof Error ? error.message : String(error),
        });
      } else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  return {
    url,
    cdnBaseUrl: `${url}/cdn`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
