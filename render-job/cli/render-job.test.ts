import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { Document } from '@gltf-transform/core';
import { KHRTextureBasisu } from '@gltf-transform/extensions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { freePort } from '../../dev/local-cluster/ports.ts';
import type { CliIO } from '../../lib/cli/command.ts';
import { parseFidelityReport } from '../../lib/contracts/fidelity-report.ts';
import { parseRenderManifest } from '../../lib/contracts/render-manifest.ts';
import { createGltfIO } from '../../lib/gltf/create-io.ts';
import { s3ConnectionToEnv } from '../../lib/storage/s3-client.ts';
import { createBucket, s3Client, s3Config } from '../../test/harness/index.ts';
import { createGpuContext } from '../gpu/create-gpu-context.ts';
import { fixturePath } from '../test-support/render-fixture.ts';

let bucket: string;
let client: ReturnType<typeof s3Client>;
let hardwareGpu: boolean;

beforeAll(async () => {
  bucket = await createBucket('render');
  client = s3Client();
  hardwareGpu = await createGpuContext({ allowSoftware: false }).then(
    (context) => {
      context.destroy();
      return true;
    },
    () => false,
  );
});

afterAll(() => client?.destroy());

async function shazam(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: { ...s3ConnectionToEnv(s3Config()), ...env },
    cwd: process.cwd(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr, lastLine: stderr.trim().split('\n').at(-1) ?? '' };
}

async function put(key: string, body: Uint8Array) {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

describe('shazam render-job', () => {
  it('renders an S3 GLB into the renders/ prefix, manifest last and complete', async () => {
    await put('assets/B0BOX00001/versions/1/model.glb', await readFile(fixturePath('Box')));
    const result = await shazam([
      'render-job',
      '--source',
      `s3://${bucket}/assets/B0BOX00001/versions/1/model.glb`,
      '--out',
      `s3://${bucket}/assets/B0BOX00001/versions/1/renders`,
      '--frames',
      '3',
      '--resolution',
      '64',
      '--allow-software',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Rendered 3 frames of 64×64/);
    // JSON log lines on stderr, one of them naming the adapter.
    const events = result.stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; adapter?: { backend: string } });
    expect(events.find((event) => event.msg === 'Opened GPU adapter')?.adapter?.backend).toMatch(
      /vulkan|opengles/,
    );

    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'assets/B0BOX00001/versions/1/renders/' }),
    );
    const keys = (listed.Contents ?? []).map((object) => object.Key).sort();
    expect(keys).toEqual(
      [
        '360/000.webp',
        '360/001.webp',
        '360/002.webp',
        'descriptors.json',
        'manifest.json',
        'poster.webp',
      ].map((path) => `assets/B0BOX00001/versions/1/renders/${path}`),
    );
    const object = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'assets/B0BOX00001/versions/1/renders/manifest.json' }),
    );
    const manifest = parseRenderManifest(JSON.parse(await object.Body!.transformToString()));
    expect(manifest.source.uri).toBe(`s3://${bucket}/assets/B0BOX00001/versions/1/model.glb`);
    expect(manifest.frames.map((frame) => frame.angleDeg)).toEqual([0, 120, 240]);
  });

  it('with --references, scores each photo against the turntable and writes fidelity.json', async () => {
    const prefix = 'assets/B0DUCK0001/versions/1/';
    await put(`${prefix}model.glb`, await readFile(fixturePath('Duck')));
    const screenshot = join(import.meta.dirname, '../../test/fixtures/models/Duck/screenshot/screenshot.png');
    await put(`${prefix}references/duck.png`, await readFile(screenshot));
    await put(`${prefix}references/notes.jpg`, new TextEncoder().encode('not a photo'));
    const result = await shazam([
      'render-job',
      '--source',
      `s3://${bucket}/${prefix}model.glb`,
      '--out',
      `s3://${bucket}/${prefix}renders/`,
      '--references',
      `s3://${bucket}/${prefix}references`,
      '--frames',
      '12',
      '--resolution',
      '160',
      '--background',
      '#ffffff',
      '--allow-software',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`reference fidelity: s3://${bucket}/${prefix}renders/fidelity.json`);
    const object = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: `${prefix}renders/fidelity.json` }),
    );
    const report = parseFidelityReport(JSON.parse(await object.Body!.transformToString()));
    expect(report.fidelity.renderPrefix).toBe(`s3://${bucket}/${prefix}renders/`);
    expect(report.fidelity.references.map((r) => r.reference)).toEqual(['references/duck.png']);
    expect(report.fidelity.references[0]?.verdict).not.toBe('Mismatch');
    expect(report.fidelity.error).toBe('not an image: references/notes.jpg');
    expect(result.stderr).toMatch(/"references":1,"match":\d,"check":\d,"mismatch":0,"refinementViews":9,/);
  }, 120_000);

  it('refuses --references outside the output bucket before rendering (exit 2)', async () => {
    const result = await shazam([
      'render-job',
      '--source',
      `s3://${bucket}/assets/B0BOX00001/versions/1/model.glb`,
      '--out',
      `s3://${bucket}/assets/B0BOX00001/versions/1/renders/`,
      '--references',
      's3://another-bucket/assets/B0BOX00001/versions/1/references/',
      '--allow-software',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--references: the photos must be in the output's bucket ${bucket}`);
  });

  it('exits 3 with a one-line reason when the GLB is missing, also its termination message', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'shazam-termination-'));
    const messagePath = join(scratch, 'termination-log');
    const result = await shazam(
      [
        'render-job',
        '--source',
        `s3://${bucket}/assets/B0MISSING1/versions/1/model.glb`,
        '--out',
        `s3://${bucket}/assets/B0MISSING1/versions/1/renders/`,
        '--allow-software',
      ],
      { SHAZAM_TERMINATION_MESSAGE_PATH: messagePath },
    );
    expect(result.code).toBe(3);
    expect(result.lastLine).toMatch(
      /the GLB s3:\/\/.*model\.glb does not exist .*SHAZAM_RENDER_SOURCE_NOT_FOUND/,
    );
    // The pod's status carries this line; the operator puts it in the RenderJob's message.
    expect(await readFile(messagePath, 'utf8')).toMatch(
      /^SHAZAM_RENDER_SOURCE_NOT_FOUND: the GLB s3:\/\/.*model\.glb does not exist/,
    );
    await rm(scratch, { recursive: true, force: true });
  });

  it('exits 10, not 3, when S3 refuses to read the GLB, and logs its process metrics first', async () => {
    const denied = await createBucket('render-denied');
    await client.send(
      new PutObjectCommand({ Bucket: denied, Key: 'model.glb', Body: await readFile(fixturePath('Box')) }),
    );
    await client.send(
      new PutBucketPolicyCommand({
        Bucket: denied,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [`arn:aws:s3:::${denied}`, `arn:aws:s3:::${denied}/*`],
            },
          ],
        }),
      }),
    );
    const result = await shazam([
      'render-job',
      '--source',
      `s3://${denied}/model.glb`,
      '--out',
      `s3://${bucket}/assets/B0DENIED01/versions/1/renders/`,
      '--allow-software',
    ]);
    expect(result.code).toBe(10);
    expect(result.lastLine).toMatch(
      /S3 refused to read the GLB s3:\/\/.*model\.glb .*SHAZAM_RENDER_SOURCE_DENIED/,
    );
    expect(result.lastLine).not.toMatch(/does not exist/);
    const metrics = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map(
        (line) => JSON.parse(line) as { msg: string; s3Requests?: Record<string, number>; process?: object },
      )
      .find((event) => event.msg === 'Process metrics');
    expect(metrics?.s3Requests).toEqual({ 'GetObject access_denied': 1 });
    expect(metrics?.process).toMatchObject({ rssBytes: expect.any(Number), cpuSeconds: expect.any(Number) });
  });

  it('exits 11, not 3, when S3 cannot be reached', async () => {
    const result = await shazam(
      [
        'render-job',
        '--source',
        `s3://${bucket}/assets/B0BOX00001/versions/1/model.glb`,
        '--out',
        `s3://${bucket}/assets/B0BOX00001/versions/1/renders/`,
        '--allow-software',
      ],
      { AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${await freePort()}` },
    );
    expect(result.code).toBe(11);
    expect(result.lastLine).toMatch(
      /cannot read the GLB s3:\/\/.*model\.glb \(STORAGE_UNAVAILABLE\).*SHAZAM_RENDER_STORAGE_UNAVAILABLE/,
    );
  });

  it('exits 5 when the GLB requires an extension the renderer lacks', async () => {
    const document = new Document();
    document.createExtension(KHRTextureBasisu).setRequired(true);
    const buffer = document.createBuffer();
    const position = document
      .createAccessor()
      .setType('VEC3')
      .setArray(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]))
      .setBuffer(buffer);
    const mesh = document
      .createMesh()
      .addPrimitive(document.createPrimitive().setAttribute('POSITION', position));
    document.createScene().addChild(document.createNode().setMesh(mesh));
    await put('assets/B0BASISU01/versions/1/model.glb', await (await createGltfIO()).writeBinary(document));
    const result = await shazam([
      'render-job',
      '--source',
      `s3://${bucket}/assets/B0BASISU01/versions/1/model.glb`,
      '--out',
      `s3://${bucket}/assets/B0BASISU01/versions/1/renders/`,
      '--frames',
      '1',
      '--resolution',
      '64',
      '--allow-software',
    ]);
    expect(result.code).toBe(5);
    expect(result.lastLine).toMatch(/KHR_texture_basisu.*SHAZAM_RENDER_UNSUPPORTED_EXTENSION/);
  });

  it('without --allow-software, fails with exit 6 unless a hardware GPU is present', async () => {
    await put('assets/B0BOX00002/versions/1/model.glb', await readFile(fixturePath('Box')));
    const result = await shazam([
      'render-job',
      '--source',
      `s3://${bucket}/assets/B0BOX00002/versions/1/model.glb`,
      '--out',
      `s3://${bucket}/assets/B0BOX00002/versions/1/renders/`,
      '--frames',
      '1',
      '--resolution',
      '64',
      '--require-gpu',
    ]);
    if (hardwareGpu) {
      expect(result.code, result.stderr).toBe(0);
    } else {
      expect(result.code).toBe(6);
      expect(result.lastLine).toMatch(
        /no usable WebGPU adapter.*--allow-software.*SHAZAM_RENDER_GPU_UNAVAILABLE/,
      );
    }
  });

  it.each([
    [['--out', 's3://bucket-a/renders/'], /--source is required/],
    [['--source', 'model.glb', '--out', 's3://bucket-a/renders/'], /--source: "model.glb" is not an S3 URI/],
    [
      ['--source', 's3://bucket-a/m.glb', '--out', 's3://bucket-a/r/', '--frames', 'many'],
      /--frames must be a number/,
    ],
    [
      ['--source', 's3://bucket-a/m.glb', '--out', 's3://bucket-a/r/', '--backend', 'metal'],
      /--backend must be/,
    ],
    [
      ['--source', 's3://bucket-a/m.glb', '--out', 's3://bucket-a/r/', '--require-gpu', '--allow-software'],
      /contradict/,
    ],
  ])('exits 2 on bad usage %#', async (argv, message) => {
    const result = await shazam(['render-job', ...argv]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('shazam render', () => {
  it('exits 3 when the local model does not exist', async () => {
    const result = await shazam([
      'render',
      'no-such-model.glb',
      '--out',
      '/tmp/render-no-such',
      '--allow-software',
    ]);
    expect(result.code).toBe(3);
    expect(result.lastLine).toMatch(/cannot read .*no-such-model\.glb/);
  });

  it('exits 2 when a setting is out of range, naming the range', async () => {
    const result = await shazam([
      'render',
      fixturePath('Box'),
      '--out',
      '/tmp/render-bad',
      '--resolution',
      '5000',
      '--allow-software',
    ]);
    expect(result.code).toBe(2);
    expect(result.lastLine).toMatch(/resolution must be a whole number of pixels from 16 to 4096, got 5000/);
  });
});
