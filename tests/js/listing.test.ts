// cache.keys() and cache.entries() over RAM and disk tiers (the Node build) and RAM tiers (the WebAssembly build):
// what an entry says, each key once across tiers, namespaces and prefixes, writes and deletes during the walk, and
// the errors.
import {
  Cache, type CacheEntryInfo, disk, http, type ListOptions, ram, StrataError, type Tier,
} from '../../dist/node.js';
import { Cache as WasmCache } from '../../dist/wasm.js';
import type { CacheClass } from './backends.js';
import { freshFolder } from './disk-folders.js';
import { closedPort } from './http-server.js';

const caches: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
});

async function open(tiers: Tier[], Class: CacheClass = Cache): Promise<Cache> {
  const cache = (await Class.open({ tiers })) as Cache;
  caches.push(cache);
  return cache;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

/** How often each key came. */
function counted(keys: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

const keysOf = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

async function rejection(work: Promise<unknown>): Promise<StrataError> {
  const error = await work.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(StrataError);
  return error as StrataError;
}

const tierSetups: Array<[name: string, Class: CacheClass, tiers: () => Tier[]]> = [
  ['node [ram]', Cache, () => [ram()]],
  ['node [disk]', Cache, () => [disk({ path: freshFolder('listing') })]],
  ['node [ram, disk]', Cache, () => [ram(), disk({ path: freshFolder('listing') })]],
  ['wasm [ram]', WasmCache, () => [ram()]],
  ['wasm [ram, ram]', WasmCache, () => [ram(), ram({ name: 'ram2' })]],
];

describe.each(tierSetups)('listing %s', (_name, Class, tiers) => {
  test('lists each live entry once with its size and expiry, and skips expired ones', async () => {
    const cache = await open(tiers(), Class);
    const before = Date.now();
    await cache.set('plain', 'abc');
    await cache.set('bounded', new Uint8Array(5000), { ttl: '1h' });
    await cache.set('short', 'x', { ttl: 30 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    const entries: CacheEntryInfo[] = await collect(cache.entries({ pageSize: 1 }));
    expect(entries.map((e) => e.key).sort()).toEqual(['bounded', 'plain']);
    const byKey = new Map(entries.map((e) => [e.key, e]));
    expect(byKey.get('plain')).toMatchObject({ namespace: '', size: 3, expiresAt: Infinity });
    const bounded = byKey.get('bounded')!;
    expect(bounded.size).toBe(5000);
    expect(bounded.expiresAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(bounded.expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(await collect(cache.keys())).toHaveLength(2);
  });

  test('filters by prefix and keeps namespaces apart', async () => {
    const cache = await open(tiers(), Class);
    for (const key of ['a1', 'a2', 'b1']) await cache.set(key, key);
    const tenant = cache.namespace('tenant');
    for (const key of ['a1', 'c1']) await tenant.set(key, key);
    await cache.putContent('content bytes');
    expect((await collect(cache.keys())).sort()).toEqual(['a1', 'a2', 'b1']);
    expect((await collect(cache.keys({ prefix: 'a' }))).sort()).toEqual(['a1', 'a2']);
    expect((await collect(tenant.keys())).sort()).toEqual(['a1', 'c1']);
    expect(await collect(tenant.keys({ prefix: 'c' }))).toEqual(['c1']);
    const all = await collect(cache.entries({ allNamespaces: true }));
    expect(all.map((e) => `${e.namespace}/${e.key}`).filter((n) => !n.startsWith('content/')).sort()).toEqual(
      ['/a1', '/a2', '/b1', 'tenant/a1', 'tenant/c1'],
    );
    expect(all.filter((e) => e.namespace === 'content')).toHaveLength(1);
    expect(await collect(cache.keys({ prefix: 'zz' }))).toEqual([]);
  });

  test('lists every key present throughout exactly once while others are written and deleted', async () => {
    const cache = await open(tiers(), Class);
    const stable = keysOf('stable-', 60);
    const churned = keysOf('churn-', 30);
    for (const key of [...stable, ...churned]) await cache.set(key, 'v');
    const listed: string[] = [];
    let step = 0;
    for await (const key of cache.keys({ pageSize: 7 })) {
      listed.push(key);
      step++;
      // Between reads: delete, rewrite and add keys, and rewrite a stable key (its entry stays present).
      await cache.delete(churned[step % churned.length]!);
      await cache.set(churned[(step * 7) % churned.length]!, 'again');
      await cache.set(`new-${step}`, 'n');
      await cache.set(stable[(step * 13) % stable.length]!, 'same key, new value');
    }
    const counts = counted(listed);
    for (const [key, count] of counts) expect([key, count]).toEqual([key, 1]);
    for (const key of stable) expect(counts.get(key)).toBe(1);
  });
});

describe('listing several tiers', () => {
  test('lists a key held by several tiers once, from the hottest, and a key only lower down from there', async () => {
    const folder = freshFolder('listing');
    // A RAM tier too small for all the values: the earlier keys are left on disk only.
    const cache = await open([ram({ cacheLimit: '64KB' }), disk({ path: folder })]);
    const keys = keysOf('k', 40);
    for (const key of keys) await cache.set(key, new Uint8Array(4096));
    const entries = await collect(cache.entries({ pageSize: 5 }));
    expect(entries.map((e) => e.key).sort()).toEqual([...keys].sort());
    const tiers = counted(entries.map((e) => e.tier));
    expect(tiers.get('ram')).toBeGreaterThan(0);
    expect(tiers.get('disk')).toBeGreaterThan(0);
    expect(tiers.get('ram')).toBe((await collect(cache.keys({ tier: 'ram' }))).length);
    // The disk tier keeps when an entry was written and last read.
    const onDisk = await collect(cache.entries({ tier: 'disk' }));
    expect(onDisk).toHaveLength(keys.length);
    for (const entry of onDisk) {
      expect(entry.tier).toBe('disk');
      expect(entry.writtenAt).toEqual(expect.any(Number));
      expect(entry.accessedAt).toEqual(expect.any(Number));
    }
  });

  test('passes over a tier that cannot list, and refuses it by name with ERR_UNSUPPORTED', async () => {
    const cache = await open([ram(), http({ baseUrl: `http://127.0.0.1:${await closedPort()}/x/` })]);
    await cache.set('k', 'v').catch(() => undefined); // the HTTP tier serves reads only
    expect(await collect(cache.keys())).toEqual(['k']);
    const error = await rejection(collect(cache.keys({ tier: 'http' })));
    expect(error.code).toBe('ERR_UNSUPPORTED');
    expect(error.message).toMatch(/cannot list/);
  });
});

describe('listing errors', () => {
  test.each<[string, ListOptions]>([
    ['an unknown tier', { tier: 'nope' }],
    ['a page size of 0', { pageSize: 0 }],
    ['a fractional page size', { pageSize: 2.5 }],
    ['a prefix that is not a string', { prefix: 3 as unknown as string }],
    ['allNamespaces that is not a boolean', { allNamespaces: 'yes' as unknown as boolean }],
  ])('%s is ERR_INVALID_ARG', async (_what, options) => {
    const cache = await open([ram()]);
    expect((await rejection(collect(cache.entries(options)))).code).toBe('ERR_INVALID_ARG');
  });

  test('a closed cache refuses a listing, and one walking when it closes', async () => {
    const cache = await open([ram()]);
    for (const key of keysOf('k', 10)) await cache.set(key, 'v');
    const walk = cache.keys({ pageSize: 2 });
    expect((await walk.next()).done).toBe(false);
    await cache.close();
    const results: Array<IteratorResult<string> | StrataError> = [];
    for (let i = 0; i < 3; i++) results.push(await walk.next().catch((e: StrataError) => e));
    expect(results.some((r) => r instanceof StrataError && r.code === 'ERR_CLOSED')).toBe(true);
    expect((await rejection(collect(cache.keys()))).code).toBe('ERR_CLOSED');
  });
});
