// The http() tier of the WebAssembly build in real Chromium, reading from a server of another origin (CORS, with
// a preflight for its authorization header): a hit promoted into RAM, a miss, a set that stays local, a server
// that is down, counted at the server, and servers that never answer, stall or trickle (bounded by `timeout`, and
// ended by close() at once).
import { keyDigest } from '../../dist/node.js';
import type { PageApi } from '../browser/page.js';
import { startTestSite, type TestSite } from './browser-page.js';
import { HostileServer, type Misbehaviour } from './hostile-server.js';
import { ArtefactServer, closedPort } from './http-server.js';

declare const strataTests: PageApi;

let site: TestSite;
let browser: Awaited<ReturnType<TestSite['launch']>>;
let server: ArtefactServer;

beforeAll(async () => {
  [site, server] = await Promise.all([startTestSite(), ArtefactServer.start()]);
  browser = await site.launch();
});

afterAll(() => Promise.all([browser?.close(), site?.close(), server?.stop()]));

test('hits come from the other origin once, then from RAM; misses and sets make no further request', async () => {
  server.files.set(`/page/${keyDigest('artefact')}`, new TextEncoder().encode('built elsewhere'));
  const page = await site.open(browser.context);
  const seen = await page.evaluate(async (baseUrl) => {
    const { Cache, http, ram } = strataTests;
    const cache = await Cache.open({ tiers: [ram(), http({ baseUrl, headers: { authorization: 'Bearer t0ken' } })] });
    const errors: string[] = [];
    cache.on('error', (event) => errors.push(event.error.code));
    const first = new TextDecoder().decode(await cache.get('artefact'));
    const second = new TextDecoder().decode(await cache.get('artefact'));
    const miss = await cache.get('absent');
    await cache.set('local', 'only here');
    const [hot, remote] = cache.stats().tiers;
    await cache.close();
    return { first, second, miss, errors, ramHits: hot!.hits, httpHits: remote!.hits, httpMisses: remote!.misses };
  }, `${server.origin}/page`);
  expect(seen).toEqual({
    first: 'built elsewhere', second: 'built elsewhere', miss: undefined, errors: [], ramHits: 1, httpHits: 1, httpMisses: 1,
  });
  expect(server.requestsUnder('page').map((request) => [request.method, request.path, request.headers.authorization])).toEqual([
    ['GET', `/page/${keyDigest('artefact')}`, 'Bearer t0ken'],
    ['GET', `/page/${keyDigest('absent')}`, 'Bearer t0ken'],
  ]);
});

test('a server that is down is an error event and a miss', async () => {
  const page = await site.open(browser.context);
  const seen = await page.evaluate(async (baseUrl) => {
    const { Cache, http, ram } = strataTests;
    const cache = await Cache.open({ tiers: [ram(), http({ baseUrl })] });
    const errors: Array<{ tier: string; code: string }> = [];
    cache.on('error', (event) => errors.push({ tier: event.tier, code: event.error.code }));
    const value = await cache.get('k');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await cache.close();
    return { value, errors };
  }, `http://127.0.0.1:${await closedPort()}/x`);
  expect(seen).toEqual({ value: undefined, errors: [{ tier: 'http', code: 'ERR_UNAVAILABLE' }] });
});

test.each(['silent', 'stall', 'trickle'] as Misbehaviour[])('a server that is %s: a miss and ERR_TIMEOUT near the timeout', async (mode) => {
  const hostile = await HostileServer.start(mode);
  try {
    const page = await site.open(browser.context);
    const seen = await page.evaluate(async (baseUrl) => {
      const { Cache, http, ram } = strataTests;
      const cache = await Cache.open({ tiers: [ram(), http({ baseUrl, timeout: 600 })] });
      const errors: string[] = [];
      cache.on('error', (event) => errors.push(event.error.code));
      const start = performance.now();
      const value = await cache.get('k');
      const ms = performance.now() - start;
      await new Promise((resolve) => setTimeout(resolve, 50));
      await cache.close();
      return { value, errors, ms };
    }, `${hostile.url}/builds`);
    expect(seen).toMatchObject({ value: undefined, errors: ['ERR_TIMEOUT'] });
    expect(seen.ms).toBeGreaterThanOrEqual(580);
    expect(seen.ms).toBeLessThan(1300);
  } finally {
    await hostile.close();
  }
});

test.each(['silent', 'stall', 'trickle'] as Misbehaviour[])('a server that is %s: close() ends the gets waiting on it at once', async (mode) => {
  const hostile = await HostileServer.start(mode);
  try {
    const page = await site.open(browser.context);
    const seen = await page.evaluate(async (baseUrl) => {
      const { Cache, http, ram } = strataTests;
      const cache = await Cache.open({ tiers: [ram(), http({ baseUrl, timeout: '1h' })] });
      const gets = ['a', 'b', 'c'].map((key) => cache.get(key).then(() => 'resolved', (error: { code: string }) => error.code));
      await new Promise((resolve) => setTimeout(resolve, 150)); // on the wire
      const start = performance.now();
      const settled = gets.map((get) => get.then((code) => ({ code, ms: performance.now() - start })));
      await cache.close();
      return Promise.all(settled);
    }, `${hostile.url}/builds`);
    for (const get of seen) {
      expect(get.code).toBe('ERR_CLOSED');
      expect(get.ms).toBeLessThan(100); // CLOSE_BOUND_MS in remote-hostile.test.ts (README, Reliability)
    }
    const deadline = performance.now() + 1000;
    while (hostile.connections > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(hostile.connections).toBe(0);
  } finally {
    await hostile.close();
  }
});
