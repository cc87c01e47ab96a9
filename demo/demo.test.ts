import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoEnvironment, startDemoEnvironment } from './environment.ts';
import { findExampleDeliveries } from './example-delivery.ts';
import { type ExampleOutcome, runExampleSubmission } from './run-demo.ts';

// The whole pipeline on its own control plane: validation, software rendering of the candidate, QA
// (approved with the reviewer's RBAC-limited token), promotion with the renders, then the search API.
describe('npm run demo, end to end', () => {
  let env: DemoEnvironment;
  let outcome: ExampleOutcome;
  const lines: string[] = [];

  beforeAll(async () => {
    const [example] = await findExampleDeliveries();
    if (!example)
      throw new Error('examples/deliveries/ has no delivery with a matching examples/asub-*.yaml');
    env = await startDemoEnvironment({ pagesPort: 0, log: (line) => lines.push(line) });
    outcome = await runExampleSubmission({
      env,
      example,
      interactive: false,
      timeoutMs: 540_000,
      log: (line) => lines.push(line),
    });
  }, 600_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('reaches Published after passing through every phase, and says so as each passes', () => {
    expect(outcome.published.status?.phase).toBe('Published');
    const phases = lines.flatMap((line) => /^\s+\S+\s+(\w+)/.exec(line)?.[1] ?? []);
    expect(phases[phases.length - 1]).toBe('Published');
    expect(phases).toEqual(expect.arrayContaining(['Rendering', 'AwaitingQA', 'Published']));
    // The turntable is rendered before QA sees it, never after the approval.
    expect(phases.indexOf('Rendering')).toBeLessThan(phases.indexOf('AwaitingQA'));
    expect(phases.lastIndexOf('Rendering')).toBeLessThan(phases.indexOf('AwaitingQA'));
    expect(lines.some((line) => line.startsWith('Approved QAReview'))).toBe(true);
  });

  it('publishes within seconds of the approval, and prints how long it took', () => {
    expect(outcome.approvalToPublishedMs).toBeDefined();
    expect(outcome.approvalToPublishedMs!).toBeLessThan(15_000);
    expect(lines).toContainEqual(expect.stringMatching(/^Approval to Published: \d+\.\d s$/));
  });

  it('serves the published asset from the search API, with URLs the pages server answers', async () => {
    const asset = outcome.searchAsset as {
      asin: string;
      webGlbUrl: string;
      posterUrl: string;
      spin: { frameCount: number; frames: string[] };
    };
    expect(asset.asin).toBe(outcome.submitted.asin);
    expect(asset.spin.frameCount).toBeGreaterThan(0);
    for (const url of [asset.webGlbUrl, asset.posterUrl, asset.spin.frames[0]!]) {
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
    const brand = outcome.published.spec.product?.brand ?? '';
    const search = await fetch(`${env.pages.url}/v1/search?q=${encodeURIComponent(brand)}`);
    const hits = ((await search.json()) as { hits: { asin: string }[] }).hits;
    expect(hits.map((hit) => hit.asin)).toContain(outcome.submitted.asin);
  });

  it('serves the product page and the QA page', async () => {
    for (const url of [outcome.productUrl, outcome.qaUrl]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<model-viewer');
    }
    expect((await fetch(`${env.pages.url}/vendor/model-viewer.min.js`)).status).toBe(200);
  });
});
