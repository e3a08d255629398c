// Redis benchmark: stratacache's redis() tier against what people use instead, in one run, on one redis-server
// this script starts on a free 127.0.0.1 port (persistence off) and stops, with the same keys and values.
//
//   node bench/redis.mjs            full run (about a minute on 2 cores)
//   node bench/redis.mjs --quick    smaller counts, a few seconds a row (ratios only indicative)
//   --rounds N                      rounds of each row (default 5, or 3 with --quick)
// The exit status is 0 whether goals pass or fail; it is not 0 only when the benchmark itself breaks.
//
// 1. Tiered, 90% reads: Cache.open({ tiers: [ram({ cacheLimit }), redis({ url })] }) against
//    new Cacheable({ primary: createKeyv({ lruSize }), secondary: createKeyv(url) }) (cacheable, with @keyv/redis
//    as its second layer). Both first layers hold about half of the 10,000 keys of 1 KiB: lruSize is 5,000
//    entries, and cacheLimit what the RAM tier charges for 5,000 of these entries. Uniformly random keys, one
//    seeded sequence of gets (90%) and sets (10%) for both, 64 in flight. Each side starts on an emptied server,
//    writes every key (64 in flight), runs the first tenth of the sequence untimed, then the whole sequence
//    timed; the Redis commands the server served per operation are printed beside each rate, which shows how
//    much of each side's traffic reached Redis.
// 2. redis() alone, against ioredis used directly (client.set(key, value) and client.getBuffer(key) on a client
//    with its default options): set every key, then get every key, at concurrency 1 and 64.
// Each round runs both sides, alternating which goes first; a row is the median over the rounds.
//
// Results: a table on stdout, and every row as JSON in bench/results/redis.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { createKeyv as createRedisKeyv } from '@keyv/redis';
import { Cacheable, createKeyv as createMemoryKeyv } from 'cacheable';
import { Redis } from 'ioredis';

import { Cache, ram, redis } from '../dist/node.js';
import { seededRandom } from './lib/random.mjs';
import { startRedis } from './lib/redis-server.mjs';
import { median, timed } from './lib/timing.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, 'results', 'redis.json');
const KIB = 1024;

const { values: args } = parseArgs({ options: { quick: { type: 'boolean' }, rounds: { type: 'string' } } });
const CONFIG = args.quick
  ? { keys: 10_000, tieredOps: 20_000, aloneOps: { 1: 2_000, 64: 10_000 }, rounds: 3 }
  : { keys: 10_000, tieredOps: 100_000, aloneOps: { 1: 10_000, 64: 10_000 }, rounds: 5 };
if (args.rounds !== undefined) CONFIG.rounds = Number(args.rounds);
CONFIG.firstLayerEntries = CONFIG.keys / 2;
CONFIG.readShare = 0.9;
CONFIG.concurrency = 64;
const GOALS = { tiered: 1.5, alone: 0.9 };
const WARMUP_OPS = 1000;

const random = seededRandom(14);
const keys = Array.from({ length: CONFIG.keys }, (_, i) => `key:${i}`);
/** Distinct values: random bytes, each with its index written at its start (Buffers, which every side takes). */
const values = keys.map((_, i) => {
  const value = Buffer.alloc(KIB);
  for (let j = 0; j < KIB; j++) value[j] = (random() * 256) | 0;
  value.writeUInt32LE(i, 0);
  return value;
});
/** The tiered row's operations: key index, negated (minus one) for a set. */
const sequence = Int32Array.from({ length: CONFIG.tieredOps }, () => {
  const key = Math.floor(random() * CONFIG.keys);
  return random() < CONFIG.readShare ? key : -key - 1;
});

/** What the RAM tier charges for `entries` entries of these keys and values. */
async function ramBytesFor(entries) {
  const cache = await Cache.open({ tiers: [ram({ cacheLimit: '1GB' })] });
  for (let i = 0; i < entries; i++) await cache.set(keys[i], values[i]);
  const { bytes } = cache.stats().tiers[0];
  await cache.close();
  return bytes;
}

const sameBytes = (a, b) => a != null && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), b) === 0;

async function checked(name, store) {
  const probe = CONFIG.keys >> 1;
  await store.set(keys[probe], values[probe]);
  if (!sameBytes(await store.get(keys[probe]), values[probe])) throw new Error(`${name}: wrong value`);
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Tiered

function tieredSides(url, ramBytes) {
  return [
    {
      name: 'stratacache',
      async open() {
        const shared = redis({ url });
        const cache = await Cache.open({ tiers: [ram({ cacheLimit: ramBytes }), shared] });
        return {
          get: (key) => cache.get(key),
          set: (key, value) => cache.set(key, value),
          close: async () => (await cache.close(), await shared.close()),
        };
      },
    },
    {
      name: 'cacheable',
      async open() {
        const cache = new Cacheable({
          primary: createMemoryKeyv({ lruSize: CONFIG.firstLayerEntries }),
          secondary: createRedisKeyv(url),
        });
        return { get: (key) => cache.get(key), set: (key, value) => cache.set(key, value), close: () => cache.disconnect() };
      },
    },
  ];
}

const runSequence = (store, from, to) => timed(to - from, CONFIG.concurrency, (i) => {
  const op = sequence[from + i];
  return op >= 0 ? store.get(keys[op]) : store.set(keys[-op - 1], values[-op - 1]);
});

async function tieredRow(server) {
  const ramBytes = await ramBytesFor(CONFIG.firstLayerEntries);
  const sides = tieredSides(server.url, ramBytes);
  const rates = Object.fromEntries(sides.map((side) => [side.name, []]));
  const commands = Object.fromEntries(sides.map((side) => [side.name, []]));
  for (let round = 0; round < CONFIG.rounds; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      await server.reset();
      const store = await side.open();
      await checked(side.name, store);
      await timed(CONFIG.keys, CONFIG.concurrency, (i) => store.set(keys[i], values[i]));
      await runSequence(store, 0, CONFIG.tieredOps / 10);
      const before = await server.calls();
      const seconds = await runSequence(store, 0, CONFIG.tieredOps);
      const after = await server.calls();
      await store.close();
      rates[side.name].push(CONFIG.tieredOps / seconds);
      const served = Object.keys(after).reduce((sum, name) => sum + after[name] - (before[name] ?? 0), 0);
      commands[side.name].push(served / CONFIG.tieredOps);
    }
  }
  const row = {
    row: 'tiered',
    what: `[ram, redis] 90% reads, ${CONFIG.keys} keys of 1 KiB, ${CONFIG.concurrency} in flight`,
    firstLayer: { entries: CONFIG.firstLayerEntries, ramBytes },
    opsPerSec: {},
    redisCommandsPerOp: {},
  };
  for (const side of sides) {
    row.opsPerSec[side.name] = Math.round(median(rates[side.name]));
    row.redisCommandsPerOp[side.name] = +median(commands[side.name]).toFixed(2);
  }
  row.ratio = +(row.opsPerSec.stratacache / row.opsPerSec.cacheable).toFixed(2);
  row.goal = GOALS.tiered;
  return row;
}

// ---------------------------------------------------------------------------------------------------------------
// 2. redis() alone

function aloneSides(url) {
  return [
    {
      name: 'stratacache',
      async open() {
        const shared = redis({ url });
        const cache = await Cache.open({ tiers: [shared] });
        return {
          get: (key) => cache.get(key),
          set: (key, value) => cache.set(key, value),
          close: async () => (await cache.close(), await shared.close()),
        };
      },
    },
    {
      name: 'ioredis',
      async open() {
        const client = new Redis(url);
        return { get: (key) => client.getBuffer(key), set: (key, value) => client.set(key, value), close: () => client.quit() };
      },
    },
  ];
}

async function aloneRows(server) {
  const sides = aloneSides(server.url);
  const rows = [];
  for (const concurrency of [1, CONFIG.concurrency]) {
    const count = CONFIG.aloneOps[concurrency];
    const rates = Object.fromEntries(sides.map((side) => [side.name, { set: [], get: [] }]));
    for (let round = 0; round < CONFIG.rounds; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        await server.reset();
        const store = await side.open();
        await checked(side.name, store);
        const set = (i) => store.set(keys[i % CONFIG.keys], values[i % CONFIG.keys]);
        const get = (i) => store.get(keys[i % CONFIG.keys]);
        // Untimed first: the connection made, the code of both paths compiled.
        await timed(WARMUP_OPS, concurrency, set);
        await timed(WARMUP_OPS, concurrency, get);
        rates[side.name].set.push(count / await timed(count, concurrency, set));
        rates[side.name].get.push(count / await timed(count, concurrency, get));
        await store.close();
      }
    }
    for (const op of ['set', 'get']) {
      const row = { row: 'alone', what: `redis() alone, ${op} 1 KiB, concurrency ${concurrency}`, opsPerSec: {} };
      for (const side of sides) row.opsPerSec[side.name] = Math.round(median(rates[side.name][op]));
      row.ratio = +(row.opsPerSec.stratacache / row.opsPerSec.ioredis).toFixed(2);
      row.goal = GOALS.alone;
      rows.push(row);
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------

const server = await startRedis();
try {
  console.log(`redis() vs cacheable and ioredis ${args.quick ? '(quick) ' : ''}on ${server.url}, median of ${CONFIG.rounds} rounds`);
  const tiered = await tieredRow(server);
  const alone = await aloneRows(server);
  const fmt = (n) => n.toLocaleString('en-US');
  console.log(`\nfirst layers: lruSize ${fmt(CONFIG.firstLayerEntries)} / ram() cacheLimit ${fmt(tiered.firstLayer.ramBytes)} B (the same entries)\n`);
  console.log('| measurement (ops/s) | stratacache | peer | ratio | goal |');
  console.log('|---|---|---|---|---|');
  console.log(
    `| ${tiered.what}, against cacheable (Redis commands per op) | ${fmt(tiered.opsPerSec.stratacache)} ` +
      `(${tiered.redisCommandsPerOp.stratacache}) | ${fmt(tiered.opsPerSec.cacheable)} ` +
      `(${tiered.redisCommandsPerOp.cacheable}) | ${tiered.ratio}× | ≥ ${tiered.goal}× |`,
  );
  for (const row of alone) {
    console.log(
      `| ${row.what}, against ioredis | ${fmt(row.opsPerSec.stratacache)} | ${fmt(row.opsPerSec.ioredis)} | ` +
        `${row.ratio}× | ≥ ${row.goal}× |`,
    );
  }
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify({
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: process.platform },
    config: { ...CONFIG, quick: Boolean(args.quick) },
    rows: [tiered, ...alone],
  }, null, 2) + '\n');
  console.log(`\nwritten to ${RESULTS}`);
} finally {
  await server.stop();
}
