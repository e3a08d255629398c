// RAM-tier benchmark: stratacache's RAM tier against lru-cache 11, in one run, on the same keys and values.
//
//   node --expose-gc bench/ram.mjs            full run (~1.5 min on 2 cores)
//   node --expose-gc bench/ram.mjs --quick    smaller sizes, ~10 s, for a CI smoke run (targets only indicative)
// The exit status is 0 whether targets pass or fail; it is not 0 only when the benchmark itself breaks.
//
// stratacache: Cache.open({ tiers: [ram({ cacheLimit })] }) from dist/node.js (the Node-API addon).
// lru-cache:   new LRUCache({ maxSize: cacheLimit, sizeCalculation: (v, k) => v.length + k.length }).
//
// 1. Speed, in this process, on hits that fit both caches: 16,384 keys 'key:<i>' of 100 B and 1,024 keys 'big:<i>'
//    of 64 KiB. Each row is a pair of loop bodies doing the same n operations on the same keys and values. Each
//    body is warmed up (and its op count calibrated to ~roundMs), then the two sides run alternately for several
//    rounds with gc() before each round; a row reports the median ns/op per side.
// 2. Memory of 1M entries of 1 KiB, one child process per side: V8 heapUsed and RSS after gc(), minus the same
//    taken once the empty cache is open. "outside the V8 heap" is RSS growth minus V8 heapTotal growth.
// 3. RSS when filled past the limit, one child per side and value-size pattern: values totalling ~10x the limit
//    (1 KiB each, or seeded-random 0-16 KiB), then RSS growth after gc() against the limit, and its peak
//    (RSS sampled every 1,024 sets).
// 4. set latency while churning, one child per side: a small cache, 1 KiB values, 4-5x more keys than fit, so
//    every timed set inserts and evicts. Each set is timed alone with process.hrtime.bigint(); the value is
//    allocated before the clock starts. The timer's own cost is reported beside the percentiles.
//
// Values in 2-4: lru-cache keeps a reference to what it is given, so each of its values is a fresh, fully written
// Uint8Array; stratacache copies on set, so its values are written into one reused scratch buffer (same sizes and
// bytes). That way neither side's numbers include garbage that the other way of using it would not create.
//
// Results: a table on stdout, and every row as JSON in bench/results/ram.json.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { LRUCache } from 'lru-cache';

import { Cache, ram } from '../dist/node.js';
import { seededRandom } from './lib/random.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, 'results', 'ram.json');
const KIB = 1024;
const MB = 1e6; // cacheLimit strings such as '256MB' are decimal

const { values: args } = parseArgs({ options: { quick: { type: 'boolean' }, child: { type: 'string' } } });

const CONFIG = args.quick
  ? {
      speed: { smallKeys: 4096, bigKeys: 256, warmupMs: 60, roundMs: 25, rounds: 3 },
      heap: { entries: 100_000, valueBytes: KIB, cacheLimit: 2000 * MB },
      fill: { cacheLimit: 32 * MB, times: 10 },
      churn: { cacheLimit: 16 * MB, keys: 1 << 16, ops: 100_000, valueBytes: KIB, repeats: 1 },
    }
  : {
      speed: { smallKeys: 16_384, bigKeys: 1024, warmupMs: 300, roundMs: 120, rounds: 9 },
      heap: { entries: 1_000_000, valueBytes: KIB, cacheLimit: 2000 * MB },
      fill: { cacheLimit: 256 * MB, times: 10 },
      churn: { cacheLimit: 64 * MB, keys: 1 << 18, ops: 1_000_000, valueBytes: KIB, repeats: 3 },
    };

if (typeof global.gc !== 'function') {
  console.error('run with --expose-gc: node --expose-gc bench/ram.mjs');
  process.exit(2);
}

// Loop bodies add what they read into this, so no engine can drop the work; it is written to the JSON.
let sink = 0;

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers

/** A fresh value of `size` bytes, every byte written (so its pages are really resident). */
function makeValue(size, seed) {
  return new Uint8Array(size).fill(seed & 0xff);
}

function shuffled(items, random = seededRandom(42)) {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function median(numbers) {
  const sorted = [...numbers].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Full collections, with a turn of the event loop between them so finalizers queued by the first can run. */
async function settleHeap() {
  global.gc();
  await new Promise((resolve) => setImmediate(resolve));
  global.gc();
}

/** What grew from one snapshot to the next; `native` is RSS outside the V8 heap (RSS minus heapTotal). */
function memoryGrowth(before, after) {
  const grew = (field) => after[field] - before[field];
  return {
    heapUsed: grew('heapUsed'),
    rss: grew('rss'),
    native: grew('rss') - grew('heapTotal'),
    arrayBuffers: grew('arrayBuffers'),
  };
}

async function memorySnapshot() {
  await settleHeap();
  const { heapUsed, heapTotal, rss, arrayBuffers } = process.memoryUsage();
  return { heapUsed, heapTotal, rss, arrayBuffers };
}

/** The two caches under test, behind one small interface used by the child-process measurements. */
const SIDES = {
  async stratacache(limitBytes) {
    const cache = await Cache.open({ tiers: [ram({ cacheLimit: limitBytes })] });
    const scratch = new Uint8Array(64 * KIB);
    return {
      value: (size, seed) => scratch.subarray(0, size).fill(seed & 0xff),
      set: (key, value) => cache.setSync(key, value),
      stats: () => {
        const { entries, bytes } = cache.stats().tiers[0];
        return { entries, bytes };
      },
    };
  },
  async lru(limitBytes) {
    const lru = newLru(limitBytes);
    return {
      value: makeValue,
      set: (key, value) => lru.set(key, value),
      stats: () => ({ entries: lru.size, bytes: lru.calculatedSize }),
    };
  },
};

function newLru(maxSize) {
  return new LRUCache({ maxSize, sizeCalculation: (value, key) => value.length + key.length });
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Speed

/** Runs `body(ops)` once after a full gc and answers ns per op. */
async function timedRound(body, ops) {
  global.gc();
  const start = process.hrtime.bigint();
  sink += await body(ops);
  return Number(process.hrtime.bigint() - start) / ops;
}

/** Warms a body up (so it is optimised) and answers how many ops make a round of about `roundMs`. */
async function calibrate(body, { warmupMs, roundMs }) {
  let ops = 256;
  let spentNs = 0;
  let nsPerOp = Infinity;
  while (spentNs < warmupMs * 1e6) {
    nsPerOp = await timedRound(body, ops);
    spentNs += nsPerOp * ops;
    if (nsPerOp * ops < (warmupMs * 1e6) / 4) ops *= 2;
  }
  return Math.max(256, Math.round((roundMs * 1e6) / nsPerOp));
}

/** The one measurement helper for speed rows: median ns/op of each side over alternating rounds. */
async function compareSpeed({ name, how, target, stratacache, lru }) {
  const bodies = { stratacache, lru };
  const ops = {};
  for (const side of Object.keys(bodies)) ops[side] = await calibrate(bodies[side], CONFIG.speed);
  const samples = { stratacache: [], lru: [] };
  for (let round = 0; round < CONFIG.speed.rounds; round++) {
    const order = round % 2 ? ['lru', 'stratacache'] : ['stratacache', 'lru'];
    for (const side of order) samples[side].push(await timedRound(bodies[side], ops[side]));
  }
  return makeRow({
    section: 'speed (ns/op, median)',
    name,
    how,
    unit: 'ns',
    stratacache: median(samples.stratacache),
    lru: median(samples.lru),
    target,
    samples,
  });
}

/** Both caches filled with the same keys and (distinct, per-key) values; lookup orders shuffled the same way. */
async function speedFixture() {
  const { smallKeys, bigKeys } = CONFIG.speed;
  const small = Array.from({ length: smallKeys }, (_, i) => `key:${i}`);
  const big = Array.from({ length: bigKeys }, (_, i) => `big:${i}`);
  const limit = 256 * MB;
  const cache = await Cache.open({ tiers: [ram({ cacheLimit: limit })] });
  const lru = newLru(limit);
  for (const [keys, size] of [[small, 100], [big, 64 * KIB]]) {
    keys.forEach((key, i) => {
      const value = makeValue(size, i);
      cache.setSync(key, value);
      lru.set(key, value);
    });
  }
  return {
    cache,
    lru,
    small: shuffled(small),
    big: shuffled(big),
    missing: small.map((_, i) => `nokey:${i}`),
    smallValues: Array.from({ length: 8 }, (_, i) => makeValue(100, i)),
    bigValues: Array.from({ length: 8 }, (_, i) => makeValue(64 * KIB, i)),
    native: openNativeHandle(limit),
  };
}

/**
 * The addon's own handle (what Cache wraps), to tell the TypeScript layer's cost from the native call's. Internal
 * and unstable: the diagnostic rows that use it are skipped if it cannot be opened.
 */
function openNativeHandle(limit) {
  try {
    const addon = createRequire(import.meta.url)('../build/addon/Release/stratacache.node');
    const handle = addon.open({ tiers: [ram({ cacheLimit: limit })], ttl: undefined });
    // Module functions taking the handle first (native/node/native_cache.cc); a small hit answers with its length.
    return {
      setSync: (key, value) => addon.setSync(handle, key, value, undefined),
      getSync: (key) => addon.getSync(handle, key),
      hasSync: (key) => addon.hasSync(handle, key),
    };
  } catch (error) {
    console.error(`(native handle unavailable, its diagnostic rows are skipped: ${error.message})`);
    return undefined;
  }
}

// Keys count is a power of two, so `i & mask` walks the shuffled keys. Each body returns a number for `sink`.
function speedCases(f) {
  const { cache, lru, small, big, missing, smallValues, bigValues, native } = f;
  const sm = small.length - 1;
  const bm = big.length - 1;
  const cases = [
    {
      name: 'getSync hit, 100 B',
      how: 'cache.getSync(k) | lru.get(k)',
      target: { text: 's/l <= 2.00', pass: (r) => r.ratio <= 2 },
      stratacache: (n) => { let s = 0; for (let i = 0; i < n; i++) s += cache.getSync(small[i & sm]).length; return s; },
      lru: (n) => { let s = 0; for (let i = 0; i < n; i++) s += lru.get(small[i & sm]).length; return s; },
    },
    {
      name: 'getSync hit, 64 KiB',
      how: 'cache.getSync(k) | lru.get(k)',
      target: { text: 's/l <= 1.00', pass: (r) => r.ratio <= 1 },
      stratacache: (n) => { let s = 0; for (let i = 0; i < n; i++) s += cache.getSync(big[i & bm]).length; return s; },
      lru: (n) => { let s = 0; for (let i = 0; i < n; i++) s += lru.get(big[i & bm]).length; return s; },
    },
    {
      name: 'await get hit, 100 B',
      how: 'await cache.get(k) | await Promise.resolve(lru.get(k))',
      stratacache: async (n) => { let s = 0; for (let i = 0; i < n; i++) s += (await cache.get(small[i & sm])).length; return s; },
      lru: async (n) => { let s = 0; for (let i = 0; i < n; i++) s += (await Promise.resolve(lru.get(small[i & sm]))).length; return s; },
    },
    {
      name: 'await get hit, 64 KiB',
      how: 'await cache.get(k) | await Promise.resolve(lru.get(k))',
      stratacache: async (n) => { let s = 0; for (let i = 0; i < n; i++) s += (await cache.get(big[i & bm])).length; return s; },
      lru: async (n) => { let s = 0; for (let i = 0; i < n; i++) s += (await Promise.resolve(lru.get(big[i & bm]))).length; return s; },
    },
    {
      name: 'setSync overwrite, 100 B',
      how: 'cache.setSync(k, v) | lru.set(k, v); 8 values rotate, every key present, no eviction',
      stratacache: (n) => { for (let i = 0; i < n; i++) cache.setSync(small[i & sm], smallValues[i & 7]); return 0; },
      lru: (n) => { for (let i = 0; i < n; i++) lru.set(small[i & sm], smallValues[i & 7]); return 0; },
    },
    {
      name: 'setSync overwrite, 64 KiB',
      how: 'cache.setSync(k, v) | lru.set(k, v); stratacache copies the bytes, lru-cache keeps the reference',
      stratacache: (n) => { for (let i = 0; i < n; i++) cache.setSync(big[i & bm], bigValues[i & 7]); return 0; },
      lru: (n) => { for (let i = 0; i < n; i++) lru.set(big[i & bm], bigValues[i & 7]); return 0; },
    },
    {
      name: 'await set overwrite, 100 B',
      how: 'await cache.set(k, v) | await Promise.resolve(lru.set(k, v))',
      stratacache: async (n) => { for (let i = 0; i < n; i++) await cache.set(small[i & sm], smallValues[i & 7]); return 0; },
      lru: async (n) => { for (let i = 0; i < n; i++) await Promise.resolve(lru.set(small[i & sm], smallValues[i & 7])); return 0; },
    },
    {
      name: 'await set overwrite, 64 KiB',
      how: 'await cache.set(k, v) | await Promise.resolve(lru.set(k, v))',
      stratacache: async (n) => { for (let i = 0; i < n; i++) await cache.set(big[i & bm], bigValues[i & 7]); return 0; },
      lru: async (n) => { for (let i = 0; i < n; i++) await Promise.resolve(lru.set(big[i & bm], bigValues[i & 7])); return 0; },
    },
    // Diagnostics: where stratacache's time goes (no targets).
    {
      name: 'diag: hasSync hit (no Buffer made)',
      how: 'cache.hasSync(k) | lru.has(k); 100 B entries',
      stratacache: (n) => { let s = 0; for (let i = 0; i < n; i++) s += cache.hasSync(small[i & sm]) ? 1 : 0; return s; },
      lru: (n) => { let s = 0; for (let i = 0; i < n; i++) s += lru.has(small[i & sm]) ? 1 : 0; return s; },
    },
    {
      name: 'diag: getSync miss',
      how: 'cache.getSync(k) | lru.get(k) on absent keys',
      stratacache: (n) => { let s = 0; for (let i = 0; i < n; i++) s += cache.getSync(missing[i & sm]) === undefined ? 1 : 0; return s; },
      lru: (n) => { let s = 0; for (let i = 0; i < n; i++) s += lru.get(missing[i & sm]) === undefined ? 1 : 0; return s; },
    },
    {
      name: 'diag: getSync hit, key built per call',
      how: "cache.getSync('key:' + j) | lru.get('key:' + j); 100 B, a new key string each call",
      stratacache: (n) => { let s = 0; for (let i = 0; i < n; i++) s += cache.getSync('key:' + (i & sm)).length; return s; },
      lru: (n) => { let s = 0; for (let i = 0; i < n; i++) s += lru.get('key:' + (i & sm)).length; return s; },
    },
  ];
  if (native) {
    for (const [keys, mask, size] of [[small, sm, '100 B'], [big, bm, '64 KiB']]) {
      // The handle has entries of its own: fill it alike.
      for (const key of keys) native.setSync(key, lru.get(key));
      cases.push({
        name: `diag: addon getSync hit, ${size}`,
        how: 'addon getSync(handle, k), no TypeScript wrapper and no Buffer cut from the scratch copy | lru.get(k)',
        stratacache: (n) => { let s = 0; for (let i = 0; i < n; i++) { const r = native.getSync(keys[i & mask]); s += typeof r === 'number' ? r : r.length; } return s; },
        lru: (n) => { let s = 0; for (let i = 0; i < n; i++) s += lru.get(keys[i & mask]).length; return s; },
      });
    }
    cases.push({
      name: 'diag: addon hasSync hit',
      how: 'addon hasSync(handle, k): N-API call + key to UTF-8 + hash + locked lookup | lru.has(k)',
      stratacache: (n) => { let s = 0; for (let i = 0; i < n; i++) s += native.hasSync(small[i & sm]) ? 1 : 0; return s; },
      lru: (n) => { let s = 0; for (let i = 0; i < n; i++) s += lru.has(small[i & sm]) ? 1 : 0; return s; },
    });
  }
  return cases;
}

async function speedRows() {
  const fixture = await speedFixture();
  const rows = [];
  for (const c of speedCases(fixture)) {
    const row = await compareSpeed(c);
    rows.push(row);
    console.error(`  ${row.name}: ${fmt(row.unit, row.stratacache)} vs ${fmt(row.unit, row.lru)}`);
  }
  await fixture.cache.close();
  // the diagnostic handle is freed with the process
  fixture.lru.clear();
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// 2-4. Child-process measurements. Each task runs in a fresh process for one side and prints one JSON line.

const CHILD_TASKS = {
  /** 2. heap and RSS growth for `entries` values of `valueBytes`, all of which fit. */
  async heap(side) {
    const { entries, valueBytes, cacheLimit } = CONFIG.heap;
    const cache = await SIDES[side](cacheLimit);
    const before = await memorySnapshot();
    for (let i = 0; i < entries; i++) cache.set(`key:${i}`, cache.value(valueBytes, i));
    return { ...memoryGrowth(before, await memorySnapshot()), ...cache.stats() };
  },

  /** 3. RSS growth after writing `times` x the limit in values of the given pattern ('1k' or 'random'). */
  async fill(side, pattern) {
    const { cacheLimit, times } = CONFIG.fill;
    const cache = await SIDES[side](cacheLimit);
    const random = seededRandom(7);
    const nextSize = pattern === 'random' ? () => Math.floor(random() * (16 * KIB + 1)) : () => KIB;
    const before = await memorySnapshot();
    let written = 0;
    let count = 0;
    let peakRss = 0;
    while (written < times * cacheLimit) {
      const size = nextSize();
      cache.set(`key:${count}`, cache.value(size, count));
      written += size;
      count++;
      // Sampled, not read from getrusage's maxRSS: a spawned child inherits its parent's RSS high-water mark.
      if (count % 1024 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
    return {
      ...memoryGrowth(before, await memorySnapshot()),
      peakRss: peakRss - before.rss,
      written,
      writes: count,
      ...cache.stats(),
    };
  },

  /** 4. Per-op latency of set while every set evicts. */
  async churn(side) {
    const { cacheLimit, keys: keyCount, ops, valueBytes } = CONFIG.churn;
    const cache = await SIDES[side](cacheLimit);
    const keys = Array.from({ length: keyCount }, (_, i) => `churn:${i}`);
    const mask = keyCount - 1;
    const latencies = new Float64Array(ops);
    const warmup = keyCount; // one pass over every key: the cache is full and the code is optimised
    for (let i = 0; i < warmup + ops; i++) {
      const value = cache.value(valueBytes, i);
      const start = process.hrtime.bigint();
      cache.set(keys[i & mask], value);
      const ns = Number(process.hrtime.bigint() - start);
      if (i >= warmup) latencies[i - warmup] = ns;
    }
    latencies.sort();
    const at = (q) => latencies[Math.min(ops - 1, Math.floor(q * ops))] / 1e3;
    const max = latencies[ops - 1] / 1e3;
    return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max, timerUs: timerCostUs(), ...cache.stats() };
  },
};

/** Median µs of two back-to-back hrtime.bigint() calls: the floor under every per-op latency. */
function timerCostUs() {
  const samples = new Float64Array(100_000);
  for (let i = 0; i < samples.length; i++) {
    const start = process.hrtime.bigint();
    samples[i] = Number(process.hrtime.bigint() - start);
  }
  return median(samples) / 1e3;
}

/** Runs one child task for one side in a fresh process and answers its JSON. */
function runChild(task, side, ...params) {
  const child = [task, side, ...params].join(':');
  const flags = ['--expose-gc', fileURLToPath(import.meta.url), `--child=${child}`];
  if (args.quick) flags.push('--quick');
  const result = spawnSync(process.execPath, flags, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error(`child ${child} failed with status ${result.status}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

/**
 * Runs a child task for both sides, `repeats` times each in alternating order, and answers per side the median of
 * every field over the repeats.
 */
function runBothSides(task, { repeats = 1, params = [] } = {}) {
  const runs = { stratacache: [], lru: [] };
  for (let i = 0; i < repeats; i++) {
    const order = i % 2 ? ['lru', 'stratacache'] : ['stratacache', 'lru'];
    for (const side of order) runs[side].push(runChild(task, side, ...params));
  }
  const combine = (results) =>
    Object.fromEntries(Object.keys(results[0]).map((field) => [field, median(results.map((r) => r[field]))]));
  return { stratacache: combine(runs.stratacache), lru: combine(runs.lru) };
}

function heapRows() {
  const { entries, valueBytes } = CONFIG.heap;
  const m = runBothSides('heap');
  const what = `${entries.toLocaleString('en')} x ${valueBytes} B`;
  const how = 'growth of process.memoryUsage() after gc(), from the empty open cache; one child process per side';
  const section = `memory of ${what}, all of which fit`;
  const row = (name, field, extra) =>
    makeRow({ section, name, how, unit: 'bytes', stratacache: m.stratacache[field], lru: m.lru[field], ...extra });
  return [
    row('V8 heapUsed growth', 'heapUsed', {
      ratioOf: 'l/s',
      target: { text: 'l/s >= 10', pass: (r) => r.ratio >= 10 },
      note: 'ratio denominator floored at 1 MB: stratacache keeps nothing on the V8 heap per entry',
    }),
    row('RSS growth', 'rss'),
    row('RSS growth outside the V8 heap', 'native'),
    row('arrayBuffers growth', 'arrayBuffers', { note: 'lru-cache holds the values as ArrayBuffers outside the V8 heap' }),
  ];
}

function fillRows() {
  const { cacheLimit, times } = CONFIG.fill;
  const rows = [];
  for (const [pattern, label] of [['1k', '1 KiB values'], ['random', 'random 0-16 KiB values']]) {
    const m = runBothSides('fill', { params: [pattern] });
    const section = `filled ${times}x past a ${cacheLimit / MB} MB limit, ${label}`;
    const { writes, written } = m.stratacache;
    const how = `${writes.toLocaleString('en')} sets totalling ${fmt('bytes', written)}; one child per side`;
    const row = (name, field, extra) => {
      const [s, l] = [m.stratacache[field], m.lru[field]];
      return makeRow({ section, name, how, unit: 'bytes', stratacache: s, lru: l, limit: cacheLimit, ...extra });
    };
    rows.push(
      row('RSS growth after gc()', 'rss', {
        target: { text: 's <= 115% of limit', pass: (r) => r.stratacache <= 1.15 * cacheLimit },
      }),
      row('RSS growth outside the V8 heap', 'native'),
      row('peak RSS growth (sampled)', 'peakRss'),
      row('bytes the cache counts at end', 'bytes', {
        note: 'stratacache: stats().tiers[0].bytes (values + keys + overhead); lru-cache: calculatedSize (v.length + k.length)',
      }),
      row('entries at end', 'entries', { unit: 'count' }),
    );
  }
  return rows;
}

function churnRows() {
  const { cacheLimit, keys, ops, valueBytes, repeats } = CONFIG.churn;
  const m = runBothSides('churn', { repeats });
  const section = `set latency, churning a ${cacheLimit / MB} MB cache with ${keys.toLocaleString('en')} keys of ${valueBytes} B`;
  const how =
    `cache.setSync(k, v) | lru.set(k, v); ${ops.toLocaleString('en')} timed sets after a warm-up pass, each timed alone ` +
    `with hrtime.bigint() (timer cost ~${m.stratacache.timerUs.toFixed(3)} µs, included); median of ${repeats} run(s) per side`;
  return ['p50', 'p99', 'p999', 'max'].map((p) =>
    makeRow({ section, name: `set ${p}`, how, unit: 'us', stratacache: m.stratacache[p], lru: m.lru[p] }),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Rows, table and JSON

function makeRow({ ratioOf = 's/l', target, ...fields }) {
  const { stratacache: s, lru: l } = fields;
  const ratio = ratioOf === 'l/s' ? l / Math.max(s, MB) : s / l;
  const row = { ...fields, ratio, ratioOf };
  if (target) Object.assign(row, { target: target.text, pass: target.pass(row) });
  return row;
}

function fmt(unit, value, limit) {
  switch (unit) {
    case 'ns':
      return `${value.toFixed(1)} ns`;
    case 'us':
      return `${value.toFixed(2)} µs`;
    case 'count':
      return value.toLocaleString('en');
    case 'bytes': {
      const text = `${(value / MB).toFixed(1)} MB`;
      return limit ? `${text} (${Math.round((100 * value) / limit)}%)` : text;
    }
    default:
      return String(value);
  }
}

function printTable(rows) {
  const header = ['measurement', 'stratacache', 'lru-cache', 'ratio', 'target', 'result'];
  const cells = (r) => [
    r.name,
    fmt(r.unit, r.stratacache, r.limit),
    fmt(r.unit, r.lru, r.limit),
    `${r.ratio >= 100 ? r.ratio.toFixed(0) : r.ratio.toFixed(2)}x ${r.ratioOf}`,
    r.target ?? '',
    r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => cells(r)[i].length)));
  const line = (values) => values.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w)))];
  let section;
  for (const r of rows) {
    if (r.section !== section) out.push(`[${(section = r.section)}]`);
    out.push(line(cells(r)));
  }
  out.push('', 'ratio: s/l = stratacache / lru-cache (lower is better for stratacache); l/s = lru-cache / stratacache.');
  out.push('(n%) = share of the cacheLimit (lru-cache: of the same maxSize).', '');
  out.push('How each row is measured (stratacache | lru-cache):');
  const lines = new Set();
  for (const r of rows) {
    lines.add(`  ${r.section.startsWith('speed') ? r.name : r.section}: ${r.how}`);
    if (r.note) lines.add(`    - ${r.name}: ${r.note}`);
  }
  out.push(...lines);
  console.log(out.join('\n'));
}

/** The commit measured, and whether the library's sources differ from it (other work may be in progress). */
function gitDescribe() {
  const git = (...a) => spawnSync('git', a, { cwd: HERE, encoding: 'utf8' }).stdout?.trim() ?? '';
  const dirty = git('status', '--porcelain', '--', '../ts', '../native') !== '';
  return { head: git('rev-parse', '--short', 'HEAD'), dirty };
}

function writeJson(rows, seconds) {
  mkdirSync(dirname(RESULTS), { recursive: true });
  const meta = {
    date: new Date().toISOString(),
    quick: Boolean(args.quick),
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    commit: gitDescribe(),
    config: CONFIG,
    seconds,
    sink,
  };
  writeFileSync(RESULTS, `${JSON.stringify({ meta, rows }, null, 2)}\n`);
}

async function main() {
  const started = Date.now();
  const step = (what) => console.error(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${what}`);
  step('speed');
  const rows = await speedRows();
  await settleHeap();
  step('memory, 1 child per side');
  rows.push(...heapRows());
  step('fill past the limit, 1 child per side and pattern');
  rows.push(...fillRows());
  step('set latency while churning, 1 child per side');
  rows.push(...churnRows());
  const seconds = (Date.now() - started) / 1000;
  step('done');
  const quick = args.quick ? ' (QUICK run: reduced sizes, targets indicative only)' : '';
  console.log(`stratacache RAM tier vs lru-cache${quick}; node ${process.version}, ${os.cpus().length} CPUs\n`);
  printTable(rows);
  writeJson(rows, seconds);
  console.log(`\nrows written to ${RESULTS} (${seconds.toFixed(0)} s)`);
}

if (args.child) {
  const [task, side, ...params] = args.child.split(':');
  if (!CHILD_TASKS[task] || !SIDES[side]) throw new Error(`unknown child task '${args.child}'`);
  console.log(JSON.stringify(await CHILD_TASKS[task](side, ...params)));
} else {
  await main();
}
