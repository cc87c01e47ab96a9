import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Flags for headless Chromium on a machine with no GPU and no network: without the networking flags it
 * floods the closed network with refused connections (see DESIGN.md, Known pitfalls). WebGL still
 * works through Chromium's software rasteriser, which is what model-viewer needs.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

/** Where Debian's `chromium` package installs the browser; `CHROMIUM_PATH` overrides it. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** A browser with a fresh profile, and the way to close it and delete the profile. */
export interface HeadlessBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Debian's Chromium headless with {@link CHROMIUM_FLAGS} and a fresh `--user-data-dir`. */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<HeadlessBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'shazam-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    chromiumSandbox: false,
    viewport,
    args: CHROMIUM_FLAGS.filter((flag) => flag !== '--headless' && flag !== '--no-sandbox'),
  });
  // Software WebGL on a busy machine: page steps take seconds, not milliseconds.
  context.setDefaultTimeout(120_000);
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Waits for the `<model-viewer>` at `selector` to fire its `load` event (the pages record it as
 * `data-loaded`) and fails with model-viewer's error type when it fired `error` instead. Software WebGL
 * is slow on a busy machine, hence the generous timeout.
 */
export async function modelShown(page: Page, selector: string, timeoutMs = 180_000): Promise<void> {
  await page.waitForSelector(`${selector}[data-loaded], ${selector}[data-error]`, {
    state: 'attached',
    timeout: timeoutMs,
  });
  const error = await page.getAttribute(selector, 'data-error');
  if (error !== null) throw new Error(`model-viewer ${selector} failed to load its model: ${error}`);
}
