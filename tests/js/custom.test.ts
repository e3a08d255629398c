// custom() tiers over JavaScript stores, in both builds: what the store sees, exact expiry, promotions and
// write-back demotions through it (from the JavaScript thread and from a store's thread), and the faults a
// store can have: a function that throws, rejects or never settles, a cache closed or a worker terminated with
// calls in flight.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { Cache as NodeCache, custom, type CustomStoreFunctions, disk, keyDigest, ram } from '../../dist/node.js';
import { backends, sleep, text } from './backends.js';
import { mapStore } from './map-store.js';
import { freshFolder } from './disk-folders.js';

const run = promisify(execFile);
type Event = { type: string; tier: string; key?: string; error?: { code: string; message: string } };

/** A store whose calls never settle, and the number of calls made. */
function silentStore(): CustomStoreFunctions & { calls: () => number } {
  let calls = 0;
  const never = () => {
    calls++;
    return new Promise<never>(() => {});
  };
  return { get: never, set: never, delete: never, has: never, clear: never, calls: () => calls };
}

describe.each(backends)('custom() tiers (%s)', (_name, Cache) => {
  test('the store sees the key digest, a framed value and the TTL the cache resolved', async () => {
    const store = mapStore();
    const seen: Array<number | undefined> = [];
    const tier = custom({ name: 'map', ...store, set: (key, value, ttl) => (seen.push(ttl), store.set(key, value, ttl)) });
    await using cache = await Cache.open({ tiers: [tier], ttlRules: [{ tags: { type: 'short' }, ttl: { map: '2s' } }] });
    await cache.set('user:1', 'one', { ttl: '5s' });
    await cache.set('user:2', 'two', { ttl: null });
    await cache.set('user:3', 'three', { tags: { type: 'short' } });
    expect(seen[0]).toBeGreaterThan(4900);
    expect(seen[0]).toBeLessThanOrEqual(5000);
    expect(seen[1]).toBeUndefined();
    expect(seen[2]).toBeGreaterThan(1900);
    expect(seen[2]).toBeLessThanOrEqual(2000);
    expect([...store.entries.keys()].sort()).toEqual(['user:1', 'user:2', 'user:3'].map(keyDigest).sort());
    expect(text(await cache.get('user:2'))).toBe('two');
    expect(await cache.has('user:2')).toBe(true);
  });

  test('expiry is exact to the millisecond whatever the store keeps, and a promotion carries what is left', async () => {
    const store = mapStore();
    const keepsForever = custom({ name: 'map', ...store, set: (key, value) => store.set(key, value, undefined) });
    await using writer = await Cache.open({ tiers: [keepsForever] });
    await writer.set('k', 'v', { ttl: 300 });
    await using reader = await Cache.open({ tiers: [ram({ ttl: null }), keepsForever] });
    expect(text(await reader.get('k'))).toBe('v'); // promoted into RAM with about 300 ms left, not "never"
    expect(reader.stats().tiers.map((tier) => tier.promotions)).toEqual([1, 0]);
    await sleep(400);
    expect(reader.getSync('k')).toBeUndefined();
    expect(await reader.get('k')).toBeUndefined();
    expect(store.entries.size).toBe(1); // the store still holds it: the frame's expiry decided
  });

  test('entries of other keys under the same name are misses, never served', async () => {
    const store = mapStore();
    await using cache = await Cache.open({ tiers: [custom({ name: 'map', ...store })] });
    await cache.set('a', 'A');
    store.entries.set(keyDigest('b'), store.entries.get(keyDigest('a'))!); // as a digest collision would
    expect(await cache.get('b')).toBeUndefined();
    store.entries.set(keyDigest('c'), { value: new Uint8Array([1, 2, 3]), expiresAt: Infinity }); // not a frame
    const events: Event[] = [];
    cache.on('error', (event) => events.push(event as Event));
    expect(await cache.get('c')).toBeUndefined();
    await sleep(10);
    expect(events.map((event) => event.error?.code)).toEqual(['ERR_CORRUPT']);
  });

  test.each([
    ['throws', () => { throw new Error('store down'); }, 'store down'],
    ['rejects', () => Promise.reject(new Error('store down')), 'store down'],
    ['never settles', () => new Promise(() => {}), 'no answer within the timeout (150 ms)'],
  ])('a function that %s: a read is a miss and a write an error event, within the timeout', async (_how, fail, message) => {
    const store = mapStore();
    const failing = { get: fail, set: fail, delete: fail, has: fail } as unknown as CustomStoreFunctions;
    await using cache = await Cache.open({
      tiers: [ram(), custom({ name: 'flaky', ...store, ...failing, timeout: 150 })],
    });
    const events: Event[] = [];
    cache.on('error', (event) => events.push(event as Event));
    const started = Date.now();
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', 'v'); // RAM took it
    expect(Date.now() - started).toBeLessThan(1000);
    expect(text(cache.getSync('k'))).toBe('v');
    await sleep(20);
    expect(events.map((event) => [event.tier, event.key, event.error?.code])).toEqual([
      ['flaky', 'k', 'ERR_UNAVAILABLE'],
      ['flaky', 'k', 'ERR_UNAVAILABLE'],
    ]);
    for (const event of events) expect(event.error?.message).toContain(message);
    expect(cache.stats().tiers[1]).toMatchObject({ hits: 0, misses: 1 });
  });

  test('with no other tier to take it, a failed write rejects with ERR_UNAVAILABLE; a clear without clear() too', async () => {
    const { get, set, delete: remove } = silentStore();
    await using cache = await Cache.open({ tiers: [custom({ name: 'silent', get, set, delete: remove, timeout: 100 })] });
    await expect(cache.set('k', 'v')).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE', tier: 'silent' });
    await expect(cache.clear()).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE', message: expect.stringContaining('no clear') });
  });

  test('a get that does not resolve to bytes is a miss and an error event', async () => {
    await using cache = await Cache.open({
      tiers: [custom({ name: 'odd', ...mapStore(), get: async () => 'a string' as never })],
    });
    const events: Event[] = [];
    cache.on('error', (event) => events.push(event as Event));
    expect(await cache.get('k')).toBeUndefined();
    await sleep(10);
    expect(events[0]?.error?.message).toContain('Uint8Array');
  });

  test('close() with calls in flight settles them within the timeout', async () => {
    const store = silentStore();
    const cache = await Cache.open({ tiers: [ram(), custom({ name: 'silent', ...store, timeout: 200 })] });
    const started = Date.now();
    const calls = [cache.get('a'), cache.has('b'), cache.set('c', 'v'), cache.delete('d').catch((error) => error.code)];
    await cache.close();
    const results = await Promise.all(calls);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(results.slice(0, 3)).toEqual([undefined, false, undefined]);
    expect(['ERR_UNAVAILABLE', 'ERR_CLOSED']).toContain(results[3]);
    expect(store.calls()).toBe(4);
  });

  test('a promotion from a custom tier fills the RAM tier above, with a promote event', async () => {
    const store = mapStore();
    await using writer = await Cache.open({ tiers: [custom({ name: 'shared', ...store })] });
    await writer.set('k', 'v');
    await using reader = await Cache.open({ tiers: [ram(), custom({ name: 'shared', ...store })] });
    const promotions: Event[] = [];
    reader.on('promote', (event) => promotions.push(event as Event));
    expect(text(await reader.get('k'))).toBe('v');
    expect(text(reader.getSync('k'))).toBe('v');
    await sleep(10);
    expect(promotions.map((event) => [event.tier, event.key])).toEqual([['ram', 'k']]);
    // RAM: the miss of get(), then the hit of getSync() on the promoted copy.
    expect(reader.stats().tiers.map((tier) => [tier.hits, tier.misses])).toEqual([[1, 1], [1, 0]]);
  });

  test('write-back demotes into a custom tier as entries leave RAM, and flush writes down the rest', async () => {
    const store = mapStore();
    await using cache = await Cache.open({
      tiers: [ram({ cacheLimit: '64KB' }), custom({ name: 'map', ...store })],
      writePolicy: 'back',
    });
    const value = new Uint8Array(20_000).fill(1);
    for (let i = 0; i < 6; i++) cache.setSync(`k${i}`, value); // evicts the oldest from RAM
    await sleep(50);
    const demotedFirst = store.entries.size;
    expect(demotedFirst).toBeGreaterThan(0);
    await cache.flush();
    expect(store.entries.size).toBe(6);
    expect(cache.stats().tiers[1]!.demotions).toBe(6);
    expect((await cache.get('k0'))?.length).toBe(20_000);
  });
});

describe('custom() tiers on the store threads of the Node build', () => {
  test('a disk hit is promoted into the custom tier above it from the disk thread', async () => {
    const folder = freshFolder('custom-promote');
    await using first = await NodeCache.open({ tiers: [disk({ path: folder })] });
    await first.set('k', 'from disk');
    await first.close();
    const store = mapStore();
    await using cache = await NodeCache.open({ tiers: [ram(), custom({ name: 'map', ...store }), disk({ path: folder })] });
    expect(text(await cache.get('k'))).toBe('from disk');
    await cache.flush();
    expect([...store.entries.keys()]).toEqual([keyDigest('k')]);
    expect(cache.stats().tiers.map((tier) => tier.promotions)).toEqual([1, 1, 0]);
  });

  test('a write-back entry evicted by a promotion on the disk thread is demoted into the custom tier', async () => {
    const folder = freshFolder('custom-demote');
    const big = new Uint8Array(40_000).fill(2);
    await using first = await NodeCache.open({ tiers: [disk({ path: folder })] });
    await first.set('big', big);
    await first.close();
    const store = mapStore();
    await using cache = await NodeCache.open({
      tiers: [ram({ cacheLimit: '64KB' }), custom({ name: 'map', ...store }), disk({ path: folder })],
      writePolicy: 'back',
    });
    cache.setSync('pending', new Uint8Array(40_000).fill(3)); // only in RAM so far
    expect(store.entries.size).toBe(0);
    expect((await cache.get('big'))?.length).toBe(40_000); // its promotion into RAM evicts 'pending'
    await cache.flush();
    expect(store.entries.has(keyDigest('pending'))).toBe(true);
    expect(cache.stats().tiers[1]!.demotions).toBe(1);
  });

  test('a shared cache cannot have a custom tier', async () => {
    await expect(NodeCache.open({ shared: 'custom', tiers: [ram(), custom({ name: 'map', ...mapStore() })] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
  });

  test('terminating worker threads with custom-tier calls in flight leaves the process running', async () => {
    const folder = freshFolder('custom-terminate');
    const script = new URL('./fixtures/terminate-custom-workers.mjs', import.meta.url);
    const { stdout } = await run(process.execPath, [script.pathname, folder, '8']); // rejects on a signal
    expect(stdout.trim()).toBe('survived');
  }, 30_000);
});

describe('custom() options', () => {
  test('bad options are refused with ERR_INVALID_ARG', () => {
    const { get, set, delete: remove } = mapStore();
    const invalid = { code: 'ERR_INVALID_ARG' };
    expect(() => custom(undefined as never)).toThrow(expect.objectContaining(invalid));
    expect(() => custom({ get, set, delete: remove } as never)).toThrow(expect.objectContaining(invalid));
    expect(() => custom({ name: 'x', get, set } as never)).toThrow(expect.objectContaining(invalid));
    expect(() => custom({ name: 'x', get, set, delete: remove, has: 1 as never })).toThrow(expect.objectContaining(invalid));
    expect(() => custom({ name: 'x', get, set, delete: remove, timeout: -1 })).toThrow(expect.objectContaining(invalid));
    expect(() => custom({ name: '', get, set, delete: remove })).toThrow(expect.objectContaining(invalid));
  });
});
