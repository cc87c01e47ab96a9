import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { AssetSubmission } from '../crds/api.ts';
import { getResource } from '../lib/shazam-client/resources.ts';
import { waitForPhase } from '../lib/shazam-client/wait-for-phase.ts';
import { type HeadlessBrowser, launchChromium, modelShown } from './browser.ts';
import { type DemoEnvironment, startDemoEnvironment } from './environment.ts';
import { type ExampleDelivery, findExampleDeliveries } from './example-delivery.ts';
import { waitForSearchApi } from './run-demo.ts';
import { submitRevision } from './submission-flow.ts';

const screenshots = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

// Software WebGL and a shared, busy machine make every page step slow; wait on state, not on the clock.
vi.setConfig({ expect: { poll: { timeout: 90_000, interval: 250 } } });

// The QA page and the product page in real headless Chromium, against the whole local pipeline:
// a reviewer rejects revision 1 with comments, approves revision 2, and the product page shows it.
describe('QA page and product page in headless Chromium', () => {
  let env: DemoEnvironment;
  let example: ExampleDelivery;
  let browser: HeadlessBrowser;
  let work: string;
  let title: string;
  const log: string[] = [];

  beforeAll(async () => {
    const [found] = await findExampleDeliveries();
    if (!found) throw new Error('examples/deliveries/ has no delivery with a matching examples/asub-*.yaml');
    example = found;
    work = await mkdtemp(join(tmpdir(), 'shazam-pages-'));
    await mkdir(screenshots, { recursive: true });
    [env, browser] = await Promise.all([
      startDemoEnvironment({ namespace: 'shazam-pages', pagesPort: 0, log: (line) => log.push(line) }),
      launchChromium(),
    ]);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
    await rm(work, { recursive: true, force: true });
  });

  const phase = (name: string, target: string, revision: number) =>
    waitForPhase({
      client: env.admin,
      namespace: env.namespace,
      name,
      phase: target,
      revision,
      timeoutMs: 480_000,
      pollMs: 500,
    });

  async function openReview(page: Page, review: string): Promise<void> {
    await page.goto(`${env.qaUrl}#${review}`);
    await page.waitForSelector(`#review[data-review="${review}"]:not([hidden])`);
    await expect
      .poll(() => page.locator('#identity').textContent())
      .toContain('system:serviceaccount:shazam-pages:qa-reviewer');
  }

  it('rejects revision 1 with comments in the QA page; the submission is Rejected with them', async () => {
    const first = await submitRevision({
      admin: env.admin,
      s3: env.s3,
      namespace: env.namespace,
      incomingBucket: env.incomingBucket,
      deliveryDir: example.deliveryDir,
      manifestText: example.manifestText,
    });
    title = first.submission.spec.product?.title ?? '';
    const awaiting = await phase(first.name, 'AwaitingQA', 1);
    const review = awaiting.status?.children?.qaReview;
    expect(review).toBeTruthy();

    const page = await browser.context.newPage();
    await openReview(page, review!);
    await expect.poll(() => page.locator('#references img').count()).toBeGreaterThan(0);
    await modelShown(page, '#candidate');
    // Rejecting without comments is stopped in the page before anything is sent.
    await page.click('#reject');
    await expect
      .poll(() => page.locator('#decision-status').textContent())
      .toContain('Say what the artist must fix');
    await page.screenshot({ path: join(screenshots, 'qa-review.png'), fullPage: true });

    await page.fill(
      '#comments',
      'The bowl lever is missing compared with reference photo 2; please restore it.',
    );
    await page.click('#reject');
    await expect.poll(() => page.locator('#decision-badge').textContent()).toBe('Rejected');
    await expect
      .poll(
        async () =>
          (await getResource(env.admin, 'AssetSubmission', env.namespace, first.name)).status?.phase,
        {
          timeout: 30_000,
        },
      )
      .toBe('Rejected');
    const after = await getResource(env.admin, 'AssetSubmission', env.namespace, first.name);
    expect(after.status?.rejection?.comments).toContain('bowl lever is missing');
    expect(after.status?.rejection?.reviewer).toBe('system:serviceaccount:shazam-pages:qa-reviewer');
    await page.close();

    // The artist fixes the model and delivers revision 2.
    const second = join(work, 'revision-2');
    await cp(example.deliveryDir, second, { recursive: true });
    const manifestPath = join(second, 'manifest.yaml');
    await writeFile(
      manifestPath,
      (await readFile(manifestPath, 'utf8')).replace(/^revision: 1$/m, 'revision: 2'),
    );
    const submitted = await submitRevision({
      admin: env.admin,
      s3: env.s3,
      namespace: env.namespace,
      incomingBucket: env.incomingBucket,
      deliveryDir: second,
      manifestText: first.manifestText,
    });
    expect(submitted.revision).toBe(2);
  }, 600_000);

  it('approves revision 2 in the QA page, and the submission reaches Published', async () => {
    const name = (parse(example.manifestText) as AssetSubmission).metadata.name;
    const awaiting = await phase(name, 'AwaitingQA', 2);
    const review = awaiting.status?.children?.qaReview ?? '';
    const page = await browser.context.newPage();
    await openReview(page, review);
    await expect.poll(() => page.locator('#decision-badge').textContent()).toBe('Pending');
    // Software WebGL keeps the page busy while the model loads; act once it has.
    await modelShown(page, '#candidate');
    await page.fill('#comments', 'Lever restored; matches the reference photos.');
    await page.click('#approve');
    await expect.poll(() => page.locator('#decision-badge').textContent()).toBe('Approved');
    await page.close();
    const published = await phase(name, 'Published', 2);
    expect(published.status?.published?.version).toBe(2);
  }, 600_000);

  it('shows the model, spins the 360 view on drag, and finds the product by text and by photo', async () => {
    await waitForSearchApi(env.pipeline.searchApiUrl, example.asin, 30_000);
    const page = await browser.context.newPage();
    await page.goto(env.productUrl(example.asin));
    await page.waitForSelector('#product:not([hidden])');
    expect(await page.locator('#title').textContent()).toBe(title);
    await modelShown(page, '#viewer');
    await page.screenshot({ path: join(screenshots, 'product-page.png') });

    await page.click('[data-view="spin"]');
    const frame = page.locator('#spin-frame');
    await expect.poll(() => frame.getAttribute('data-frame')).toBe('0');
    const box = (await frame.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 60, box.y + box.height / 2, { steps: 6 });
    await page.mouse.up();
    const turned = Number(await frame.getAttribute('data-frame'));
    expect(turned).not.toBe(0);
    await expect
      .poll(() =>
        frame.evaluate(
          (image) => (image as HTMLImageElement).complete && (image as HTMLImageElement).naturalWidth > 0,
        ),
      )
      .toBe(true);
    await page.screenshot({ path: join(screenshots, 'product-360.png') });

    const brand = (await page.locator('#brand').textContent()) ?? '';
    await page.fill('#query', brand);
    await page.click('#text-search button[type=submit]');
    await page.waitForSelector(`#hits a[data-asin="${example.asin}"]`);

    const photo = join(example.deliveryDir, 'references', 'front-0.jpg');
    await page.setInputFiles('#photo', photo);
    await expect.poll(() => page.locator('#results-title').textContent()).toContain('front-0.jpg');
    await page.waitForSelector(`#hits a[data-asin="${example.asin}"]`);
    await page.screenshot({ path: join(screenshots, 'product-search.png') });
    await page.close();
  }, 300_000);
});
