// The indexedDb() tier in real Chromium beyond the contract: persistence across a browser restart, the budget
// under overfill, promotion, two pages on one database, a full storage quota, a hung open, another tab
// deleting the database. Each case checks the cache against what IndexedDB itself holds.
import { rm } from 'node:fs/promises';

import type { Page } from 'playwright-core';

import { indexedDb } from '../../dist/wasm.js';
import { profileFolder } from '../browser/harness.mjs';
import type { PageApi } from '../browser/page.js';
import { startTestSite, type TestSite } from './browser-page.js';

declare const strataTests: PageApi;

let site: TestSite;
let browser: Awaited<ReturnType<TestSite['launch']>>;

beforeAll(async () => {
  site = await startTestSite();
  browser = await site.launch();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const newPage = (): Promise<Page> => site.open(browser.context);

/** What `read` answers once `done` holds of it, read again every 50 ms; after 10 s, the last answer. */
async function pollUntil<T>(read: () => Promise<T>, done: (answer: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await read();
    if (done(answer) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('entries persist across a browser restart, and the index loads from metadata alone', async () => {
  const profile = await profileFolder();
  try {
    let chromium = await site.launch(profile);
    await (await site.open(chromium.context)).evaluate(async () => {
      const { Cache, indexedDb } = strataTests;
      const cache = await Cache.open({ tiers: [indexedDb({ database: 'persist' })] });
      for (let i = 0; i < 20; i++) await cache.set(`k${i}`, `value ${i}`);
      await cache.set('short', 'v', { ttl: 50 });
      await cache.close();
    });
    await chromium.close();

    chromium = await site.launch(profile);
    const after = await (await site.open(chromium.context)).evaluate(async () => {
      const { Cache, indexedDb, ram } = strataTests;
      const cache = await Cache.open({ tiers: [ram(), indexedDb({ name: 'local', database: 'persist' })] });
      const loaded = cache.stats().tiers[1]!.entries; // before any read
      await new Promise((resolve) => setTimeout(resolve, 100));
      const read = (await cache.get('k7'))!;
      const value = new TextDecoder().decode(read);
      read.fill(0); // the caller's own array: the promoted copy does not change with it
      const short = await cache.get('short');
      const promoted = new TextDecoder().decode(cache.getSync('k7')); // now in RAM
      const [hot, idb] = cache.stats().tiers;
      await cache.close();
      return { loaded, value, short, promoted, ramHits: hot!.hits, idbHits: idb!.hits, idbName: idb!.name };
    });
    await chromium.close();
    expect(after).toEqual({
      loaded: 21, value: 'value 7', short: undefined, promoted: 'value 7', ramHits: 1, idbHits: 1, idbName: 'local',
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
});

test('entries() lists the IndexedDB tier from its index, each key once with size and expiry, after a reload too', async () => {
  const page = await newPage();
  const list = () =>
    page.evaluate(async () => {
      const { Cache, indexedDb, ram } = strataTests;
      const cache = await Cache.open({ tiers: [ram({ cacheLimit: '64KB' }), indexedDb({ database: 'listing' })] });
      if (!(await cache.has('k0'))) {
        for (let i = 0; i < 30; i++) await cache.set(`k${i}`, new Uint8Array(4096 + i));
        await cache.namespace('tenant').set('t', 'tenant value', { ttl: '1h' });
        await cache.set('short', 'v', { ttl: 30 });
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      const all = [];
      for await (const e of cache.entries({ pageSize: 4, allNamespaces: true })) all.push(e);
      const idb = [];
      for await (const e of cache.entries({ tier: 'indexeddb', pageSize: 7 })) idb.push(e.key);
      await cache.close();
      return {
        names: all.map((e) => `${e.namespace}/${e.key}`).sort(),
        sizes: all.filter((e) => e.key.startsWith('k')).every((e) => e.size === 4096 + Number(e.key.slice(1))),
        tiers: [...new Set(all.map((e) => e.tier))].sort(),
        tenantExpires: all.find((e) => e.namespace === 'tenant')!.expiresAt - Date.now(),
        neverExpires: all.filter((e) => e.namespace === '').every((e) => e.expiresAt === Infinity),
        idb: idb.sort(),
      };
    });
  const keys = Array.from({ length: 30 }, (_, i) => `k${i}`).sort();
  const written = await list();
  expect(written.names).toEqual([...keys.map((k) => `/${k}`), 'tenant/t'].sort());
  expect(written.sizes).toBe(true);
  expect(written.tiers).toEqual(['indexeddb', 'ram']); // the RAM tier holds only the latest keys
  expect(written.tenantExpires).toBeGreaterThan(3_500_000);
  expect(written.neverExpires).toBe(true);
  expect(written.idb).toEqual(keys);
  await page.reload();
  await page.waitForFunction(() => 'strataTests' in globalThis);
  const reloaded = await list(); // the index loaded from the metadata records: RAM is empty
  expect(reloaded.names).toEqual(written.names);
  expect(reloaded.tiers).toEqual(['indexeddb']);
  expect(reloaded.sizes).toBe(true);
});

test('cacheLimit holds under a tenfold overfill, in the index and in the database', async () => {
  const page = await newPage();
  const result = await page.evaluate(async () => {
    const { Cache, indexedDb, databaseFacts } = strataTests;
    const limit = 1_000_000;
    const cache = await Cache.open({ tiers: [indexedDb({ database: 'overfill', cacheLimit: limit })] });
    let [written, i, worst] = [0, 0, 0];
    let seed = 7;
    while (written < 10 * limit) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      const size = seed % 20_000;
      await cache.set(`key:${i++}`, new Uint8Array(size));
      written += size;
      worst = Math.max(worst, cache.stats().tiers[0]!.bytes);
    }
    const stats = cache.stats().tiers[0]!;
    const newest = await cache.has(`key:${i - 1}`);
    await cache.close();
    return { limit, worst, stats, newest, facts: await databaseFacts('overfill') };
  });
  expect(result.worst).toBeLessThanOrEqual(result.limit);
  expect(result.stats.evictions).toBeGreaterThan(0);
  expect(result.newest).toBe(true);
  expect(result.facts.total).toBeLessThanOrEqual(result.limit);
  expect(result.facts.total).toBe(result.facts.charges);
  expect(result.facts).toMatchObject({ records: result.stats.entries, indexed: result.stats.entries });
});

test('two pages write one database at once without corrupting it, and see each other’s entries', async () => {
  const [a, b] = [await newPage(), await newPage()];
  const limit = 1_000_000;
  const fill = (page: Page, prefix: string) =>
    page.evaluate(
      async ({ prefix, limit }) => {
        const { Cache, indexedDb } = strataTests;
        const cache = await Cache.open({ tiers: [indexedDb({ database: 'two-pages', cacheLimit: limit })] });
        (globalThis as unknown as { cache: typeof cache }).cache = cache;
        for (let round = 0; round < 30; round++) {
          await Promise.all(Array.from({ length: 10 }, (_, i) => cache.set(`${prefix}${round * 10 + i}`, new Uint8Array(10_000).fill(round))));
        }
      },
      { prefix, limit },
    );
  await Promise.all([fill(a, 'a'), fill(b, 'b')]);
  type Shared = { cache: Awaited<ReturnType<PageApi['Cache']['open']>> };

  // Each page reads what the other wrote last, and a delete in one is a miss in the other.
  const seen = await a.evaluate(async () => {
    const { cache } = globalThis as unknown as Shared;
    return Array.from((await cache.get('b299')) ?? []).every((byte) => byte === 29);
  });
  expect(seen).toBe(true);
  expect(await b.evaluate(() => (globalThis as unknown as Shared).cache.delete('a299'))).toBe(true);
  expect(await a.evaluate(async () => (await (globalThis as unknown as Shared).cache.get('a299')) === undefined)).toBe(true);

  // The writers bring the database back within the budget once they learn of each other's entries.
  // (Polled from here: waitForFunction does not await a predicate's promise, so an async one passes at once.)
  const facts = await pollUntil(() => a.evaluate(() => strataTests.databaseFacts('two-pages')), (facts) => facts.total <= limit);
  expect(facts.total).toBeLessThanOrEqual(limit);
  expect(facts.total).toBe(facts.charges);
  expect(facts.indexed).toBe(facts.records);
  expect(facts.records).toBeGreaterThan(0);
});

test('what the IndexedDB tier evicts and expires is reported as events', async () => {
  const heard = await (await newPage()).evaluate(async () => {
    const { Cache, indexedDb } = strataTests;
    const cache = await Cache.open({ tiers: [indexedDb({ database: 'events', cacheLimit: 5_000 })] });
    const heard: string[] = [];
    const record = (event: { type: string; tier: string; key: string; reason: string }) =>
      heard.push(`${event.type} ${event.tier} ${event.key} ${event.reason}`);
    cache.on('evict', record).on('expire', record);
    for (let i = 0; i < 3; i++) await cache.set(`k${i}`, new Uint8Array(2_000)); // room for two
    await cache.set('short', 'v', { ttl: 20 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const short = await cache.get('short');
    await new Promise((resolve) => setTimeout(resolve, 0)); // events arrive after the call that raised them
    await cache.close();
    return { heard, short };
  });
  expect(heard).toEqual({ heard: ['evict indexeddb k0 lru', 'expire indexeddb short read'], short: undefined });
});

// What an entry of 1,000 bytes under a 4-byte key is charged in an IndexedDB tier: the value, the key twice, 96.
const CHARGE = 1_000 + 2 * 4 + 96;

test("a namespace's limit holds under a tenfold overfill, in the index and the database; others are untouched", async () => {
  const result = await (await newPage()).evaluate(async (charge) => {
    const { Cache, indexedDb, databaseFacts } = strataTests;
    const cache = await Cache.open({ tiers: [indexedDb({ database: 'ns-overfill', cacheLimit: 1_000_000 })] });
    const evicted: string[] = [];
    cache.on('evict', (event) => evicted.push(`${event.namespace}/${event.key} ${event.reason}`));
    const small = cache.namespace('small', { cacheLimit: 5 * charge });
    const other = cache.namespace('other');
    const key = (prefix: string, i: number) => `${prefix}${String(i).padStart(3, '0')}`;
    for (let i = 0; i < 10; i++) {
      await other.set(key('o', i), new Uint8Array(1_000));
      await cache.set(key('c', i), new Uint8Array(1_000));
    }
    for (let i = 0; i < 50; i++) await small.set(key('s', i), new Uint8Array(1_000));
    const tooLarge = await small.set('big', new Uint8Array(6_000)).then(() => null, (error: { code: string }) => error.code);
    await cache.set('big', new Uint8Array(6_000)); // the cache's own keys are not bound by it
    await new Promise((resolve) => setTimeout(resolve, 0)); // events arrive after the call that raised them
    const kept: string[] = [];
    for (let i = 0; i < 50; i++) if (await small.has(key('s', i))) kept.push(key('s', i));
    let untouched = true;
    for (let i = 0; i < 10; i++) untouched &&= (await other.has(key('o', i))) && (await cache.has(key('c', i)));
    const { entries } = cache.stats().tiers[0]!;
    await cache.close();
    return { evicted, tooLarge, kept, untouched, entries, facts: await databaseFacts('ns-overfill') };
  }, CHARGE);
  expect(result.evicted).toHaveLength(45);
  expect(result.evicted.filter((event) => !/^small\/s\d{3} namespace$/.test(event))).toEqual([]);
  expect(result.tooLarge).toBe('ERR_TOO_LARGE');
  expect(result.kept).toEqual(['s045', 's046', 's047', 's048', 's049']); // the most recent stay
  expect(result.untouched).toBe(true);
  expect(result.entries).toBe(26);
  expect(result.facts.byNamespace).toEqual({ '': 10 * CHARGE + 6_000 + 6 + 96, other: 10 * CHARGE, small: 5 * CHARGE });
  expect(result.facts.total).toBe(result.facts.charges);
});

test("after a page reload, a namespace's bytes are counted from the metadata records, and its limit holds", async () => {
  const page = await newPage();
  await page.evaluate(async () => {
    const { Cache, indexedDb } = strataTests;
    const cache = await Cache.open({ tiers: [indexedDb({ database: 'ns-reload' })] });
    for (let i = 0; i < 20; i++) {
      await cache.namespace('small').set(`s${String(i).padStart(3, '0')}`, new Uint8Array(1_000));
      await cache.set(`c${String(i).padStart(3, '0')}`, new Uint8Array(1_000));
      await new Promise((resolve) => setTimeout(resolve, 2)); // recency after a reload follows write times
    }
    await cache.close();
  });
  await page.reload();
  await page.waitForFunction(() => 'strataTests' in globalThis);
  const result = await page.evaluate(async (charge) => {
    const { Cache, indexedDb, databaseFacts } = strataTests;
    const cache = await Cache.open({ tiers: [indexedDb({ database: 'ns-reload' })] });
    const evicted: string[] = [];
    cache.on('evict', (event) => evicted.push(`${event.namespace}/${event.key} ${event.reason}`));
    const small = cache.namespace('small', { cacheLimit: 5 * charge }); // evicts at once
    await new Promise((resolve) => setTimeout(resolve, 0));
    const atOnce = evicted.length;
    await small.set('s020', new Uint8Array(1_000)); // one more evicts the oldest left
    await new Promise((resolve) => setTimeout(resolve, 0));
    const { entries } = cache.stats().tiers[0]!;
    await cache.close();
    return { atOnce, evicted, entries, facts: await databaseFacts('ns-reload') };
  }, CHARGE);
  expect(result.atOnce).toBe(15);
  expect(result.evicted).toEqual(
    Array.from({ length: 16 }, (_, i) => `small/s${String(i).padStart(3, '0')} namespace`),
  );
  expect(result.entries).toBe(25);
  expect(result.facts.byNamespace).toEqual({ '': 20 * CHARGE, small: 5 * CHARGE });
});

test("a tab's namespace limit takes in another tab's entries when the database goes past the budget", async () => {
  const [a, b] = [await newPage(), await newPage()];
  type Shared = { cache: Awaited<ReturnType<PageApi['Cache']['open']>>; evicted: string[] };
  const open = (page: Page, limit: number | null) =>
    page.evaluate(async ({ charge, limit }) => {
      const { Cache, indexedDb } = strataTests;
      const cache = await Cache.open({ tiers: [indexedDb({ database: 'ns-tabs', cacheLimit: 50 * charge })] });
      const evicted: string[] = [];
      cache.on('evict', (event) => evicted.push(`${event.namespace}/${event.key} ${event.reason}`));
      if (limit !== null) cache.namespace('small', { cacheLimit: limit });
      Object.assign(globalThis, { cache, evicted });
    }, { charge: CHARGE, limit });
  await open(a, 5 * CHARGE);
  await open(b, null);
  // The other tab fills the database to its budget: 20 entries of the namespace and 30 of the cache's own.
  await b.evaluate(async () => {
    const { cache } = globalThis as unknown as Shared;
    for (let i = 0; i < 20; i++) {
      await cache.namespace('small').set(`s${String(i).padStart(3, '0')}`, new Uint8Array(1_000));
      await new Promise((resolve) => setTimeout(resolve, 2)); // recency after a reload follows write times
    }
    for (let i = 0; i < 30; i++) await cache.set(`c${String(i).padStart(3, '0')}`, new Uint8Array(1_000));
  });
  // One more entry takes the database past the budget: this tab reloads its index and evicts.
  await a.evaluate(async () => {
    const { cache } = globalThis as unknown as Shared;
    await cache.set('a000', new Uint8Array(1_000));
  });
  const result = await a.evaluate(async (max) => {
    const { cache, evicted } = globalThis as unknown as Shared;
    // The reload and its deletes come after the set settled: wait for them (at most 2 s).
    for (let i = 0; i < 100 && (await strataTests.databaseFacts('ns-tabs')).byNamespace['small']! > max; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await cache.close();
    return { evicted, facts: await strataTests.databaseFacts('ns-tabs') };
  }, 5 * CHARGE);
  expect(result.evicted).toEqual(Array.from({ length: 15 }, (_, i) => `small/s${String(i).padStart(3, '0')} namespace`));
  expect(result.facts.byNamespace).toEqual({ '': 31 * CHARGE, small: 5 * CHARGE });
});

test('two tabs replacing one key each charge what their own index knows; the next load counts the total again', async () => {
  const result = await (await newPage()).evaluate(async () => {
    const { Cache, indexedDb } = strataTests;
    // Two caches on one database: each has its own index and connection, as two tabs would.
    const open = () => Cache.open({ tiers: [indexedDb({ database: 'replaced' })] });
    const [a, b] = [await open(), await open()];
    await a.set('k', new Uint8Array(5_000));
    await b.set('k', new Uint8Array(1_000)); // b's index does not know a's record: it charges it as new
    const drifted = await strataTests.databaseFacts('replaced');
    await Promise.all([a.close(), b.close()]);
    const c = await open(); // its load walks the metadata index and stores the total it counts
    const loaded = c.stats().tiers[0]!.bytes;
    const value = (await c.get('k'))?.length;
    await c.close();
    return { drifted, loaded, value, recounted: await strataTests.databaseFacts('replaced') };
  });
  const charge = 1_000 + 2 + 96;
  expect(result.drifted).toMatchObject({ total: 5_000 + 2 + 96 + charge, charges: charge, records: 1, indexed: 1 });
  expect(result).toMatchObject({ loaded: charge, value: 1_000, recounted: { total: charge, charges: charge } });
});

test('the running total stays exact across another tab counting it again and two tabs removing one entry', async () => {
  const result = await (await newPage()).evaluate(async () => {
    const { Cache, indexedDb } = strataTests;
    const open = () => Cache.open({ tiers: [indexedDb({ database: 'recounted' })] });
    const facts = () => strataTests.databaseFacts('recounted');
    const a = await open();
    await a.set('k000', new Uint8Array(1_000));
    const b = await open(); // counts the total again, under a new generation: a's record is now of an older one
    await a.set('k001', new Uint8Array(2_000)); // a puts its record again, in the new generation
    const afterRecount = await facts();
    await b.get('k000'); // b learns of the entry (its index adopts it)
    await a.delete('k000');
    await b.delete('k000'); // already gone: the total must not fall twice
    const afterDeletes = await facts();
    await Promise.all([a.close(), b.close()]);
    return { afterRecount, afterDeletes };
  });
  const charge = (size: number) => size + 2 * 4 + 96;
  expect(result.afterRecount).toMatchObject({ total: charge(1_000) + charge(2_000), charges: charge(1_000) + charge(2_000) });
  expect(result.afterDeletes).toMatchObject({ total: charge(2_000), charges: charge(2_000), records: 1 });
});

test('a database of the two-store layout (version 1) is emptied at open, and the tier works on from there', async () => {
  const result = await (await newPage()).evaluate(async (charge) => {
    const { Cache, indexedDb, keyDigest, ram } = strataTests;
    await (await Cache.open({ tiers: [ram()] })).close(); // loads the module, which keyDigest needs
    // The records as version 1 wrote them: a value store and a metadata store holding the running total.
    const db = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open('layout-1', 1);
      request.onupgradeneeded = () => ['values', 'meta'].forEach((store) => request.result.createObjectStore(store));
      request.onsuccess = () => resolve(request.result);
    });
    await new Promise((resolve) => {
      const tx = db.transaction(['values', 'meta'], 'readwrite');
      for (let i = 0; i < 3; i++) {
        const key = `old${i}`;
        tx.objectStore('values').put({ key, value: new Uint8Array(1_000).fill(i), expires: null }, keyDigest(key));
        tx.objectStore('meta').put({ key, charge, expires: null, written: i }, keyDigest(key));
      }
      tx.objectStore('meta').put(3 * charge, '#total');
      tx.oncomplete = resolve;
    });
    // Left open, as a tab of the old version would: the upgrade asks it to close, as that version does.
    db.onversionchange = () => db.close();
    const cache = await Cache.open({ tiers: [indexedDb({ database: 'layout-1' })] });
    const loaded = cache.stats().tiers[0]!;
    const old = await cache.get('old0');
    await cache.set('new0', new Uint8Array(1_000));
    const read = (await cache.get('new0'))?.length;
    await cache.close();
    const stores = await new Promise<string[]>((resolve) => {
      const request = indexedDB.open('layout-1');
      request.onsuccess = () => {
        resolve([String(request.result.version), ...Array.from(request.result.objectStoreNames)]);
        request.result.close();
      };
    });
    return { loaded: [loaded.entries, loaded.bytes], old, read, stores, facts: await strataTests.databaseFacts('layout-1') };
  }, CHARGE);
  expect(result).toEqual({
    loaded: [0, 0], old: undefined, read: 1_000, stores: ['2', 'entries', 'state'],
    facts: { total: CHARGE, charges: CHARGE, records: 1, indexed: 1, byNamespace: { '': CHARGE } },
  });
});

/** A page of a browser of its own whose origin has a storage quota of 4 MB. */
async function quotaPage() {
  // A browser of its own: the quota override is per origin, and other cases' databases would count against it.
  const chromium = await site.launch();
  const page = await site.open(chromium.context);
  const cdp = await chromium.context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.origin, quotaSize: 4_000_000 });
  return { chromium, page };
}

/** Fills the quota through a tier of `durability`, then sets a value larger than the quota. */
async function pastTheQuota(durability: 'committed' | 'placed') {
  const { chromium, page } = await quotaPage();
  try {
    return await page.evaluate(async (durability) => {
      const { Cache, indexedDb, noise } = strataTests;
      const cache = await Cache.open({ tiers: [indexedDb({ database: 'quota', cacheLimit: '100MB', durability })] });
      const events: Array<{ code: string; tier: string; key: string | undefined }> = [];
      cache.on('error', (event) => events.push({ code: event.error.code, tier: event.tier, key: event.key }));
      for (let i = 0; i < 30; i++) await cache.set(`fits:${i}`, noise(400_000, i)); // 12 MB in all
      await cache.flush();
      const kept = await cache.get('fits:29');
      const failure = await cache.set('too-big', noise(6_000_000, 0)).then(() => null, (error: { code: string }) => error.code);
      const stats = cache.stats().tiers[0]!;
      await cache.close();
      return { kept: kept?.[0], failure, events, evictions: stats.evictions };
    }, durability);
  } finally {
    await chromium.close();
  }
}

test.each(['committed', 'placed'] as const)(
  'a full storage quota: evicts and retries once, then ERR_QUOTA and an error event (durability %s)',
  async (durability) => {
    const result = await pastTheQuota(durability);
    if (durability === 'placed' && result.kept === undefined) {
      // Placed writes settle before they commit, so two of them can be in flight when the quota is reached, and
      // on a loaded machine the second's one retry can find the quota still full (seen once in CI): that write
      // is then lost as any placed write that fails is, reported as an error event and a miss, never silently.
      expect(result.events).toContainEqual({ code: 'ERR_QUOTA', tier: 'indexeddb', key: 'fits:29' });
    } else {
      expect(result.kept).toBe(29);
    }
    expect(result.evictions).toBeGreaterThan(0); // made room within a budget the quota was smaller than
    expect(result.failure).toBe('ERR_QUOTA'); // with 'placed' too: a value over 1 MiB settles at its commit
    expect(result.events).toContainEqual({ code: 'ERR_QUOTA', tier: 'indexeddb', key: 'too-big' });
  },
);

test("durability 'placed': a set that fails after it settled is an error event, and a miss", async () => {
  const { chromium, page } = await quotaPage();
  try {
    const result = await page.evaluate(async () => {
      const { Cache, indexedDb, noise } = strataTests;
      // Another database takes the quota, so that evicting this tier's entries cannot make room.
      const hog = await new Promise<IDBDatabase>((resolve) => {
        const request = indexedDB.open('hog');
        request.onupgradeneeded = () => request.result.createObjectStore('bytes');
        request.onsuccess = () => resolve(request.result);
      });
      for (let i = 0, full = false; !full; i++) {
        full = await new Promise<boolean>((resolve) => {
          const tx = hog.transaction('bytes', 'readwrite');
          tx.objectStore('bytes').put(noise(200_000, i), i);
          tx.oncomplete = () => resolve(false);
          tx.onabort = () => resolve(true);
        });
      }
      const cache = await Cache.open({ tiers: [indexedDb({ database: 'quota', durability: 'placed' })] });
      const events: Array<{ code: string; tier: string; key: string | undefined }> = [];
      cache.on('error', (event) => events.push({ code: event.error.code, tier: event.tier, key: event.key }));
      const failure = await cache.set('small', noise(300_000, 0)).then(() => null, (error: { code: string }) => error.code);
      await cache.flush();
      const stored = (await cache.get('small')) !== undefined;
      const entries = cache.stats().tiers[0]!.entries;
      await cache.close();
      return { failure, stored, entries, events };
    });
    expect(result).toEqual({
      failure: null, stored: false, entries: 0, events: [{ code: 'ERR_QUOTA', tier: 'indexeddb', key: 'small' }],
    });
  } finally {
    await chromium.close();
  }
});

test("durability 'placed': sets settle before their commit, read back at once, and are committed by close()", async () => {
  const profile = await profileFolder();
  try {
    let chromium = await site.launch(profile);
    const before = await (await site.open(chromium.context)).evaluate(async () => {
      const { Cache, indexedDb } = strataTests;
      const cache = await Cache.open({ tiers: [indexedDb({ database: 'placed', durability: 'placed' })] });
      const timeline: string[] = [];
      const pending = cache.set('k0', 'v0').then(() => timeline.push('settled'));
      // The commit's event comes in a task of its own, after the microtasks in which the set settles.
      await new Promise((resolve) => setTimeout(resolve, 0));
      timeline.push('next task');
      await pending;
      for (let i = 1; i < 50; i++) await cache.set(`k${i}`, `v${i}`);
      const read = new TextDecoder().decode(await cache.get('k49'));
      await cache.close(); // waits for the commits
      return { timeline, read };
    });
    await chromium.close();
    expect(before).toEqual({ timeline: ['settled', 'next task'], read: 'v49' });

    chromium = await site.launch(profile);
    const after = await (await site.open(chromium.context)).evaluate(async () => {
      const { Cache, indexedDb, databaseFacts } = strataTests;
      const cache = await Cache.open({ tiers: [indexedDb({ database: 'placed', durability: 'placed' })] });
      const decoder = new TextDecoder();
      const values = await Promise.all(Array.from({ length: 50 }, async (_, i) => decoder.decode(await cache.get(`k${i}`))));
      await cache.close();
      return { values, facts: await databaseFacts('placed') };
    });
    await chromium.close();
    expect(after.values).toEqual(Array.from({ length: 50 }, (_, i) => `v${i}`));
    expect(after.facts.total).toBe(after.facts.charges);
    expect(after.facts).toMatchObject({ records: 50, indexed: 50 });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
});

test('a series of awaited gets, which share transactions, does not hold up another connection’s writes', async () => {
  const result = await (await newPage()).evaluate(async () => {
    const { Cache, indexedDb } = strataTests;
    const cache = await Cache.open({ tiers: [indexedDb({ database: 'readers' })] });
    await Promise.all(Array.from({ length: 100 }, (_, i) => cache.set(`k${i}`, `v${i}`)));
    const other = await new Promise<IDBDatabase>((resolve) => {
      const request = indexedDB.open('readers');
      request.onsuccess = () => resolve(request.result);
    });
    const start = performance.now();
    let reading = true;
    const reads = (async () => {
      let count = 0;
      while (performance.now() - start < 400) {
        await cache.get(`k${count++ % 100}`);
      }
      reading = false;
      return count;
    })();
    // A write of another connection (another tab would have its own) while the gets go on.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const written = await new Promise<number>((resolve) => {
      const tx = other.transaction('state', 'readwrite');
      tx.objectStore('state').put(0, '#probe');
      tx.oncomplete = () => resolve(performance.now() - start);
    });
    const stillReading = reading;
    const count = await reads;
    other.close();
    await cache.close();
    return { written, stillReading, count };
  });
  expect(result.stillReading).toBe(true); // the write landed in the middle of the series
  expect(result.written).toBeLessThan(300);
  expect(result.count).toBeGreaterThan(100);
});

test('an open that hangs falls back to RAM after openTimeout, with a warning event', async () => {
  const [holder, page] = [await newPage(), await newPage()];
  // A real hung open: another page's upgrade of the database never finishes, so every open of it waits.
  await holder.evaluate(() => {
    const request = indexedDB.open('hung', 2);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore('spin');
      const spin = () => (store.get(0).onsuccess = spin);
      spin();
    };
  });
  const result = await page.evaluate(async () => {
    const { Cache, indexedDb } = strataTests;
    const cache = await Cache.open({ tiers: [indexedDb({ database: 'hung', openTimeout: '300ms' })] });
    const warnings: Array<{ code: string; tier: string }> = [];
    cache.on('warning', (event) => warnings.push({ code: event.error.code, tier: event.tier }));
    await cache.set('k', 'v');
    const value = new TextDecoder().decode(await cache.get('k'));
    await cache.close();
    return { value, warnings };
  });
  expect(result).toEqual({ value: 'v', warnings: [{ code: 'ERR_TIMEOUT', tier: 'indexeddb' }] });
});

test('another tab deleting the database is not blocked; the cache reopens it', async () => {
  const [page, other] = [await newPage(), await newPage()];
  await page.evaluate(async () => {
    const { Cache, indexedDb } = strataTests;
    const cache = await Cache.open({ tiers: [indexedDb({ database: 'versionchange' })] });
    await cache.set('before', 'v');
    (globalThis as unknown as { cache: typeof cache }).cache = cache;
  });
  const deletion = await other.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const request = indexedDB.deleteDatabase('versionchange');
        request.onblocked = () => resolve('blocked');
        request.onsuccess = () => resolve('deleted');
      }),
  );
  expect(deletion).toBe('deleted');
  const after = await page.evaluate(async () => {
    const { cache } = globalThis as unknown as { cache: Awaited<ReturnType<PageApi['Cache']['open']>> };
    const before = await cache.get('before');
    await cache.set('after', 'v2');
    return { before, after: new TextDecoder().decode(await cache.get('after')) };
  });
  expect(after).toEqual({ before: undefined, after: 'v2' });
});

test('write-back: sets stay in RAM until evicted or closed, and the database then holds them all', async () => {
  const written = await (await newPage()).evaluate(async () => {
    const { Cache, indexedDb, ram } = strataTests;
    const cache = await Cache.open({
      tiers: [ram({ cacheLimit: 20_000 }), indexedDb({ database: 'write-back' })],
      writePolicy: 'back',
    });
    for (let i = 0; i < 40; i++) await cache.set(`k${i}`, new Uint8Array(1_000).fill(i));
    const hot = cache.stats().tiers[0]!.entries;
    await cache.flush(); // writes down what RAM still holds, and waits for what it evicted
    const idb = cache.stats().tiers[1]!;
    await cache.set('after-flush', 'v'); // written down by close
    await cache.close();
    return { hot, demoted: idb.demotions, stored: idb.entries };
  });
  expect(written.hot).toBeLessThan(40);
  expect(written).toMatchObject({ demoted: 40, stored: 40 });
  const read = await (await newPage()).evaluate(async () => {
    const { Cache, indexedDb } = strataTests;
    const cache = await Cache.open({ tiers: [indexedDb({ database: 'write-back' })] });
    const fills: number[] = [];
    for (let i = 0; i < 40; i++) fills.push((await cache.get(`k${i}`))?.[0] ?? -1);
    const after = new TextDecoder().decode(await cache.get('after-flush'));
    await cache.close();
    return { fills, after };
  });
  expect(read).toEqual({ fills: Array.from({ length: 40 }, (_, i) => i), after: 'v' });
});

test("indexedDb() takes durability 'committed' (the default) or 'placed'", () => {
  expect(indexedDb().settings).toMatchObject({ durability: 'committed' });
  expect(indexedDb({ durability: 'placed' }).settings).toMatchObject({ durability: 'placed' });
  expect(() => indexedDb({ durability: 'maybe' as never })).toThrow(/durability must be 'committed', 'placed'/);
});

test('indexedDb(): `database` names the IndexedDB database, `name` names the tier as for every other tier', () => {
  expect(indexedDb()).toMatchObject({ name: 'indexeddb', settings: { database: 'stratacache' } });
  expect(indexedDb({ name: 'local', database: 'app' })).toMatchObject({ name: 'local', settings: { database: 'app' } });
  expect(() => indexedDb({ database: '' })).toThrow(/database must be a non-empty string/);
  expect(() => indexedDb({ name: '' })).toThrow(/tier name must be a non-empty string/);
});
