// Disk-tier benchmark against lmdb (the fastest local key-value store with a Node binding), in one run, on the same
// keys and values. bench/disk.mjs has the rows against cacache (1 KiB and 1 MiB).
//
//   node bench/disk-lmdb.mjs            full run (about two minutes on 2 cores)
//   node bench/disk-lmdb.mjs --quick    smaller counts, for a CI smoke run (targets only indicative)
// The exit status is 0 whether targets pass or fail; it is not 0 only when the benchmark itself breaks.
//
// stratacache: Cache.open({ tiers: [disk({ path, cacheLimit: '1TB' })] }), disk alone, relaxed durability (a
//              write survives the process crashing: lmdb's default, which syncs the map to disk on each commit,
//              survives more; see performance.md).
// lmdb:        open({ path, encoding: 'binary', compression: false }); put (batched by lmdb), getBinary, get.
//
// Rows, 1 KiB values (distinct), KEYS keys, each round into fresh folders, the median over the rounds:
//   put, awaited one at a time      await set(k, v)                  vs await db.put(k, v)
//   put, all at once                Promise.all of KEYS sets         vs Promise.all of KEYS db.put
//   get hit, synchronous            getSync(k)                       vs db.getBinary(k)
//   get hit, awaited one at a time  await get(k)                     vs await db.get(k)
// One value per row is checked byte for byte outside the timing.
//
// Results: a table on stdout, and everything as JSON in bench/results/disk-lmdb.json.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { open } from 'lmdb';

import { Cache, disk } from '../dist/node.js';
import { distinctValues } from './lib/random.mjs';
import { median } from './lib/timing.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, 'results', 'disk-lmdb.json');
const SIZE = 1024;

const { values: args } = parseArgs({ options: { quick: { type: 'boolean' } } });
const CONFIG = args.quick ? { keys: 2_000, rounds: 1, getPasses: 2 } : { keys: 20_000, rounds: 3, getPasses: 5 };
// Ours against lmdb's, the targets (#15).
const TARGETS = { 'put, awaited one at a time': 2, 'put, all at once': 1, 'get hit, synchronous': 0.5, 'get hit, awaited one at a time': 1 };

const scratch = mkdtempSync(join(os.tmpdir(), 'strata-bench-lmdb-'));
let folders = 0;
const freshFolder = () => join(scratch, String(folders++));

const strataSide = {
  name: 'stratacache',
  async open(path) {
    const cache = await Cache.open({ tiers: [disk({ path, cacheLimit: '1TB' })] });
    return {
      put: (k, v) => cache.set(k, v),
      getSync: (k) => cache.getSync(k),
      get: (k) => cache.get(k),
      close: () => cache.close(),
    };
  },
};

const lmdbSide = {
  name: 'lmdb',
  async open(path) {
    const db = open({ path, encoding: 'binary', compression: false });
    return {
      put: (k, v) => db.put(k, v),
      getSync: (k) => db.getBinary(k),
      get: (k) => db.get(k),
      close: () => db.close(),
    };
  },
};

const SIDES = [strataSide, lmdbSide];

/** Operations per second of `work`, which does `count` of them. */
async function rate(count, work) {
  const start = process.hrtime.bigint();
  await work();
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

const sameBytes = (a, b) => a !== undefined && a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** One round of every row on `side`, in fresh folders; returns { row: ops/s }. */
async function round(side, keys, values) {
  const n = keys.length;
  const out = {};
  const check = (value, i, row) => {
    if (!sameBytes(value, values[i])) throw new Error(`${side.name}, ${row}: wrong value for ${keys[i]}`);
  };

  let path = freshFolder();
  let store = await side.open(path);
  out['put, awaited one at a time'] = await rate(n, async () => {
    for (let i = 0; i < n; i++) await store.put(keys[i], values[i]);
  });
  check(await store.get(keys[n >> 1]), n >> 1, 'put, awaited one at a time');
  await store.close();
  rmSync(path, { recursive: true, force: true });

  path = freshFolder();
  store = await side.open(path);
  out['put, all at once'] = await rate(n, () => Promise.all(keys.map((key, i) => store.put(key, values[i]))));
  check(await store.get(keys[n >> 2]), n >> 2, 'put, all at once');

  // The gets read what the puts above wrote, every key a hit, several passes over the keys.
  const passes = CONFIG.getPasses;
  out['get hit, synchronous'] = await rate(n * passes, async () => {
    for (let p = 0; p < passes; p++) for (let i = 0; i < n; i++) store.getSync(keys[i]);
  });
  check(store.getSync(keys[n - 1]), n - 1, 'get hit, synchronous');
  out['get hit, awaited one at a time'] = await rate(n * passes, async () => {
    for (let p = 0; p < passes; p++) for (let i = 0; i < n; i++) await store.get(keys[i]);
  });
  check(await store.get(keys[1]), 1, 'get hit, awaited one at a time');
  await store.close();
  rmSync(path, { recursive: true, force: true });
  return out;
}

try {
  console.log(`disk tier vs lmdb ${args.quick ? '(quick)' : ''}: ${CONFIG.keys} keys of 1 KiB, ${CONFIG.rounds} round(s)`);
  const keys = Array.from({ length: CONFIG.keys }, (_, i) => `bench:${i}`);
  const values = distinctValues(SIZE, CONFIG.keys);
  const rates = Object.fromEntries(SIDES.map((side) => [side.name, {}]));
  for (let r = 0; r < CONFIG.rounds; r++) {
    for (const side of SIDES) {
      for (const [row, opsPerSec] of Object.entries(await round(side, keys, values))) {
        (rates[side.name][row] ??= []).push(opsPerSec);
      }
    }
  }
  const rows = Object.keys(TARGETS).map((row) => {
    const ours = Math.round(median(rates.stratacache[row]));
    const theirs = Math.round(median(rates.lmdb[row]));
    const ratio = +(ours / theirs).toFixed(2);
    console.log(
      `${row.padEnd(31)} stratacache ${ours}/s, lmdb ${theirs}/s -> x${ratio} (target x${TARGETS[row]})`,
    );
    return { row, opsPerSec: { stratacache: ours, lmdb: theirs }, ratio, target: TARGETS[row], meetsTarget: ratio >= TARGETS[row] };
  });
  mkdirSync(dirname(RESULTS), { recursive: true });
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: process.platform },
    config: { ...CONFIG, valueBytes: SIZE, quick: Boolean(args.quick) },
    rows,
  };
  writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');
  console.log(`written to ${RESULTS}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
