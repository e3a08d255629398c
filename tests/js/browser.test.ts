// The browser build in real Chromium: the contract cases run in a page (tests/browser/page.ts) over each tier
// setup of the WebAssembly build, served from 127.0.0.1 with the .wasm where the bundle looks for it.
import type { Page } from 'playwright-core';

import type { PageApi } from '../browser/page.js';
import { startTestSite, type TestSite } from './browser-page.js';

declare const strataTests: PageApi;

let site: TestSite;
let browser: Awaited<ReturnType<TestSite['launch']>>;
let page: Page;

beforeAll(async () => {
  site = await startTestSite();
  browser = await site.launch();
  page = await site.open(browser.context);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

test.each(['Cache contract [ram] ›', 'Cache contract [indexedDb] ›', 'Cache contract [ram, indexedDb] ›', 'Cache contract, RAM ›'])(
  '%s every case passes in Chromium',
  async (suite) => {
    const results = await page.evaluate((prefix) => strataTests.runCases(prefix), suite);
    expect(results.length).toBeGreaterThan(10);
    expect(results.filter((result) => result.error !== undefined)).toEqual([]);
  },
);
