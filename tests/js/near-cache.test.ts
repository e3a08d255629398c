// The addon's near cache: repeated getSync hits are served from JavaScript-side copies, which must never be
// served once the entry changed — by this thread, another worker thread, eviction, expiry or clear — and whose
// hits still count in stats() and still keep the key recent for the eviction policy.
import { Worker } from 'node:worker_threads';

import { Cache, ram } from '../../dist/node.js';

const text = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : Buffer.from(bytes).toString());
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const big = (fill: number) => new Uint8Array(64 * 1024).fill(fill);

test.each([
  ['100 B', (n: number) => `value ${n}`.padEnd(100, '.')],
  ['64 KiB', (n: number) => big(n)],
])('a %s value read twice, then changed each way, is never served stale', async (_size, make) => {
  await using cache = await Cache.open({ tiers: [ram({ cacheLimit: '8MB' })] });
  const read = (key: string) => cache.getSync(key)?.[6];
  const twice = (key: string) => [read(key), read(key)];
  const at6 = (n: number) => { const v = make(n); return typeof v === 'string' ? v.charCodeAt(6) : v[6]; };
  cache.setSync('k', make(1));
  expect(twice('k')).toEqual([at6(1), at6(1)]);
  cache.setSync('k', make(2));
  expect(twice('k')).toEqual([at6(2), at6(2)]);
  await cache.set('k', make(3));
  expect(twice('k')).toEqual([at6(3), at6(3)]);
  expect(cache.deleteSync('k')).toBe(true);
  expect(read('k')).toBeUndefined();
  cache.setSync('k', make(4));
  twice('k');
  await cache.clear();
  expect(read('k')).toBeUndefined();
});

test('an entry that expires, or is evicted, is not served from the copy', async () => {
  await using cache = await Cache.open({ tiers: [ram({ cacheLimit: 400_000 })] });
  cache.setSync('short', 'lived', { ttl: 40 });
  expect(text(cache.getSync('short'))).toBe('lived');
  expect(text(cache.getSync('short'))).toBe('lived');
  await sleep(60);
  expect(cache.getSync('short')).toBeUndefined();

  cache.setSync('cold', big(7));
  expect(cache.getSync('cold')?.[0]).toBe(7);
  expect(cache.getSync('cold')?.[0]).toBe(7);
  for (let i = 0; i < 20; i++) cache.setSync(`filler${i}`, big(i)); // far past 400 KB: 'cold' is evicted
  expect(cache.getSync('cold')).toBeUndefined();
  expect(cache.stats().tiers[0]!.evictions).toBeGreaterThan(0);
});

test('hits served from copies count in stats() and keep the key recent for LRU', async () => {
  await using cache = await Cache.open({ tiers: [ram({ cacheLimit: 600_000 })] });
  cache.setSync('hot', big(1));
  for (let i = 0; i < 100; i++) {
    cache.setSync(`new${i}`, big(2)); // room for about eight: each write evicts the least recently used
    for (let j = 0; j < 40; j++) expect(cache.getSync('hot')?.[0]).toBe(1);
  }
  const stats = cache.stats();
  expect(stats.tiers[0]!.evictions).toBeGreaterThan(80);
  expect(cache.hasSync('hot')).toBe(true);
  expect(stats.tiers[0]!.hits).toBe(4000);
  expect(stats.hits).toBe(4000);
});

test('a write from another worker thread of a shared cache is seen at once', async () => {
  await using cache = await Cache.open({ tiers: [ram()], shared: 'near-cache-test' });
  cache.setSync('k', 'main');
  expect(text(cache.getSync('k'))).toBe('main');
  expect(text(cache.getSync('k'))).toBe('main');
  const dist = new URL('../../dist/node.js', import.meta.url).href;
  const worker = new Worker(
    `import('${dist}').then(async ({ Cache, ram }) => {
       const cache = await Cache.open({ tiers: [ram()], shared: 'near-cache-test' });
       cache.setSync('k', 'worker');
       await cache.close();
       require('node:worker_threads').parentPort.postMessage('done');
     });`,
    { eval: true },
  );
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  expect(text(cache.getSync('k'))).toBe('worker');
});
