// The browser build in real Chromium: the contract cases run in a page (tests/browser/page.ts) over each tier
// setup of the WebAssembly build, served from 127.0.0.1 with the .wasm where the bundle looks for it; and the
// RAM hot path (wasm/hot_path.h) where it differs from Embind: memory growth, UTF-8 keys, copies it hands out.
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

test.each([
  'Cache contract [ram] ›', 'Cache contract [indexedDb] ›', 'Cache contract [ram, indexedDb] ›',
  "Cache contract [indexedDb 'placed'] ›", 'Cache contract [custom] ›', 'Cache contract [ram, custom] ›',
  'Cache contract, RAM ›',
])(
  '%s every case passes in Chromium',
  async (suite) => {
    const results = await page.evaluate((prefix) => strataTests.runCases(prefix), suite);
    expect(results.length).toBeGreaterThan(10);
    expect(results.filter((result) => result.error !== undefined)).toEqual([]);
  },
);

test('the RAM hot path and its near cache survive memory growth, encode non-ASCII keys, and share read-only hits', async () => {
  const result = await page.evaluate(async () => {
    const { Cache, ram } = strataTests;
    const cache = await Cache.open({ tiers: [ram({ cacheLimit: '256MB' })] });
    const long = `ключ-${'é'.repeat(100)}-🔑`; // past the ASCII fast path and the short-key length
    cache.setSync('before', new Uint8Array([1, 2, 3]));
    cache.setSync(long, 'unicode');
    cache.getSync('before'); // now in the near cache, checked against change counters in wasm memory
    cache.setSync('big', new Uint8Array(96 << 20).fill(7)); // grows wasm memory: older views of it go stale
    const [a, b] = [cache.getSync('before')!, cache.getSync('before')!]; // read again, then from the near cache
    const big = cache.getSync('big')!;
    const error = (() => {
      try {
        cache.getSync('x'.repeat(1025));
        return null;
      } catch (failure) {
        return (failure as { code: string }).code;
      }
    })();
    const answer = {
      before: Array.from(a),
      shared: a === b,
      unicode: new TextDecoder().decode(cache.getSync(long)),
      hasLong: cache.hasSync(long),
      big: [big.length, big[0], big[big.length - 1]],
      deleted: [cache.deleteSync(long), cache.hasSync(long), cache.getSync(long)],
      error,
    };
    await cache.close();
    return answer;
  });
  expect(result).toEqual({
    before: [1, 2, 3],
    shared: true,
    unicode: 'unicode',
    hasLong: true,
    big: [96 << 20, 7, 7],
    deleted: [true, false, undefined],
    error: 'ERR_INVALID_ARG',
  });
});
