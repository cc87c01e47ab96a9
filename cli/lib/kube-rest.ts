import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** The answer of the apiserver to one request. */
export interface KubeResponse {
  status: number;
  body: unknown;
}

/** A Kubernetes `Status` failure, as the apiserver sends it on 4xx/5xx. */
export interface KubeStatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

/** How to send one request to the apiserver. */
export interface KubeRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path and query, e.g. `/apis/pipeline.shazam.dev/v1alpha1/namespaces/default/qareviews`. */
  path: string;
  body?: unknown;
  /** Content type of `body`; JSON merge patch is what people's tools send for small edits. */
  contentType?: 'application/json' | 'application/merge-patch+json' | 'application/json-patch+json';
}

/**
 * A minimal Kubernetes REST client over `node:https` that authenticates exactly as the kubeconfig says
 * (client certificate or bearer token), so a request runs with the caller's own identity and RBAC.
 *
 * Caveats: exec and auth-provider plugins are applied through `applyToHTTPSOptions`, which resolves
 * them once per request; long-lived processes refresh tokens that way.
 */
export class KubeRestClient {
  constructor(private readonly kubeConfig: KubeConfig) {}

  /** The apiserver URL of the current context. */
  get server(): string {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return cluster.server;
  }

  /** The name of the kubeconfig's current user entry (not necessarily the identity the apiserver sees). */
  get userName(): string | undefined {
    return this.kubeConfig.getCurrentUser()?.name;
  }

  /** Sends `req` and returns the status and the parsed JSON body (the raw text when it is not JSON). */
  async send(req: KubeRequest): Promise<KubeResponse> {
    const url = new URL(req.path, this.server);
    const options: RequestOptions = { method: req.method, headers: { accept: 'application/json' } };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    if (payload !== undefined) {
      options.headers = {
        ...options.headers,
        'content-type': req.contentType ?? 'application/json',
        'content-length': Buffer.byteLength(payload),
      };
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<KubeResponse>((resolve, reject) => {
      const call = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text.length > 0 ? JSON.parse(text) : undefined;
          } catch {}
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', reject);
      });
      call.on('error', reject);
      call.setTimeout(30_000, () => call.destroy(new Error(`no answer from ${url.origin} in 30 s`)));
      if (payload !== undefined) call.write(payload);
      call.end();
    });
  }
}

/** The apiserver's message for a failed response, falling back to the HTTP status. */
export function statusMessage(response: KubeResponse): string {
  const body = response.body as KubeStatusBody | undefined;
  if (body && typeof body === 'object' && typeof body.message === 'string') return body.message;
  return `HTTP ${response.status}`;
}
