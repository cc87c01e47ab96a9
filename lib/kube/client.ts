import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { codeForStatus, KubeError } from './errors.ts';
import type { KubeCredentials } from './kube-credentials.ts';
import type { KubeObject } from './object.ts';

/** Identifies a resource type by API group, version and plural name. Group `''` is the core group. */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
}

/** A list as the apiserver returns it. */
export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** One event of a watch stream. */
export interface WatchEvent<T = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** Options of {@link KubeClient.list}. */
export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
}

/** Patch content types the apiserver understands. */
export type PatchType = 'json' | 'merge' | 'strategic';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** Counters of the requests a client sent, for metrics and for tests that count writes. */
export interface RequestStats {
  /** Every request, watches included. */
  total: number;
  /** POST, PUT, PATCH and DELETE requests. */
  writes: number;
  /** Requests per HTTP method. */
  byMethod: Record<string, number>;
}

/**
 * Builds the URL path of a resource collection, an object, or an object's subresource.
 *
 * @example
 * resourcePath({ group: 'batch', version: 'v1', plural: 'jobs' }, 'ns', 'job-1', 'status')
 * // '/apis/batch/v1/namespaces/ns/jobs/job-1/status'
 */
export function resourcePath(
  ref: ResourceRef,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  const base = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  let path = namespace
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${ref.plural}`
    : `${base}/${ref.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource !== undefined) path += `/${subresource}`;
  return path;
}

/** Options of {@link KubeClient.request}. */
export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * A small JSON REST client for the Kubernetes API, over the credentials of a {@link KubeCredentials}.
 *
 * It exists because the generated clients of `@kubernetes/client-node` need a typed API class per group and
 * hide status codes, while controllers need the same few verbs on any resource and must tell a 404, a 409
 * and a 410 apart. Every failure is a {@link KubeError} with the apiserver's status code and reason.
 *
 * Caveats: authentication is re-applied on every request (so exec and token-file credentials refresh);
 * connections are kept alive in one agent per client.
 */
export class KubeClient {
  /** The configuration requests are authenticated with. */
  readonly kubeConfig: KubeCredentials;
  /** Counters of requests sent so far. */
  readonly stats: RequestStats = { total: 0, writes: 0, byMethod: {} };
  private readonly server: URL;
  private readonly agent: http.Agent;
  private readonly userAgent: string;

  private readonly timeoutMs: number;
  private readonly writeFence: (() => string | undefined) | undefined;

  /**
   * @param options.timeoutMs - how long a request (not a watch) may wait for the apiserver's answer before
   *   it fails with `KUBE_UNREACHABLE`; default 30 s, so a half-open connection cannot hang a caller.
   * @param options.writeFence - asked before every request that is not a GET; a returned reason refuses the
   *   request with `KUBE_WRITE_FENCED` before it is sent (an operator that lost its lease stops writing even
   *   in a reconcile already under way).
   */
  constructor(
    kubeConfig: KubeCredentials,
    options: { userAgent?: string; timeoutMs?: number; writeFence?: () => string | undefined } = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.writeFence = options.writeFence;
    this.kubeConfig = kubeConfig;
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster?.server) {
      throw new KubeError(
        'KUBE_CONFIG_INVALID',
        'The kubeconfig has no current cluster; select a context with a server.',
      );
    }
    this.server = new URL(cluster.server);
    const Agent = this.server.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 64 });
    this.userAgent = options.userAgent ?? 'shazam';
  }

  /** Sends one request and returns the parsed JSON answer. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const fenced = method === 'GET' ? undefined : this.writeFence?.();
    if (fenced !== undefined)
      throw new KubeError('KUBE_WRITE_FENCED', `${method} ${path} refused: ${fenced}`);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    const abortOuter = () => controller.abort();
    options.signal?.addEventListener('abort', abortOuter, { once: true });
    let response: http.IncomingMessage;
    let text: string;
    try {
      response = await this.send(method, path, { ...options, signal: controller.signal });
      text = await readBody(response);
    } catch (error) {
      if (controller.signal.aborted && !options.signal?.aborted) {
        throw new KubeError(
          'KUBE_UNREACHABLE',
          `${method} ${path} got no answer within ${this.timeoutMs} ms`,
          {
            cause: error,
          },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', abortOuter);
    }
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw apiError(method, path, status, text);
    if (text.length === 0) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new KubeError('KUBE_INVALID_RESPONSE', `${method} ${path} answered with invalid JSON`, { cause });
    }
  }

  /** Reads one object. Throws `KUBE_NOT_FOUND` when it does not exist. */
  get<T extends KubeObject>(ref: ResourceRef, namespace: string | undefined, name: string): Promise<T> {
    return this.request<T>('GET', resourcePath(ref, namespace, name));
  }

  /** Reads one object, or `undefined` when it does not exist. */
  async getOrUndefined<T extends KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    try {
      return await this.get<T>(ref, namespace, name);
    } catch (error) {
      if (error instanceof KubeError && error.code === 'KUBE_NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** Lists one page of objects (all namespaces when `namespace` is unset). */
  list<T extends KubeObject>(ref: ResourceRef, options: ListOptions = {}): Promise<KubeList<T>> {
    return this.request<KubeList<T>>('GET', resourcePath(ref, options.namespace), {
      query: {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        resourceVersion: options.resourceVersion,
        limit: options.limit,
        continue: options.continue,
      },
    });
  }

  /** Creates an object. Throws `KUBE_CONFLICT` (reason `AlreadyExists`) when the name is taken. */
  create<T extends KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    object: T,
    options: { fieldManager?: string } = {},
  ): Promise<T> {
    return this.request<T>('POST', resourcePath(ref, namespace), {
      body: object,
      query: { fieldManager: options.fieldManager },
    });
  }

  /** Replaces an object (optimistic concurrency through `metadata.resourceVersion`). */
  replace<T extends KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    object: T,
    subresource?: string,
  ): Promise<T> {
    return this.request<T>('PUT', resourcePath(ref, namespace, name, subresource), { body: object });
  }

  /** Patches an object or its subresource (`status`) with a JSON, merge or strategic-merge patch. */
  patch<T extends KubeObject>(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType,
    options: { subresource?: string; fieldManager?: string } = {},
  ): Promise<T> {
    return this.request<T>('PATCH', resourcePath(ref, namespace, name, options.subresource), {
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
      query: { fieldManager: options.fieldManager },
    });
  }

  /** Deletes an object. Throws `KUBE_NOT_FOUND` when it is already gone. */
  delete(
    ref: ResourceRef,
    namespace: string | undefined,
    name: string,
    options: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'; uid?: string } = {},
  ): Promise<unknown> {
    const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
    if (options.propagationPolicy) body.propagationPolicy = options.propagationPolicy;
    if (options.uid) body.preconditions = { uid: options.uid };
    return this.request('DELETE', resourcePath(ref, namespace, name), { body });
  }

  /**
   * Streams a watch. Resolves when the server ends the stream; rejects with a {@link KubeError} on HTTP
   * errors, on an `ERROR` event (`KUBE_GONE` for 410 Expired), or when no byte arrives for `idleTimeoutMs`
   * (a half-open connection would otherwise hang forever).
   */
  async watch<T = KubeObject>(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    onEvent: (event: WatchEvent<T>) => void,
    options: { signal?: AbortSignal; idleTimeoutMs?: number } = {},
  ): Promise<void> {
    const controller = new AbortController();
    const abortOuter = () => controller.abort();
    options.signal?.addEventListener('abort', abortOuter, { once: true });
    try {
      const response = await this.send('GET', path, {
        query: { ...query, watch: 1 },
        signal: controller.signal,
      });
      const status = response.statusCode ?? 0;
      if (status !== 200) throw apiError('WATCH', path, status, await readBody(response));
      await new Promise<void>((resolve, reject) => {
        let failure: unknown;
        const idleMs = options.idleTimeoutMs ?? 5 * 60_000;
        let idle = setTimeout(onIdle, idleMs);
        function onIdle() {
          failure = new KubeError('KUBE_UNREACHABLE', `Watch ${path} received nothing for ${idleMs} ms`);
          response.destroy();
        }
        response.on('data', () => {
          clearTimeout(idle);
          idle = setTimeout(onIdle, idleMs);
        });
        const lines = createInterface({ input: response, crlfDelay: Number.POSITIVE_INFINITY });
        lines.on('line', (line) => {
          if (failure !== undefined || line.trim() === '') return;
          let event: WatchEvent<T>;
          try {
            event = JSON.parse(line) as WatchEvent<T>;
          } catch (cause) {
            failure = new KubeError('KUBE_INVALID_RESPONSE', `Watch ${path} sent a line that is not JSON`, {
              cause,
            });
            response.destroy();
            return;
          }
          if (event.type === 'ERROR') {
            const statusObject = event.object as { code?: number; message?: string; reason?: string };
            const code = statusObject.code ?? 500;
            failure = new KubeError(
              codeForStatus(code),
              `Watch ${path} failed: ${statusObject.message ?? 'error'}`,
              {
                statusCode: code,
                reason: statusObject.reason,
              },
            );
            response.destroy();
            return;
          }
          try {
            onEvent(event);
          } catch (error) {
            failure = error;
            response.destroy();
          }
        });
        let finished = false;
        const finish = (error?: unknown) => {
          if (finished) return;
          finished = true;
          clearTimeout(idle);
          const cause = failure ?? error;
          if (cause !== undefined && !options.signal?.aborted) reject(cause);
          else resolve();
        };
        lines.on('close', () => finish());
        // A cut connection ends the response without 'end', so readline alone would never close.
        response.on('close', () => setImmediate(() => finish()));
        const onStreamError = (error: Error) => {
          if (failure === undefined) {
            failure = new KubeError('KUBE_UNREACHABLE', `Watch ${path} broke: ${error.message}`, {
              cause: error,
            });
          }
        };
        // readline re-emits its input's errors; both need a listener or a cut connection crashes the process.
        response.on('error', onStreamError);
        lines.on('error', onStreamError);
        response.on('aborted', () => {
          if (failure === undefined) failure = new KubeError('KUBE_UNREACHABLE', `Watch ${path} was cut`);
        });
      });
    } finally {
      options.signal?.removeEventListener('abort', abortOuter);
      controller.abort();
    }
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<http.IncomingMessage> {
    const url = new URL(path, this.server);
    if (this.server.pathname !== '/' && this.server.pathname !== '') {
      url.pathname = this.server.pathname.replace(/\/$/, '') + path;
    }
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    const requestOptions: https.RequestOptions = {
      method,
      agent: this.agent,
      headers: { Accept: 'application/json', 'User-Agent': this.userAgent },
    };
    await this.kubeConfig.applyToHTTPSOptions(requestOptions);
    requestOptions.agent = this.agent;
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      requestOptions.headers = {
        ...requestOptions.headers,
        'Content-Type': options.contentType ?? 'application/json',
        'Content-Length': Buffer.byteLength(payload),
      };
    }
    this.stats.total++;
    this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;
    if (method !== 'GET') this.stats.writes++;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, { ...requestOptions, signal: options.signal }, resolve);
      request.on('error', (error) => {
        reject(
          new KubeError(
            'KUBE_UNREACHABLE',
            `${method} ${url.pathname} could not reach the apiserver: ${error.message}`,
            {
              cause: error,
            },
          ),
        );
      });
      request.end(payload);
    });
  }
}

function readBody(response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', (error) =>
      reject(
        new KubeError('KUBE_UNREACHABLE', `Reading the apiserver's answer failed: ${error.message}`, {
          cause: error,
        }),
      ),
    );
  });
}

function apiError(method: string, path: string, statusCode: number, text: string): KubeError {
  let message = text.slice(0, 500);
  let reason: string | undefined;
  let causes: string[] = [];
  try {
    const status = JSON.parse(text) as {
      message?: string;
      reason?: string;
      details?: { causes?: { message?: string; field?: string }[] };
    };
    message = status.message ?? message;
    // A 422's message is generic; the causes say which field and why.
    causes = (status.details?.causes ?? []).map((c) => [c.field, c.message].filter(Boolean).join(': '));
    const unnamed = causes.filter((cause) => !message.includes(cause));
    if (unnamed.length > 0) message += ` (${unnamed.join('; ')})`;
    reason = status.reason;
  } catch {
    // Not a Status object (a proxy's HTML page, say); the raw text is the best message there is.
  }
  return new KubeError(
    codeForStatus(statusCode),
    `${method} ${path} failed with HTTP ${statusCode}: ${message}`,
    { statusCode, reason, causes },
  );
}
