import { execFile } from 'node:child_process';
import { KubeError } from './errors.ts';
import type { KubeconfigCluster, KubeconfigExec } from './kubeconfig-file.ts';

/** What an exec credential plugin returned (`ExecCredential.status`). */
export interface ExecCredentialStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** When the credential stops being valid; absent means until the apiserver rejects it. */
  expiresAtMs?: number;
}

/**
 * Parses a plugin's standard output as an `ExecCredential` of `apiVersion`.
 *
 * Guarantees: a token, or a client certificate with its key; otherwise `KUBE_CONFIG_INVALID` naming the
 * plugin and what was missing.
 */
export function parseExecCredential(
  stdout: string,
  apiVersion: string,
  command: string,
): ExecCredentialStatus {
  const fail = (what: string) =>
    new KubeError(
      'KUBE_CONFIG_INVALID',
      `Exec credential plugin ${command} ${what}; check that it prints an ExecCredential of ${apiVersion}.`,
    );
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw fail(`printed no JSON (${JSON.stringify(stdout.slice(0, 200))})`);
  }
  const record = doc as { apiVersion?: unknown; kind?: unknown; status?: Record<string, unknown> };
  if (record?.kind !== 'ExecCredential') throw fail('printed something that is not an ExecCredential');
  if (record.apiVersion !== apiVersion) {
    throw fail(`answered with apiVersion ${String(record.apiVersion)}, not the ${apiVersion} asked for`);
  }
  const status = record.status ?? {};
  const text = (key: string) => (typeof status[key] === 'string' ? (status[key] as string) : undefined);
  const token = text('token');
  const clientCertificateData = text('clientCertificateData');
  const clientKeyData = text('clientKeyData');
  if (!token && !(clientCertificateData && clientKeyData)) {
    throw fail('returned neither status.token nor status.clientCertificateData with clientKeyData');
  }
  const expiration = text('expirationTimestamp');
  const expiresAtMs = expiration === undefined ? undefined : Date.parse(expiration);
  if (expiresAtMs !== undefined && Number.isNaN(expiresAtMs)) {
    throw fail(`returned an expirationTimestamp that is not RFC 3339 (${expiration})`);
  }
  return {
    ...(token ? { token } : {}),
    ...(clientCertificateData ? { clientCertificateData, clientKeyData } : {}),
    ...(expiresAtMs !== undefined ? { expiresAtMs } : {}),
  };
}

/** `KUBERNETES_EXEC_INFO`: what the plugin is told about the call (never interactive here). */
export function execInfo(exec: KubeconfigExec, cluster: KubeconfigCluster): string {
  const spec: Record<string, unknown> = { interactive: false };
  if (exec.provideClusterInfo) {
    spec.cluster = {
      server: cluster.server,
      ...(cluster.certificateAuthorityData
        ? { 'certificate-authority-data': cluster.certificateAuthorityData }
        : {}),
      ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}),
      ...(cluster.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
    };
  }
  return JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec });
}

/** Options of {@link ExecCredentialSource}. */
export interface ExecCredentialSourceOptions {
  /** Renew this long before the credential's expiration. Default 10 s. */
  renewBeforeMs?: number;
  /** How long the plugin may run. Default 60 s. */
  timeoutMs?: number;
  /** The environment the plugin inherits, under `exec.env`. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * Runs a kubeconfig's exec credential plugin (`aws eks get-token`, `gke-gcloud-auth-plugin`, …) and keeps
 * its credential until shortly before it expires.
 *
 * Guarantees: concurrent callers share one run of the plugin; a failed run is not cached, so the next
 * request runs it again.
 *
 * Caveats: a credential without `expirationTimestamp` is kept for the life of the process, as client-go
 * keeps it until a 401 (which this client does not watch for).
 */
export class ExecCredentialSource {
  private cached: ExecCredentialStatus | undefined;
  private running: Promise<ExecCredentialStatus> | undefined;
  private readonly renewBeforeMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly env: Readonly<Record<string, string | undefined>>;

  constructor(
    private readonly exec: KubeconfigExec,
    private readonly cluster: KubeconfigCluster,
    options: ExecCredentialSourceOptions = {},
  ) {
    this.renewBeforeMs = options.renewBeforeMs ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.env = options.env ?? process.env;
  }

  /** The current credential, running the plugin when there is none or it is about to expire. */
  async credential(): Promise<ExecCredentialStatus> {
    const cached = this.cached;
    if (
      cached &&
      (cached.expiresAtMs === undefined || cached.expiresAtMs - this.renewBeforeMs > this.now())
    ) {
      return cached;
    }
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    this.cached = await this.running;
    return this.cached;
  }

  private run(): Promise<ExecCredentialStatus> {
    const { command, args, apiVersion } = this.exec;
    const env: Record<string, string | undefined> = { ...this.env };
    for (const { name, value } of this.exec.env) env[name] = value;
    env.KUBERNETES_EXEC_INFO = execInfo(this.exec, this.cluster);
    return new Promise((resolve, reject) => {
      execFile(
        command,
        args,
        { env, timeout: this.timeoutMs, maxBuffer: 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error) {
            const how =
              (error as NodeJS.ErrnoException).code === 'ENOENT'
                ? 'was not found on PATH; install it or fix exec.command'
                : `failed (${error.message.split('\n')[0]}): ${stderr.trim().slice(0, 500) || 'no output on stderr'}`;
            reject(
              new KubeError('KUBE_CONFIG_INVALID', `Exec credential plugin ${command} ${how}.`, {
                cause: error,
              }),
            );
            return;
          }
          try {
            resolve(parseExecCredential(stdout, apiVersion, command));
          } catch (parseError) {
            reject(parseError);
          }
        },
      );
    });
  }
}
