// Disk-tier benchmark: stratacache's disk() tier against cacache (npm's own disk cache), in one run, on the same
// keys and values.
//
//   node bench/disk.mjs            full run (a few minutes on 2 cores)
//   node bench/disk.mjs --quick    smaller counts, for a CI smoke run (targets only indicative)
// The exit status is 0 whether targets pass or fail; it is not 0 only when the benchmark itself breaks.
//
// stratacache: Cache.open({ tiers: [disk({ path, cacheLimit: '1TB', durability })] }), disk alone (no RAM tier
//              above it, so every get reads the disk tier), for durability 'relaxed' and 'strict'.
// cacache:     cacache.put(path, key, value) and cacache.get(path, key) (which checks the value's integrity).
//
// 1. put and get of 1 KiB and 1 MiB values, sequentially (one awaited at a time) and concurrently (64 in flight).
//    Each value is distinct (no side profits from deduplication). Each round writes into fresh folders, then reads
//    every key back; a row reports the median operations per second over the rounds. One value per row is checked
//    byte for byte outside the timing.
// 2. Open time with many entries: stratacache's Cache.open plus the first get; cacache's first get, and its ls()
//    (the index read it needs to know its size, which stratacache keeps in its index). 100k entries of 1 KiB on
//    both sides; then 1M small entries on stratacache's side alone (filled 4096 sets in flight, so the writer
//    commits large batches; filling cacache with 1M entries would take the better part of an hour).
//
// Results: a table on stdout, and everything as JSON in bench/results/disk.json.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import cacache from 'cacache';

import { Cache, disk } from '../dist/node.js';
import { distinctValues } from './lib/random.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, 'results', 'disk.json');
const KIB = 1024;
const MIB = 1024 * KIB;

const { values: args } = parseArgs({ options: { quick: { type: 'boolean' } } });
const CONFIG = args.quick
  ? { counts: { [KIB]: 1000, [MIB]: 40 }, rounds: 1, openEntries: 10_000, bigOpenEntries: 100_000 }
  : { counts: { [KIB]: 5000, [MIB]: 200 }, rounds: 3, openEntries: 100_000, bigOpenEntries: 1_000_000 };
CONFIG.concurrency = 64;
const TARGETS = { [KIB]: 20, [MIB]: 2 }; // relaxed durability, put and get rate against cacache's

const scratch = mkdtempSync(join(os.tmpdir(), 'strata-bench-disk-'));
let folders = 0;
const freshFolder = () => join(scratch, String(folders++));

function strataSide(durability) {
  return {
    name: `stratacache (${durability})`,
    async open(path) {
      const cache = await Cache.open({ tiers: [disk({ path, cacheLimit: '1TB', durability })] });
      return { put: (k, v) => cache.set(k, v), get: (k) => cache.get(k), close: () => cache.close() };
    },
  };
}

const cacacheSide = {
  name: 'cacache',
  async open(path) {
    return {
      put: (k, v) => cacache.put(path, k, v),
      get: async (k) => (await cacache.get(path, k)).data,
      close: async () => {},
    };
  },
};

const SIDES = [strataSide('relaxed'), strataSide('strict'), cacacheSide];

/** Runs op(i) for i < count, `concurrency` at a time; returns operations per second. */
async function rate(count, concurrency, op) {
  let next = 0;
  const lane = async () => {
    while (next < count) await op(next++);
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sameBytes = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

async function speedRows() {
  const rows = [];
  for (const size of [KIB, MIB]) {
    const count = CONFIG.counts[size];
    const values = distinctValues(size, count);
    for (const [mode, concurrency] of [['sequential', 1], ['concurrent', CONFIG.concurrency]]) {
      const rates = Object.fromEntries(SIDES.map((s) => [s.name, { put: [], get: [] }]));
      for (let round = 0; round < CONFIG.rounds; round++) {
        for (const side of SIDES) {
          const path = freshFolder();
          const store = await side.open(path);
          const keys = values.map((_, i) => `bench:${size}:${i}`);
          rates[side.name].put.push(await rate(count, concurrency, (i) => store.put(keys[i], values[i])));
          rates[side.name].get.push(await rate(count, concurrency, (i) => store.get(keys[i])));
          const probe = count >> 1;
          if (!sameBytes(await store.get(keys[probe]), values[probe])) throw new Error(`${side.name}: wrong value`);
          await store.close();
          rmSync(path, { recursive: true, force: true });
        }
      }
      for (const op of ['put', 'get']) {
        const row = { size, mode, op, opsPerSec: {} };
        for (const side of SIDES) row.opsPerSec[side.name] = Math.round(median(rates[side.name][op]));
        const cacacheRate = row.opsPerSec.cacache;
        row.ratio = {
          relaxed: +(row.opsPerSec['stratacache (relaxed)'] / cacacheRate).toFixed(2),
          strict: +(row.opsPerSec['stratacache (strict)'] / cacacheRate).toFixed(2),
        };
        row.target = TARGETS[size];
        row.meetsTarget = row.ratio.relaxed >= TARGETS[size];
        rows.push(row);
        console.log(
          `${size === KIB ? '1 KiB' : '1 MiB'} ${mode.padEnd(10)} ${op}: ` +
            SIDES.map((s) => `${s.name} ${row.opsPerSec[s.name]}/s`).join(', ') +
            ` -> x${row.ratio.relaxed} relaxed, x${row.ratio.strict} strict (target x${row.target})`,
        );
      }
    }
  }
  return rows;
}

async function timeMs(work) {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Writes `entries` keys into a fresh folder through `side`, `concurrency` sets at a time; returns the folder. */
async function filled(side, entries, value, concurrency) {
  const path = freshFolder();
  const store = await side.open(path);
  await rate(entries, concurrency, (i) => store.put(`open:${i}`, value));
  await store.close();
  return path;
}

/** Cache.open plus the first get, on a folder of `entries` entries (each opened once, so nothing is warm). */
async function strataOpen(path) {
  let cache;
  const ms = await timeMs(async () => {
    cache = await Cache.open({ tiers: [disk({ path, cacheLimit: '1TB' })] });
    await cache.get('open:0');
  });
  const entries = cache.stats().tiers[0].entries;
  await cache.close();
  return { ms, entries };
}

async function openRow() {
  const entries = CONFIG.openEntries;
  const [value] = distinctValues(KIB, 1);
  const strataPath = await filled(SIDES[0], entries, value, CONFIG.concurrency);
  const cacachePath = await filled(cacacheSide, entries, value, CONFIG.concurrency);
  const { ms: strataOpenMs, entries: strataEntries } = await strataOpen(strataPath);
  const cacacheFirstGetMs = await timeMs(() => cacache.get(cacachePath, 'open:0'));
  let listed = 0;
  const cacacheLsMs = await timeMs(async () => {
    listed = Object.keys(await cacache.ls(cacachePath)).length;
  });
  console.log(
    `open with ${entries} entries: stratacache open + first get ${strataOpenMs.toFixed(1)} ms (knows ${strataEntries} ` +
      `entries); cacache first get ${cacacheFirstGetMs.toFixed(1)} ms, ls ${cacacheLsMs.toFixed(1)} ms`,
  );
  rmSync(strataPath, { recursive: true, force: true });
  rmSync(cacachePath, { recursive: true, force: true });

  const big = CONFIG.bigOpenEntries;
  const fillStart = process.hrtime.bigint();
  const bigPath = await filled(SIDES[0], big, new Uint8Array(16), 4096);
  const bigFillSeconds = Number(process.hrtime.bigint() - fillStart) / 1e9;
  const { ms: bigOpenMs, entries: bigEntries } = await strataOpen(bigPath);
  console.log(
    `open with ${big} entries: stratacache open + first get ${bigOpenMs.toFixed(1)} ms (knows ${bigEntries} ` +
      `entries; filled in ${bigFillSeconds.toFixed(1)} s)`,
  );
  return {
    entries, strataOpenMs, strataEntries, cacacheFirstGetMs, cacacheLsMs, cacacheListed: listed,
    big: { entries: big, strataOpenMs: bigOpenMs, strataEntries: bigEntries, fillSeconds: bigFillSeconds },
  };
}

try {
  console.log(`disk tier vs cacache ${args.quick ? '(quick)' : ''} in ${scratch}`);
  const speed = await speedRows();
  const open = await openRow();
  mkdirSync(dirname(RESULTS), { recursive: true });
  const result = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: process.platform },
    config: { ...CONFIG, quick: Boolean(args.quick) },
    speed,
    open,
  };
  writeFileSync(RESULTS, JSON.stringify(result, null, 2) + '\n');
  console.log(`written to ${RESULTS}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
