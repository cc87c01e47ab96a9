import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Document } from '@gltf-transform/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { parseValidationResult, type ValidationResult } from '../../lib/contracts/validation-result.ts';
import { createGltfIO } from '../../lib/gltf/create-io.ts';
import {
  incomingKey,
  validationReportKey,
  validationResultKey,
  versionKeys,
} from '../../lib/storage/layout.ts';
import { createS3Client, s3ConnectionToEnv } from '../../lib/storage/s3-client.ts';
import { checkUsdzPackage } from '../../lib/usdz/usdz-package.ts';
import { createBucket, s3Client, s3Config } from '../../test/harness/index.ts';
import { buildTestZip, type TestZipEntry } from '../../test/support/validation/test-zip.ts';
import { DEFAULT_POLICY } from '../policy/policy.ts';
import type { RepairProvenance } from '../repair/provenance.ts';
import { toCompactResult, type ValidationReport } from '../report/report.ts';
import { runValidationJob } from '../run-validation-job.ts';

const example = fileURLToPath(new URL('../../examples/deliveries/B0D4KMX7Q2/', import.meta.url));
const ASIN = 'B0D4KMX7Q2';

async function folderEntries(dir: string, prefix = ''): Promise<TestZipEntry[]> {
  const entries: TestZipEntry[] = [];
  for (const item of (await readdir(join(dir, prefix), { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const name = `${prefix}${item.name}`;
    if (item.isDirectory()) entries.push(...(await folderEntries(dir, `${name}/`)));
    else entries.push({ name, data: await readFile(join(dir, name)) });
  }
  return entries;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function getJson(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await response.Body!.transformToString());
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key!).sort();
}

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (text: string) => {
        out.stdout += text;
      },
      stderr: (text: string) => {
        out.stderr += text;
      },
      env: { ...process.env, ...s3ConnectionToEnv(s3Config()) },
      cwd: process.cwd(),
    },
  };
}

describe('shazam validate-job against a real S3 server', () => {
  let s3: S3Client;
  let incoming: string;
  let assets: string;
  let zip: Buffer;
  let zipSha: string;

  beforeAll(async () => {
    s3 = s3Client();
    incoming = await createBucket('incoming');
    assets = await createBucket('assets');
    zip = buildTestZip(await folderEntries(example));
    zipSha = sha256(zip);
  });
  afterAll(() => s3.destroy());

  async function upload(revision: number, body: Buffer): Promise<string> {
    const key = incomingKey(ASIN, revision);
    await s3.send(new PutObjectCommand({ Bucket: incoming, Key: key, Body: body }));
    return `s3://${incoming}/${key}`;
  }

  function jobArgs(revision: number, sha: string, deliveryUri: string): string[] {
    return [
      'validate-job',
      '--delivery',
      deliveryUri,
      '--sha256',
      sha,
      '--asin',
      ASIN,
      '--revision',
      String(revision),
      '--stages',
      'cleanup,uv,texturing',
      '--assets-bucket',
      assets,
      '--result',
      `s3://${assets}/${validationResultKey(ASIN, revision, sha)}`,
    ];
  }

  it('validates the example delivery, ingests a complete version and writes a Passed result', async () => {
    const uri = await upload(1, zip);
    const run = io();
    expect(await main(jobArgs(1, zipSha, uri), run.io)).toBe(0);
    const result = parseValidationResult(await getJson(s3, assets, validationResultKey(ASIN, 1, zipSha)));
    expect(result.verdict).toBe('Passed');
    expect(result.stages).toEqual({ cleanup: 'Passed', uv: 'Passed', texturing: 'Passed' });
    expect(result.sha256).toBe(zipSha);
    const keys = versionKeys(ASIN, 1);
    expect(result.reportUri).toBe(`s3://${assets}/${keys.report}`);
    expect(await listKeys(s3, assets, keys.prefix)).toEqual(
      [
        keys.complete,
        keys.model,
        keys.webModel,
        keys.arModel,
        `${keys.referencesPrefix}front-0.jpg`,
        `${keys.referencesPrefix}front-1.jpg`,
        `${keys.referencesPrefix}front-2.jpg`,
        keys.report,
      ].sort(),
    );
    const web = await s3.send(new GetObjectCommand({ Bucket: assets, Key: keys.webModel }));
    const webBytes = await web.Body!.transformToByteArray();
    expect(webBytes.byteLength).toBe(result.version!.webModelBytes);
    // The web GLB is smaller than the delivered one and still loads with the shared reader.
    expect(result.version!.webModelBytes).toBeLessThan(result.version!.modelBytes);
    const document = await (await createGltfIO()).readBinary(webBytes);
    expect(document.getRoot().listMeshes()).toHaveLength(1);
    // The AR Quick Look USDZ of the web GLB sits beside it, a valid package.
    const usdz = await s3.send(new GetObjectCommand({ Bucket: assets, Key: keys.arModel }));
    const usdzBytes = await usdz.Body!.transformToByteArray();
    expect(result.version!.arModel).toBe(keys.arModel);
    expect(usdzBytes.byteLength).toBe(result.version!.arModelBytes);
    expect(checkUsdzPackage(usdzBytes)).toEqual([]);
    expect(JSON.stringify(result).length).toBeLessThan(8 * 1024);
    // A passed delivery's full report is the version's; none is stored beside the result.
    expect(await listKeys(s3, assets, `assets/${ASIN}/validation/r1-`)).toEqual([
      validationResultKey(ASIN, 1, zipSha),
    ]);
    expect(run.out.stderr).toContain('"msg":"Validated delivery"');
  });

  it('fails a delivery whose sha256 does not match and writes nothing under versions/', async () => {
    const uri = await upload(2, zip);
    const wrong = 'a'.repeat(64);
    expect(await main(jobArgs(2, wrong, uri), io().io)).toBe(0);
    const result = parseValidationResult(await getJson(s3, assets, validationResultKey(ASIN, 2, wrong)));
    expect(result.verdict).toBe('Failed');
    expect(result.findings[0]?.code).toBe('DELIVERY_SHA256_MISMATCH');
    expect(result.findings[0]?.message).toContain(zipSha);
    expect(result.reportUri).toBe(`s3://${assets}/${validationReportKey(ASIN, 2, wrong)}`);
    const report = (await getJson(s3, assets, validationReportKey(ASIN, 2, wrong))) as ValidationReport;
    expect(report.findings.map((item) => item.code)).toEqual(['DELIVERY_SHA256_MISMATCH']);
    expect(await listKeys(s3, assets, versionKeys(ASIN, 2).prefix)).toEqual([]);
  });

  it('stores the full report of a failed delivery beside its result, every finding, before the result', async () => {
    const revision = 4;
    // manifest.yaml still says revision 1 (an error) and twelve stray files each get a warning: more
    // findings than the compact result holds.
    const strays = Array.from({ length: 12 }, (_, index) => ({
      name: `notes/note-${String(index).padStart(2, '0')}.txt`,
      data: Buffer.from(`note ${index}\n`),
    }));
    const failing = buildTestZip([...(await folderEntries(example)), ...strays]);
    const failingSha = sha256(failing);
    const uri = await upload(revision, failing);
    expect(await main(jobArgs(revision, failingSha, uri), io().io)).toBe(0);

    const reportKey = validationReportKey(ASIN, revision, failingSha);
    const resultKey = validationResultKey(ASIN, revision, failingSha);
    expect(reportKey).toBe(`assets/${ASIN}/validation/r${revision}-${failingSha.slice(0, 16)}.report.json`);
    const result = parseValidationResult(await getJson(s3, assets, resultKey));
    expect(result.verdict).toBe('Failed');
    expect(result.version).toBeUndefined();
    expect(result.reportUri).toBe(`s3://${assets}/${reportKey}`);
    expect(result.findings).toHaveLength(10);

    const report = (await getJson(s3, assets, reportKey)) as ValidationReport & { version?: unknown };
    expect(report.apiVersion).toBe('shazam.dev/validation-report/v1');
    expect(report.verdict).toBe('Failed');
    expect(report.sha256).toBe(failingSha);
    expect(report.version).toBeUndefined();
    expect(report.counts.errors).toBe(result.errors);
    expect(report.counts.warnings).toBe(result.warnings);
    expect(report.findings).toHaveLength(report.counts.errors + report.counts.warnings + report.counts.infos);
    expect(report.findings.length).toBeGreaterThan(result.findings.length);
    const codes = report.findings.map((item) => item.code);
    expect(codes).toContain('MANIFEST_REVISION_MISMATCH');
    expect(
      report.findings
        .filter((item) => item.code === 'STRUCTURE_UNEXPECTED_FILE')
        .map((item) => item.location?.file),
    ).toEqual(expect.arrayContaining(strays.map((stray) => stray.name)));
    // The stored report is the one the result was cut from.
    expect(toCompactResult(report, failingSha, { reportUri: result.reportUri })).toEqual(result);
    expect(await listKeys(s3, assets, versionKeys(ASIN, revision).prefix)).toEqual([]);
    expect(await listKeys(s3, assets, `assets/${ASIN}/validation/r${revision}-`)).toEqual(
      [reportKey, resultKey].sort(),
    );

    // The Job's retry rewrites both, the report first: a result never points at a missing report.
    const recording = createS3Client(s3Config());
    const written: string[] = [];
    recording.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand') written.push((args.input as { Key: string }).Key);
        return next(args);
      },
      { step: 'initialize', name: 'recordPuts' },
    );
    try {
      const again = await runValidationJob({
        s3: recording,
        delivery: { bucket: incoming, key: incomingKey(ASIN, revision) },
        sha256: failingSha,
        asin: ASIN,
        revision,
        stages: ['cleanup', 'uv', 'texturing'],
        assetsBucket: assets,
        result: { bucket: assets, key: resultKey },
        policy: DEFAULT_POLICY,
      });
      expect(again.result.reportUri).toBe(result.reportUri);
    } finally {
      recording.destroy();
    }
    expect(written).toEqual([reportKey, resultKey]);
    expect(await listKeys(s3, assets, versionKeys(ASIN, revision).prefix)).toEqual([]);
  });

  /** The example delivery as revision `revision`, its model damaged by `damage`. */
  async function damagedDelivery(revision: number, damage: (document: Document) => void) {
    const io = await createGltfIO();
    const entries = await folderEntries(example);
    let model = new Uint8Array();
    const damaged = await Promise.all(
      entries.map(async (entry) => {
        if (entry.name === 'manifest.yaml') {
          return {
            ...entry,
            data: Buffer.from(String(entry.data).replace('revision: 1', `revision: ${revision}`)),
          };
        }
        if (typeof entry.name !== 'string' || !entry.name.endsWith('.glb') || !entry.data) return entry;
        const document = await io.readBinary(new Uint8Array(entry.data));
        damage(document);
        model = await io.writeBinary(document);
        return { ...entry, data: Buffer.from(model) };
      }),
    );
    const zip = buildTestZip(damaged);
    return { zip, zipSha: sha256(zip), model };
  }

  /** Modelled in centimetres and 3 m beside the origin: two errors, each with a mechanical fix. */
  const centimetresOffOrigin = (document: Document) => {
    for (const node of document.getRoot().getDefaultScene()!.listChildren()) {
      node.setScale(node.getScale().map((value) => value * 100) as [number, number, number]);
      const [x, y, z] = node.getTranslation().map((value) => value * 100);
      node.setTranslation([x! + 300, y!, z!]);
    }
  };

  it('makes a repaired candidate of a delivery that fails on fixable findings, never changing the artist’s', async () => {
    const revision = 6;
    const {
      zip: delivery,
      zipSha: deliverySha,
      model,
    } = await damagedDelivery(revision, centimetresOffOrigin);
    const uri = await upload(revision, delivery);
    const run = io();
    expect(await main(jobArgs(revision, deliverySha, uri), run.io)).toBe(0);
    expect(run.out.stdout).toMatch(
      /The delivery failed \(.*CLEANUP_SCALE.*\); its repaired candidate passed: Scaled the model by 0\.01/,
    );

    const keys = versionKeys(ASIN, revision);
    const result = parseValidationResult(
      await getJson(s3, assets, validationResultKey(ASIN, revision, deliverySha)),
    );
    expect(result.verdict).toBe('Passed');
    expect(result.errors).toBe(0);
    expect(result.version?.prefix).toBe(keys.prefix);
    expect(result.repair?.source.codes).toEqual(expect.arrayContaining(['CLEANUP_SCALE', 'CLEANUP_ORIGIN']));
    expect(result.repair?.changes.map((change) => change.fix)).toEqual(['unit-scale', 'recenter']);
    expect(result.repair?.provenanceUri).toBe(`s3://${assets}/${keys.repairProvenance}`);

    // The artist's failed report stays where a failure's report goes, with the errors it failed on.
    const sourceReportKey = validationReportKey(ASIN, revision, deliverySha);
    expect(result.repair?.source.reportUri).toBe(`s3://${assets}/${sourceReportKey}`);
    const failed = (await getJson(s3, assets, sourceReportKey)) as ValidationReport;
    expect(failed.verdict).toBe('Failed');
    expect(failed.findings.map((item) => item.code)).toContain('CLEANUP_SCALE');

    // The version is the candidate: the repaired model, the artist's photos, and where it came from.
    expect(await listKeys(s3, assets, keys.prefix)).toEqual(
      expect.arrayContaining([keys.model, keys.webModel, keys.arModel, keys.repairProvenance, keys.complete]),
    );
    const provenance = (await getJson(s3, assets, keys.repairProvenance)) as RepairProvenance;
    const stored = await s3.send(new GetObjectCommand({ Bucket: assets, Key: keys.model }));
    const storedModel = new Uint8Array(await stored.Body!.transformToByteArray());
    expect(provenance.source).toMatchObject({ revision, sha256: deliverySha, model: `model/${ASIN}.glb` });
    expect(provenance.source.modelSha256).toBe(sha256(model));
    expect(provenance.sha256).toBe(sha256(storedModel));
    expect(provenance.sha256).not.toBe(provenance.source.modelSha256);
    expect(provenance.changes[0]).toMatchObject({ fix: 'unit-scale', after: expect.any(Object) });
    const report = (await getJson(s3, assets, keys.report)) as ValidationReport & { repair?: unknown };
    expect(report.verdict).toBe('Passed');
    expect(report.repair).toEqual(provenance);

    // The artist's delivery is as uploaded.
    const original = await s3.send(
      new GetObjectCommand({ Bucket: incoming, Key: incomingKey(ASIN, revision) }),
    );
    expect(sha256(new Uint8Array(await original.Body!.transformToByteArray()))).toBe(deliverySha);
  });

  it('makes no candidate when the policy allows no repair, or an error has none', async () => {
    const revision = 7;
    const { zip: delivery, zipSha: deliverySha } = await damagedDelivery(revision, centimetresOffOrigin);
    await upload(revision, delivery);
    const common = {
      s3,
      delivery: { bucket: incoming, key: incomingKey(ASIN, revision) },
      sha256: deliverySha,
      asin: ASIN,
      revision,
      stages: ['cleanup', 'uv', 'texturing'] as ValidationResult['stages'] extends Record<infer K, unknown>
        ? K[]
        : never,
      assetsBucket: assets,
      result: { bucket: assets, key: validationResultKey(ASIN, revision, deliverySha) },
    };
    const off = await runValidationJob({
      ...common,
      policy: { ...DEFAULT_POLICY, repair: { ...DEFAULT_POLICY.repair, allowed: [] } },
    });
    expect(off.result.verdict).toBe('Failed');
    expect(off.result.repair).toBeUndefined();
    expect(off.repairNote).toMatch(/^no repaired candidate: no repair answers .*CLEANUP_SCALE/);
    const partly = await runValidationJob({
      ...common,
      policy: { ...DEFAULT_POLICY, repair: { ...DEFAULT_POLICY.repair, allowed: ['recenter'] } },
    });
    expect(partly.result.verdict).toBe('Failed');
    expect(partly.repairNote).toBe('no repaired candidate: no repair answers CLEANUP_SCALE');
    expect(await listKeys(s3, assets, versionKeys(ASIN, revision).prefix)).toEqual([]);
  });

  it('fails a missing delivery with DELIVERY_NOT_FOUND', async () => {
    const sha = 'b'.repeat(64);
    const uri = `s3://${incoming}/${incomingKey(ASIN, 9)}`;
    expect(await main(jobArgs(9, sha, uri), io().io)).toBe(0);
    const result = parseValidationResult(await getJson(s3, assets, validationResultKey(ASIN, 9, sha)));
    expect(result.findings.map((item) => item.code)).toEqual(['DELIVERY_NOT_FOUND']);
  });

  it('finishes a version on retry after a crash mid-upload, and a third run changes nothing', async () => {
    const revision = 3;
    const entries = await folderEntries(example);
    const zip = buildTestZip(
      entries.map((entry) =>
        entry.name === 'manifest.yaml'
          ? {
              ...entry,
              data: Buffer.from(String(entry.data).replace('revision: 1', `revision: ${revision}`)),
            }
          : entry,
      ),
    );
    const zipSha = sha256(zip);
    const uri = await upload(revision, zip);
    const keys = versionKeys(ASIN, revision);
    const common = {
      delivery: { bucket: incoming, key: incomingKey(ASIN, revision) },
      sha256: zipSha,
      asin: ASIN,
      revision,
      stages: ['cleanup', 'uv', 'texturing'] as ValidationResult['stages'] extends Record<infer K, unknown>
        ? K[]
        : never,
      assetsBucket: assets,
      result: { bucket: assets, key: validationResultKey(ASIN, revision, zipSha) },
      policy: DEFAULT_POLICY,
    };
    // The "crash": the S3 connection dies on the third object written under the version.
    const crashing = createS3Client(s3Config());
    let puts = 0;
    crashing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand' && ++puts === 3) {
          throw Object.assign(new Error('connection reset by peer'), { name: 'NetworkingError' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'crashOnThirdPut' },
    );
    await expect(runValidationJob({ ...common, s3: crashing })).rejects.toThrow('connection reset');
    crashing.destroy();
    const partial = await listKeys(s3, assets, keys.prefix);
    expect(partial).toHaveLength(2);
    expect(partial).not.toContain(keys.complete);
    expect(await listKeys(s3, assets, `assets/${ASIN}/validation/r${revision}-`)).toEqual([]);

    // The Job's retry: a fresh process, same arguments.
    expect(await main(jobArgs(revision, zipSha, uri), io().io)).toBe(0);
    const marker = (await getJson(s3, assets, keys.complete)) as {
      sha256: string;
      objects: { key: string }[];
    };
    expect(marker.sha256).toBe(zipSha);
    expect(marker.objects.map((object) => object.key).sort()).toEqual(
      (await listKeys(s3, assets, keys.prefix)).filter((key) => key !== keys.complete),
    );
    const completeBefore = await s3.send(new GetObjectCommand({ Bucket: assets, Key: keys.complete }));
    const again = await runValidationJob({ ...common, s3 });
    expect(again.ingested).toBe(false);
    expect(again.result.verdict).toBe('Passed');
    const completeAfter = await s3.send(new GetObjectCommand({ Bucket: assets, Key: keys.complete }));
    expect(completeAfter.ETag).toBe(completeBefore.ETag);
  });

  it('refuses a different delivery for a revision that is already complete', async () => {
    const entries = await folderEntries(example);
    const changed = buildTestZip(
      entries.map((entry) =>
        entry.name === 'manifest.yaml'
          ? { ...entry, data: Buffer.from(`${String(entry.data)}# re-packed\n`) }
          : entry,
      ),
    );
    const changedSha = sha256(changed);
    const uri = await upload(1, changed);
    expect(await main(jobArgs(1, changedSha, uri), io().io)).toBe(0);
    const result = parseValidationResult(await getJson(s3, assets, validationResultKey(ASIN, 1, changedSha)));
    expect(result.verdict).toBe('Failed');
    expect(result.findings.map((item) => item.code)).toContain('INGEST_REVISION_EXISTS');
    expect(result.reportUri).toBe(`s3://${assets}/${validationReportKey(ASIN, 1, changedSha)}`);
    const report = (await getJson(s3, assets, validationReportKey(ASIN, 1, changedSha))) as ValidationReport;
    expect(report.findings.map((item) => item.code)).toContain('INGEST_REVISION_EXISTS');
    const marker = (await getJson(s3, assets, versionKeys(ASIN, 1).complete)) as { sha256: string };
    expect(marker.sha256).toBe(zipSha);
  });

  it.each([
    // each row: arguments that are wrong, and the word the usage error names
    [['--asin', 'bad'], '--asin'],
    [['--revision', '0'], '--revision'],
    [['--sha256', 'XYZ'], '--sha256'],
    [['--stages', 'cleanup,paint'], 'paint'],
    [['--delivery', 'https://example.com/x.zip'], '--delivery'],
  ])('exits 2 on a usage error (%j)', async (override, word) => {
    const args = jobArgs(1, zipSha, `s3://${incoming}/${incomingKey(ASIN, 1)}`);
    const index = args.indexOf(override[0]!);
    args[index + 1] = override[1]!;
    const run = io();
    expect(await main(args, run.io)).toBe(2);
    expect(run.out.stderr).toContain(word);
  });

  it('exits 1 when S3 cannot be reached', async () => {
    const run = io();
    run.io.env = { ...run.io.env, AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' };
    expect(await main(jobArgs(1, zipSha, `s3://${incoming}/${incomingKey(ASIN, 1)}`), run.io)).toBe(1);
    expect(run.out.stderr).toContain('Validation Job failed');
  });
});
