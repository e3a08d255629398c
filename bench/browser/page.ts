// The browser benchmark's page (run by bench/browser.mjs): the IndexedDB tier against idb-keyval, and the RAM
// tier's hits against lru-cache, in one page on the same data.
import { createStore, get, getMany, set, setMany } from 'idb-keyval';
import { LRUCache } from 'lru-cache';

import { Cache, indexedDb, ram } from '../../dist/wasm.js';

interface Row {
  what: string;
  stratacache: number; // operations per second
  other: number;
  /** stratacache's rate over the other's: above 1 is faster. */
  ratio: number;
}

function values(size: number, count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const bytes = new Uint8Array(size);
    for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)));
    bytes[0] = i & 0xff;
    return bytes;
  });
}

/** Operations per second of `run`, which does `count` operations. */
async function rate(count: number, run: () => Promise<unknown> | unknown): Promise<number> {
  const start = performance.now();
  await run();
  return (count * 1000) / (performance.now() - start);
}

const row = (what: string, stratacache: number, other: number): Row => ({ what, stratacache, other, ratio: stratacache / other });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

// Rounds of the IndexedDB rows: this machine is shared, so each row is the median of rounds that alternate which
// side goes first.
const ROUNDS = 3;

async function idbRows(quick: boolean): Promise<Row[]> {
  const cache = await Cache.open({ tiers: [indexedDb({ database: 'bench-strata', cacheLimit: '2GB' })] });
  // durability 'placed': a set settles once placed in a live transaction; flush() waits for the commits.
  const placed = await Cache.open({ tiers: [indexedDb({ database: 'bench-placed', cacheLimit: '2GB', durability: 'placed' })] });
  const store = createStore('bench-keyval', 'kv');
  const samples = new Map<string, { strata: number[]; other: number[] }>();
  const sample = (what: string, strata: number, other: number) => {
    const row = samples.get(what) ?? { strata: [], other: [] };
    samples.set(what, row);
    row.strata.push(strata);
    row.other.push(other);
    return other;
  };
  for (let round = 0; round < ROUNDS; round++) {
    // Both sides' rates of a row, in this round's order: `count` operations each.
    const pair = async (what: string, count: number, strata: () => Promise<unknown>, other: () => Promise<unknown>) => {
      if (round % 2 === 0) {
        const first = await rate(count, strata);
        return sample(what, first, await rate(count, other));
      }
      const first = await rate(count, other);
      return sample(what, await rate(count, strata), first);
    };
    // The placed cache's rows against the idb-keyval rate `other` of the default cache's row: the rate its 100 sets
    // settle at, and the rate with the final flush() (the commits) timed too.
    const placedPair = async (what: string, other: number, run: () => Promise<unknown>) => {
      sample(`${what} ('placed')`, await rate(100, run), other);
      await placed.flush();
      sample(`${what} ('placed', with flush())`, await rate(100, async () => { await run(); await placed.flush(); }), other);
    };
    for (const [label, size, sequential] of [['100 B', 100, 1000], ['64 KiB', 65_536, 200], ['1 MiB', 1 << 20, 30]] as const) {
      const n = quick ? Math.ceil(sequential / 10) : sequential;
      const data = values(size, Math.max(n, 100));
      const keys = data.map((_, i) => `${label}:${round}:${i}`); // new keys each round: puts insert
      const batch = keys.slice(0, 100);
      const sequentialPut = await pair(`put ${label}, one at a time`, n,
        async () => { for (let i = 0; i < n; i++) await cache.set(keys[i]!, data[i]!); },
        async () => { for (let i = 0; i < n; i++) await set(keys[i]!, data[i]!, store); });
      await pair(`get ${label}, one at a time`, n,
        async () => { for (let i = 0; i < n; i++) await cache.get(keys[i]!); },
        async () => { for (let i = 0; i < n; i++) await get(keys[i]!, store); });
      await pair(`put ${label}, 100 at once (idb-keyval: 100 set calls)`, 100,
        () => Promise.all(batch.map((key, i) => cache.set(key, data[i]!))),
        () => Promise.all(batch.map((key, i) => set(key, data[i]!, store))));
      const manyPut = await pair(`put ${label}, 100 at once (setMany)`, 100,
        () => cache.setMany(batch.map((key, i) => [key, data[i]!])),
        () => setMany(batch.map((key, i) => [key, data[i]!]), store));
      await pair(`get ${label}, 100 at once (idb-keyval: 100 get calls)`, 100,
        () => Promise.all(batch.map((key) => cache.get(key))),
        () => Promise.all(batch.map((key) => get(key, store))));
      await pair(`get ${label}, 100 at once (getMany)`, 100,
        () => cache.getMany(batch),
        () => getMany(batch, store));
      // After the gets, so that the database is not still busy with these writes when they are timed. 100 sets one
      // at a time, as in the rows at once, so that the flush weighs as much in each.
      await placedPair(`put ${label}, one at a time`, sequentialPut, async () => {
        for (let i = 0; i < 100; i++) await placed.set(keys[i]!, data[i]!);
      });
      await placedPair(`put ${label}, 100 at once (setMany)`, manyPut, () =>
        placed.setMany(batch.map((key, i) => [key, data[i]!])));
    }
  }
  for (const opened of [cache, placed]) {
    await opened.clear();
    await opened.close();
  }
  return [...samples].map(([what, { strata, other }]) => row(what, median(strata), median(other)));
}

async function ramRows(quick: boolean): Promise<Row[]> {
  const keys = Array.from({ length: 1000 }, (_, i) => `key:${i}`);
  const value = new Uint8Array(100);
  const cache = await Cache.open({ tiers: [ram({ cacheLimit: '64MB' })] });
  const lru = new LRUCache<string, Uint8Array>({ maxSize: 64_000_000, sizeCalculation: (v) => v.length + 1 });
  for (const key of keys) {
    cache.setSync(key, value);
    lru.set(key, value);
  }
  const n = quick ? 200_000 : 2_000_000;
  let sink = 0;
  const sides = {
    strata: () => { for (let i = 0; i < n; i++) sink += cache.getSync(keys[i % 1000]!)!.length; },
    other: () => { for (let i = 0; i < n; i++) sink += lru.get(keys[i % 1000]!)!.length; },
  };
  // A warm-up run of each side (the JIT's tiers), then the median of 5 alternating runs.
  sides.strata();
  sides.other();
  const rates = { strata: [] as number[], other: [] as number[] };
  for (let round = 0; round < 5; round++) {
    rates.strata.push(await rate(n, sides.strata));
    rates.other.push(await rate(n, sides.other));
  }
  const [strata, other] = [median(rates.strata), median(rates.other)];
  await cache.close();
  if (sink === 0) throw new Error('no hits');
  return [row('RAM hit 100 B (getSync vs lru-cache get)', strata, other)];
}

Object.assign(globalThis, {
  runBench: async (quick: boolean) => [...(await idbRows(quick)), ...(await ramRows(quick))],
});
