import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CoreV1Api, type V1ConfigMap, Watch } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBinaries } from '../../dev/local-cluster/binaries.ts';
import { ControlPlaneStartError, startControlPlane } from '../../dev/local-cluster/control-plane.ts';
import { freePort, isAddressInUse } from '../../dev/local-cluster/ports.ts';
import { createBucket, createNamespace, harness, kubeConfig, kubectl, s3Client } from './index.ts';

describe('the shared control plane', () => {
  it('creates a ConfigMap in a fresh namespace and sees it change through a watch', async () => {
    const namespace = await createNamespace('smoke');
    const kc = kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'greeting' }, data: { text: 'hello' } },
    });

    const seen: string[] = [];
    let resolveChanged: () => void = () => {};
    const changed = new Promise<void>((resolve) => {
      resolveChanged = resolve;
    });
    const request = await new Watch(kc).watch(
      `/api/v1/namespaces/${namespace}/configmaps`,
      {},
      (type: string, object: V1ConfigMap) => {
        seen.push(`${type}:${object.data?.text}`);
        if (type === 'MODIFIED' && object.data?.text === 'bonjour') resolveChanged();
      },
      () => {},
    );
    const current = await core.readNamespacedConfigMap({ name: 'greeting', namespace });
    await core.replaceNamespacedConfigMap({
      name: 'greeting',
      namespace,
      body: { ...current, data: { text: 'bonjour' } },
    });
    await changed;
    request.abort();
    expect(seen).toContain('ADDED:hello');
    expect(seen).toContain('MODIFIED:bonjour');
  });

  it('accepts a manifest through kubectl apply --dry-run=server with the harness kubeconfig', async () => {
    const namespace = await createNamespace('dryrun');
    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\n  namespace: ${namespace}\ndata:\n  a: "1"\n`;
    const applied = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: manifest });
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('configmap/dry created (server dry run)');
    const got = await kubectl(['get', 'configmap', 'dry', '-n', namespace]);
    expect(got.code).not.toBe(0);
    expect(got.stderr).toContain('NotFound');
  });

  it('rejects an invalid manifest through the server, not the client', async () => {
    const namespace = await createNamespace('dryrun-bad');
    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Valid_Name\n  namespace: ${namespace}\n`;
    const applied = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: manifest });
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toMatch(/Invalid value: "Not_A_Valid_Name"/);
  });
});

describe('the shared S3 server', () => {
  it('puts, gets, lists and deletes an object in a fresh bucket', async () => {
    const bucket = await createBucket('smoke');
    const s3 = s3Client();
    try {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'a/b.txt', Body: 'payload', ContentType: 'text/plain' }),
      );
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/b.txt' }));
      expect(await got.Body?.transformToString()).toBe('payload');
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/' }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual(['a/b.txt']);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'a/b.txt' }));
      const after = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect(after.KeyCount).toBe(0);
    } finally {
      s3.destroy();
    }
  });
});

describe('startControlPlane', () => {
  const cleanup: string[] = [];
  afterAll(async () => {
    for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
  });

  it('fails fast with the apiserver own error when a flag is broken', async () => {
    const binaries = await ensureBinaries();
    const started = Date.now();
    const error = await startControlPlane({ binaries, apiserverArgs: ['--no-such-flag=1'] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ControlPlaneStartError);
    expect(String((error as Error).message)).toContain('unknown flag: --no-such-flag');
    // Fails on the process exit, long before the 60 s readiness timeout.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('uses the binaries the run was given, so a second run does not rebuild', async () => {
    const binaries = await ensureBinaries();
    expect(['cache', 'KUBEBUILDER_ASSETS']).toContain(binaries.source);
    expect(binaries.dir).toBe(harness().binariesDir);
  });

  it('honours KUBEBUILDER_ASSETS and names what is missing there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assets-'));
    cleanup.push(dir);
    await writeFile(join(dir, 'etcd'), '#!/bin/sh\n', { mode: 0o755 });
    const error = await ensureBinaries({ ...process.env, KUBEBUILDER_ASSETS: dir }).catch((e: unknown) => e);
    expect(String(error)).toContain('lacks kube-apiserver, kubectl');
  });

  it('says what to install when there is neither a cache nor Go', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nocache-'));
    cleanup.push(dir);
    const env = { PATH: '/nonexistent', SHAZAM_CACHE_DIR: dir, HOME: dir };
    const error = await ensureBinaries(env).catch((e: unknown) => e);
    if (String(error).includes('Install Go')) {
      expect(String(error)).toMatch(/Install Go 1\.26 or newer/);
      expect(String(error)).toContain('KUBEBUILDER_ASSETS');
    } else {
      // /usr/local/go exists on this machine, so the harness would build: the message path is unreachable here.
      expect(await readFile('/usr/local/go/VERSION', 'utf8')).toMatch(/^go1\./);
    }
  });
});

describe('freePort', () => {
  it('picks bindable ports below the ephemeral range that outgoing connections use', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_768);
    }
  });

  it('recognises a server that lost the race for its port, as etcd, kube-apiserver and moto word it', () => {
    expect(isAddressInUse('listen tcp 127.0.0.1:34507: bind: address already in use')).toBe(true);
    expect(isAddressInUse('OSError: [Errno 98] Address already in use')).toBe(true);
    expect(isAddressInUse('unknown flag: --no-such-flag')).toBe(false);
  });
});
