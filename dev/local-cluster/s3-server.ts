import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3ConnectionConfig } from '../../lib/storage/s3-client.ts';
import { type ManagedProcess, startManagedProcess } from './managed-process.ts';
import { freePort, isAddressInUse } from './ports.ts';

/** A running S3-compatible server on loopback. */
export interface S3Server {
  /** Connection settings for `createS3Client` (path-style, static credentials). */
  connection: Required<
    Pick<S3ConnectionConfig, 'endpoint' | 'region' | 'accessKeyId' | 'secretAccessKey'>
  > & {
    forcePathStyle: true;
  };
  stop(): Promise<void>;
}

/** Raised when the S3 server cannot start; the message says what to install. */
export class S3ServerStartError extends Error {
  override name = 'S3ServerStartError';
}

/**
 * Starts moto's S3-compatible server (`python3 -m moto.server`) on a free loopback port and waits until it
 * answers. Data lives in memory and is gone when it stops. A server that loses the race for its port is
 * started again on another, up to three times.
 */
export async function startS3Server(options: { readyTimeoutMs?: number } = {}): Promise<S3Server> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startS3ServerOnce(options);
    } catch (error) {
      if (!(error instanceof S3ServerStartError) || !isAddressInUse(error.message) || attempt >= 3)
        throw error;
    }
  }
}

async function startS3ServerOnce(options: { readyTimeoutMs?: number }): Promise<S3Server> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'shazam-s3-'));
  const server: ManagedProcess = startManagedProcess({
    name: 'moto S3 server',
    command: 'python3',
    args: ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    logFile: join(dir, 'moto.log'),
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  let exit: number | string | undefined;
  void server.exited.then((code) => {
    exit = code;
  });
  for (;;) {
    if (exit !== undefined) {
      await rm(dir, { recursive: true, force: true });
      throw new S3ServerStartError(
        `the S3 server (python3 -m moto.server) exited (${exit}):\n${server.tail(20)}\n` +
          'Install moto with its server extra (pip install "moto[server]") or the Debian packages it needs.',
      );
    }
    try {
      const res = await fetch(`${endpoint}/`);
      if (res.status < 500) break;
    } catch {}
    if (Date.now() > deadline) {
      await server.stop();
      throw new S3ServerStartError(`the S3 server did not answer on ${endpoint}:\n${server.tail(20)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    connection: {
      endpoint,
      region: 'us-east-1',
      accessKeyId: 'shazam-test',
      secretAccessKey: 'shazam-test-secret',
      forcePathStyle: true,
    },
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
