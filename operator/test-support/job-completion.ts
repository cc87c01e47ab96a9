/**
 * Completes Jobs where no kubelet runs, for operator tests: writes what the Job's program writes (read
 * from the Job's own arguments) and then the Job status the Job controller would write.
 *
 * It stands in for the programs only where the test says so: the validation result written here is a real
 * `ValidationResult` (checked by the contract's parser) and the render outputs follow docs/architecture.md.
 */
import { readFileSync } from 'node:fs';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { KubernetesObject } from '@kubernetes/client-node';
import { type Job, RESOURCES } from '../../controllers/resources.ts';
import {
  parseRenderManifest,
  RENDER_MANIFEST_API_VERSION,
  type RenderManifest,
} from '../../lib/contracts/render-manifest.ts';
import { parseValidationResult, type ValidationResult } from '../../lib/contracts/validation-result.ts';
import type { KubeClient } from '../../lib/kube/client.ts';
import { frameFileName, versionKeys } from '../../lib/storage/layout.ts';
import { parseS3Uri } from '../../lib/storage/s3-uri.ts';

const MODEL = readFileSync(
  new URL('../../test/fixtures/gltf-validator-suite/test/base/data/glb/valid.glb', import.meta.url),
);

/** The `--name value` arguments of a Job's container. */
export function jobArgs(job: Job): Map<string, string> {
  const spec = job.spec as { template: { spec: { containers: { args?: string[] }[] } } };
  const args = spec.template.spec.containers[0]?.args ?? [];
  const map = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) continue;
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      map.set(arg.slice(2), next);
      i++;
    } else {
      map.set(arg.slice(2), 'true');
    }
  }
  return map;
}

async function put(s3: S3Client, uri: string, body: string | Uint8Array, contentType: string): Promise<void> {
  const { bucket, key } = parseS3Uri(uri);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

/** Marks a Job finished the way the Job controller does (status subresource). */
export async function finishJob(kube: KubeClient, job: Job, outcome: 'Succeeded' | 'Failed'): Promise<void> {
  const { namespace, name } = job.metadata;
  const current = await kube.get<Job & KubernetesObject>(RESOURCES.job, namespace, name);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions =
    outcome === 'Succeeded'
      ? [
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
            lastProbeTime: now,
            lastTransitionTime: now,
          },
          {
            type: 'Complete',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
            lastProbeTime: now,
            lastTransitionTime: now,
          },
        ]
      : [
          {
            type: 'FailureTarget',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastProbeTime: now,
            lastTransitionTime: now,
          },
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastProbeTime: now,
            lastTransitionTime: now,
          },
        ];
  const status: Record<string, unknown> = {
    startTime: now,
    conditions,
    ...(outcome === 'Succeeded' ? { succeeded: 1, completionTime: now } : { failed: 1 }),
    ready: 0,
    terminating: 0,
    uncountedTerminatedPods: {},
  };
  await kube.replace(RESOURCES.job, namespace, name, { ...current, status } as KubernetesObject, 'status');
}

/**
 * Writes what `shazam validate-job` writes for `verdict`: on Passed the version folder (model, web model,
 * report) with `complete.json` last, then the compact result; on Failed only the compact result.
 */
export async function writeValidationOutputs(
  s3: S3Client,
  job: Job,
  verdict: 'Passed' | 'Failed',
): Promise<ValidationResult> {
  const args = jobArgs(job);
  const asin = args.get('asin')!;
  const revision = Number(args.get('revision'));
  const bucket = args.get('assets-bucket')!;
  const keys = versionKeys(asin, revision);
  const result: ValidationResult = parseValidationResult({
    apiVersion: 'shazam.dev/validation-result/v1',
    asin,
    revision,
    sha256: args.get('sha256'),
    verdict,
    stages: { cleanup: 'Passed', uv: verdict, texturing: 'Passed' },
    errors: verdict === 'Failed' ? 1 : 0,
    warnings: 0,
    findings:
      verdict === 'Failed'
        ? [
            {
              code: 'UV_MISSING_TEXCOORD',
              severity: 'error',
              stage: 'uv',
              message: 'Mesh "body" has no TEXCOORD_0; unwrap it.',
            },
          ]
        : [],
    summary: verdict === 'Passed' ? 'All checks passed.' : '1 error.',
    profiles: [],
    ...(verdict === 'Passed'
      ? {
          reportUri: `s3://${bucket}/${keys.report}`,
          version: {
            bucket,
            prefix: keys.prefix,
            model: keys.model,
            webModel: keys.webModel,
            modelBytes: MODEL.length,
            webModelBytes: MODEL.length,
          },
        }
      : {}),
    completedAt: new Date().toISOString(),
    tools: { validator: 'test', gltfValidator: 'test' },
  });
  if (verdict === 'Passed') {
    await put(s3, `s3://${bucket}/${keys.model}`, MODEL, 'model/gltf-binary');
    await put(s3, `s3://${bucket}/${keys.webModel}`, MODEL, 'model/gltf-binary');
    await put(s3, `s3://${bucket}/${keys.report}`, '{}', 'application/json');
    await put(s3, `s3://${bucket}/${keys.complete}`, JSON.stringify({ revision }), 'application/json');
  }
  await put(s3, args.get('result')!, JSON.stringify(result), 'application/json');
  return result;
}

/** Writes what `shazam render-job` writes: frames, poster, descriptors and, last, a valid manifest. */
export async function writeRenderOutputs(s3: S3Client, job: Job, frames = 4): Promise<RenderManifest> {
  const args = jobArgs(job);
  const out = args.get('out')!;
  const files: RenderManifest['files'] = [];
  const frameList: RenderManifest['frames'] = [];
  for (let i = 0; i < frames; i++) {
    const path = `360/${frameFileName(i)}`;
    await put(s3, `${out}${path}`, 'frame', 'image/webp');
    files.push({ path, bytes: 5, contentType: 'image/webp' });
    frameList.push({ index: i, angleDeg: (360 / frames) * i, fill: 0.9, files: { webp: path } });
  }
  await put(s3, `${out}poster.webp`, 'poster', 'image/webp');
  await put(s3, `${out}descriptors.json`, '{}', 'application/json');
  files.push(
    { path: 'poster.webp', bytes: 6, contentType: 'image/webp' },
    { path: 'descriptors.json', bytes: 2, contentType: 'application/json' },
  );
  const now = new Date().toISOString();
  const manifest = parseRenderManifest({
    apiVersion: RENDER_MANIFEST_API_VERSION,
    source: { uri: args.get('source'), bytes: MODEL.length, sha256: 'a'.repeat(64) },
    settings: {
      frames,
      resolution: 256,
      elevationDeg: 15,
      background: '#ffffff',
      preset: null,
      formats: ['webp'],
      msaaSamples: 4,
      fill: 0.9,
    },
    camera: {
      eye: [0, 1, 3],
      target: [0, 0, 0],
      up: [0, 1, 0],
      frustum: { left: -0.3, right: 0.3, bottom: -0.3, top: 0.3 },
      near: 1,
      far: 5,
      verticalFovDeg: 33.4,
      axisOrigin: [0, 0, 0],
    },
    adapter: {
      backend: 'opengles',
      vendor: 'mesa',
      architecture: '',
      device: 'llvmpipe',
      description: 'llvmpipe (LLVM 15)',
      software: true,
      featureLevel: 'compatibility',
    },
    scene: {
      triangles: 12,
      vertices: 24,
      primitives: 1,
      materials: 1,
      textures: 0,
      extensionsUsed: [],
      bounds: { min: [-0.5, 0, -0.5], max: [0.5, 1, 0.5] },
    },
    frames: frameList,
    poster: 'poster.webp',
    descriptors: 'descriptors.json',
    fillCheck: null,
    timings: {
      startedAt: now,
      completedAt: now,
      loadSeconds: 0.1,
      uploadSeconds: 0.1,
      renderSeconds: 2,
      framesPerSecond: frames / 2,
      meanFrameRenderMs: 20,
      meanFrameEncodeMs: 10,
    },
    files,
    renderer: { name: 'shazam-render-job', node: process.version, webgpu: 'test', sharp: 'test' },
  });
  await put(s3, `${out}manifest.json`, JSON.stringify(manifest), 'application/json');
  return manifest;
}
