// The browser build in real Chromium: the contract cases run in a page (tests/browser/page.ts) over each tier
// setup of the WebAssembly build, served from 127.0.0.1 with the .wasm where the bundle looks for it.
import { join } from 'node:path';

import type { Page } from 'playwright-core';

import { bundlePage, launchChromium, repoRoot, serve } from '../browser/harness.mjs';

interface CaseResult {
  name: string;
  error?: string;
}

let server: Awaited<ReturnType<typeof serve>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  const outdir = join(repoRoot, 'build/browser-test');
  await bundlePage(join(repoRoot, 'tests/browser/page.ts'), outdir);
  server = await serve({ '/': outdir, '/wasm/': join(repoRoot, 'dist/wasm') });
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => 'strataTests' in globalThis);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const runInPage = (prefix: string): Promise<CaseResult[]> =>
  page.evaluate(
    (p) => (globalThis as unknown as { strataTests: { runCases(p: string): Promise<CaseResult[]> } }).strataTests.runCases(p),
    prefix,
  );

test.each(['Cache contract [ram] ›', 'Cache contract [indexedDb] ›', 'Cache contract [ram, indexedDb] ›', 'Cache contract, RAM ›'])('%s every case passes in Chromium', async (suite) => {
  const results = await runInPage(suite);
  expect(results.length).toBeGreaterThan(10);
  expect(results.filter((result) => result.error !== undefined)).toEqual([]);
});
