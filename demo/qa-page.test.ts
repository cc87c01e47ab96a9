import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { renderProfiles } from '../controllers/render-job/profiles.ts';
import { grantReviewerAccess, tokenKubeconfig } from '../dev/reviewer-access.ts';
import { assessDelivery } from '../lib/fidelity/assess-delivery.ts';
import { KubeClient } from '../lib/kube/client.ts';
import { mixerFillShort } from '../lib/profiles/test-support/mixer-fill.ts';
import { getResource } from '../lib/shazam-client/resources.ts';
import { versionKeys } from '../lib/storage/layout.ts';
import {
  kubeConfig as adminKubeConfig,
  createBucket,
  createNamespace,
  s3Client,
} from '../test/harness/index.ts';
import {
  createObject,
  testReview,
  testSubmission,
  writeReviewStatus,
  writeSubmissionStatus,
} from '../test/support/cli/test-objects.ts';
import { type HeadlessBrowser, launchChromium, modelShown } from './browser.ts';
import { type PagesServer, startPagesServer } from './pages-server.ts';

const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url));

// Software WebGL and a shared, busy machine make every page step slow; wait on state, not on the clock.
vi.setConfig({ expect: { poll: { timeout: 90_000, interval: 250 } } });

// The QA page in headless Chromium against the shared apiserver and S3 server: what it shows, and that
// decisions go through with the reviewer's own credentials so RBAC decides.
describe('QA page (headless Chromium, real apiserver and S3)', () => {
  let namespace: string;
  let admin: KubeClient;
  let pages: PagesServer;
  let browser: HeadlessBrowser;
  let observerToken: string;
  let bucket: string;
  const s3 = s3Client();

  beforeAll(async () => {
    namespace = await createNamespace('qa-page');
    const adminConfig = adminKubeConfig();
    admin = new KubeClient(adminConfig);
    bucket = await createBucket('assets');
    const keys = versionKeys('B0TESTBOX1', 1);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: keys.model,
        Body: await readFile(`${fixtures}models/Duck/glTF-Binary/Duck.glb`),
      }),
    );
    for (const name of ['Mixer-0.jpg', 'Mixer-1.jpg']) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `${keys.referencesPrefix}${name}`,
          Body: await readFile(`${fixtures}reference-images/${name}`),
        }),
      );
    }
    const reviewer = await grantReviewerAccess({ admin, namespace, name: 'qa-reviewer', mayDecide: true });
    observerToken = (await grantReviewerAccess({ admin, namespace, name: 'qa-observer', mayDecide: false }))
      .token;
    const cluster = adminConfig.getCurrentCluster()!;
    const reviewerConfig = adminKubeConfig();
    reviewerConfig.loadFromString(
      tokenKubeconfig({
        server: cluster.server,
        caData: cluster.caData!,
        token: reviewer.token,
        namespace,
        user: 'qa-reviewer',
      }),
    );

    for (const [name, asin] of [
      ['duck', 'B0TESTBOX1'],
      ['lamp', 'B0LAMP0001'],
    ] as const) {
      await createObject(admin, namespace, testSubmission(name, asin));
      await createObject(admin, namespace, testReview(`${name}-qa-r1`, name));
      await writeSubmissionStatus(admin, namespace, name, {
        observedGeneration: 1,
        phase: 'AwaitingQA',
        version: 1,
        children: { qaReview: `${name}-qa-r1` },
        validation: {
          verdict: 'Passed',
          errors: 0,
          warnings: 1,
          findings: [
            {
              severity: 'Warning',
              code: 'TEXTURE_DARK_BASE_COLOR',
              message: 'some base colour texels are below 30',
              stage: 'texturing',
            } as never,
          ],
          // The duck's version is a repaired candidate; the lamp's is the artist's own.
          ...(name === 'duck'
            ? {
                repair: {
                  sourceErrors: ['CLEANUP_SCALE', 'CLEANUP_ORIGIN'],
                  sourceReportUri: 's3://assets/r1.report.json',
                  changes: [
                    { fix: 'unit-scale', summary: 'Scaled the model by 0.01 (centimetres to metres).' },
                    { fix: 'recenter', summary: 'Moved the model so its base centre sits on the origin.' },
                  ],
                  provenanceUri: `s3://assets/assets/${asin}/versions/1/repair.json`,
                },
              }
            : {}),
        },
      });
    }
    [pages, browser] = await Promise.all([
      startPagesServer({
        port: 0,
        searchApiUrl: 'http://127.0.0.1:9',
        s3,
        assetsBucket: bucket,
        reviewerKubeConfig: reviewerConfig,
        namespace,
      }),
      launchChromium(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    s3.destroy();
  });

  const review = (name: string) => getResource(admin, 'QAReview', namespace, name);

  it('lists pending reviews and shows the candidate model, reference photos and findings', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${pages.url}/qa/`);
    await expect.poll(() => page.locator('#reviews a').count()).toBe(2);
    await expect
      .poll(() => page.locator('#identity').textContent())
      .toContain(`system:serviceaccount:${namespace}:qa-reviewer`);
    await page.click('#reviews a[data-review="duck-qa-r1"]');
    await page.waitForSelector('#review[data-review="duck-qa-r1"]:not([hidden])');
    await modelShown(page, '#candidate');
    expect(await page.locator('#references img').count()).toBe(2);
    expect(await page.locator('#findings').textContent()).toContain('TEXTURE_DARK_BASE_COLOR');
    expect(await page.locator('#frames-note').textContent()).toContain('not rendered yet');
    // No render yet, no poster.
    expect(await page.locator('#poster-block').isVisible()).toBe(false);
    // A repaired candidate says so, and what changed.
    expect(await page.locator('#repair-note').textContent()).toBe(
      "Repaired candidate: the artist's delivery failed on CLEANUP_SCALE, CLEANUP_ORIGIN. This version is the " +
        'delivery with the changes below (the delivery itself is unchanged); approve it, or reject both.',
    );
    expect(await page.locator('#repair-changes li').allTextContents()).toEqual([
      'unit-scale Scaled the model by 0.01 (centimetres to metres).',
      'recenter Moved the model so its base centre sits on the origin.',
    ]);
    await page.close();
  }, 240_000);

  it('shows each reference photo beside its best frame with an overlay, the scores and the verdict', async () => {
    const keys = versionKeys('B0LAMP0001', 1);
    const photo = await readFile(`${fixtures}reference-images/Mixer-0.jpg`);
    const frame = await readFile(`${fixtures}models/Mixer/rr-Mixer-0.png`);
    for (const [key, body] of [
      [`${keys.referencesPrefix}Mixer-0.jpg`, photo],
      [`${keys.framesPrefix}000.png`, frame],
    ] as const) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    }
    const fidelity = await assessDelivery({
      references: [{ name: 'references/Mixer-0.jpg', bytes: photo }],
      frames: [{ index: 0, angleDeg: 0, bytes: frame }],
    });
    expect(fidelity.references[0]?.verdict).toBe('Match');
    // The candidate's poster, as its render wrote it: shown beside the photos.
    const poster = await sharp(frame).resize(256, 256).webp().toBuffer();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: keys.poster, Body: poster }));
    await writeReviewStatus(admin, namespace, 'lamp-qa-r1', {
      fidelity,
      render: {
        renderJob: 'lamp-render-r1',
        framesRendered: 1,
        format: 'png',
        posterUri: `s3://${bucket}/${keys.poster}`,
        framesPrefix: `s3://${bucket}/${keys.framesPrefix}`,
      },
    });
    const page = await browser.context.newPage();
    await page.goto(`${pages.url}/qa/#lamp-qa-r1`);
    await expect.poll(() => page.locator('#review[data-review="lamp-qa-r1"]').count()).toBe(1);
    expect(await page.locator('#repair').isVisible()).toBe(false);
    const card = page.locator('.fidelity-card[data-reference="references/Mixer-0.jpg"]');
    await expect.poll(() => card.getAttribute('data-verdict')).toBe('Match');
    await expect.poll(() => card.locator('canvas').count()).toBe(3);
    expect(await card.locator('.scores').textContent()).toContain('Silhouette IoU');
    expect(await page.locator('#fidelity-note').textContent()).toContain('1 Match');
    // The overlay shows the product: photo and render agree, so it is mostly grey, and not blank white.
    const overlay = await card.locator('canvas.overlay').evaluate((canvas: HTMLCanvasElement) => {
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let product = 0;
      let disagree = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i]! < 230 || data[i + 1]! < 230) product++;
        if (Math.abs(data[i]! - data[i + 1]!) > 60) disagree++;
      }
      return { product: product / (data.length / 4), disagree: disagree / (data.length / 4) };
    });
    expect(overlay.product).toBeGreaterThan(0.2);
    expect(overlay.disagree).toBeLessThan(0.1);
    await expect
      .poll(() =>
        page.locator('#poster').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
      )
      .toBe(256);
    expect(await page.locator('#poster-block').isVisible()).toBe(true);
    expect(await page.locator('#poster').getAttribute('src')).toMatch(
      /B0LAMP0001\/versions\/1\/renders\/poster\.webp$/,
    );
    await page.close();
  }, 240_000);

  it('shows each turntable profile met or missed with its reasons beside the fill note', async () => {
    const keys = versionKeys('B0LAMP0001', 1);
    const spec = {
      source: { uri: `s3://${bucket}/${keys.model}` },
      output: { uri: `s3://${bucket}/${keys.rendersPrefix}` },
      preset: 'amazon-360' as const,
    };
    const short = mixerFillShort();
    const missed = renderProfiles({ spec, status: { framesRendered: 72, fillCheck: short } });
    expect(missed.map((p) => [p.id, p.met, p.missed])).toEqual([['amazon-360', false, ['minProductFill']]]);
    const render = {
      renderJob: 'lamp-render-r1',
      framesRendered: 1,
      format: 'png',
      posterUri: `s3://${bucket}/${keys.poster}`,
      framesPrefix: `s3://${bucket}/${keys.framesPrefix}`,
    };
    await writeReviewStatus(admin, namespace, 'lamp-qa-r1', {
      render: {
        ...render,
        fillCheck: short,
        fillMessage: '1 of 72 frames fill less than 85.0%.',
        profiles: missed,
      },
    });
    const page = await browser.context.newPage();
    await page.goto(`${pages.url}/qa/#lamp-qa-r1`);
    const amazon = page.locator('#profiles li.profile[data-profile="amazon-360"]');
    await expect.poll(() => amazon.getAttribute('data-met')).toBe('false');
    expect(await page.locator('#fill-note').isVisible()).toBe(true);
    expect(await page.locator('#profiles').isVisible()).toBe(true);
    expect(await amazon.locator('code').textContent()).toBe('amazon-360');
    expect(await amazon.textContent()).toContain('missed (minProductFill)');
    expect(await amazon.locator('.reasons li').allTextContents()).toEqual(missed[0]!.reasons);
    expect(missed[0]!.reasons[0]).toContain(
      '1 of 72 frames fill less than 85.0%, the worst 4.1 points short',
    );

    // The same spin framed tighter: every frame fills 85%, the profile is met and gives no reasons.
    const filled = { required: 0.85, minFill: 0.87, maxFill: 0.95, passed: true, framesBelow: 0, misses: [] };
    const met = renderProfiles({ spec, status: { framesRendered: 72, fillCheck: filled } });
    expect(met.map((p) => [p.id, p.met])).toEqual([['amazon-360', true]]);
    await writeReviewStatus(admin, namespace, 'lamp-qa-r1', {
      render: {
        ...render,
        fillCheck: filled,
        fillMessage: 'Every frame fills at least 85.0%.',
        profiles: met,
      },
    });
    await page.reload();
    await expect.poll(() => amazon.getAttribute('data-met')).toBe('true');
    expect(await amazon.textContent()).toBe('amazon-360 met');
    expect(await amazon.locator('.reasons li').count()).toBe(0);
    await page.close();
  }, 240_000);

  it('rejects only with comments, recording the reviewer the apiserver authenticated', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${pages.url}/qa/#duck-qa-r1`);
    await page.waitForSelector('#review[data-review="duck-qa-r1"]:not([hidden])');
    await page.click('#reject');
    await expect
      .poll(() => page.locator('#decision-status').textContent())
      .toContain('Say what the artist must fix');
    expect((await review('duck-qa-r1')).spec.decision).toBe('Pending');

    await page.fill('#comments', 'The bill is too orange compared with photo 1.');
    await page.click('#reject');
    await expect.poll(() => page.locator('#decision-badge').textContent()).toBe('Rejected');
    expect((await review('duck-qa-r1')).spec).toMatchObject({
      decision: 'Rejected',
      comments: 'The bill is too orange compared with photo 1.',
      reviewer: `system:serviceaccount:${namespace}:qa-reviewer`,
    });
    expect(await page.locator('#approve').isDisabled()).toBe(true);
    await page.close();
  }, 60_000);

  it('uses the token given in the page, so RBAC refuses a reviewer who may only read', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${pages.url}/qa/`);
    await page.fill('#token', observerToken);
    await page.click('#sign-in button');
    await expect
      .poll(() => page.locator('#identity').textContent())
      .toContain(`system:serviceaccount:${namespace}:qa-observer`);
    await page.click('#reviews a[data-review="lamp-qa-r1"]');
    await page.waitForSelector('#review[data-review="lamp-qa-r1"]:not([hidden])');
    await page.click('#approve');
    await expect
      .poll(() => page.locator('#decision-status').textContent())
      .toContain('you may not decide QA reviews');
    expect((await review('lamp-qa-r1')).spec.decision).toBe('Pending');
    await page.close();
  }, 60_000);
});
