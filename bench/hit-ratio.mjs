// Hit-ratio benchmark: each RAM-tier policy against lru-cache 11 at equal byte budgets, on synthetic traces.
//
//   node bench/hit-ratio.mjs            full traces (~1M requests each)
//   node bench/hit-ratio.mjs --quick    shorter traces, for a CI smoke run
//
// Every trace is drawn from a seeded RNG, so runs compare. A request is a read-through: getSync(k), and on a miss
// setSync(k, v). Values have one of four sizes (128 B to 8 KiB), fixed per key. lru-cache gets the same budget
// with sizeCalculation returning what the core charges an lru entry of that size (measured, not guessed), so both
// count the same bytes; each stratacache policy pays its own per-entry overhead out of the same budget.
//
// Traces, over a universe of keys whose total charge is 10x the budget:
//   zipf-0.8, zipf-1.0   Zipf-distributed requests with that exponent
//   loop                 the same sequence of keys, 1.5x the budget in bytes, over and over
//   zipf+scan            zipf-1.0, interrupted every 20,000 requests by a scan of never-repeated keys worth the budget
//
// The target: the scan-resistant policy (s3-fifo) beats LRU on the loop and scan traces.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { LRUCache } from 'lru-cache';

import { Cache, ram } from '../dist/node.js';
import { seededRandom } from './lib/random.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({ options: { quick: { type: 'boolean' } } });

const REQUESTS = args.quick ? 200_000 : 1_000_000;
const BUDGET = 8 << 20;
const SIZES = [128, 512, 2048, 8192];
const POLICIES = ['lru', 'lfu', 'sized-lru', 's3-fifo'];
const SEED = 0x5eed;

// What the core charges an entry of each size under `policy`: one probe entry per size, read from stats().
async function charges(policy) {
  const out = new Map();
  for (const size of SIZES) {
    const cache = await Cache.open({ tiers: [ram({ cacheLimit: '1MB', policy })] });
    cache.setSync('k0000000', new Uint8Array(size)); // as long as the longest trace key: short keys cost the same
    out.set(size, cache.stats().tiers[0].bytes);
    await cache.close();
  }
  return out;
}

function zipfSampler(n, exponent, random) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, exponent);
  return () => {
    const u = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

// Traces as arrays of key ids; key id i has value size SIZES[sizeClass[i]].
function traces(universe, loopKeys, scanKeys) {
  const zipf = (exponent, seed) => {
    const next = zipfSampler(universe, exponent, seededRandom(seed));
    return Array.from({ length: REQUESTS }, next);
  };
  const loop = Array.from({ length: REQUESTS }, (_, i) => i % loopKeys);
  const mixed = [];
  const next = zipfSampler(universe, 1.0, seededRandom(SEED + 3));
  let fresh = universe; // scan keys are past the universe, each used once
  while (mixed.length < REQUESTS) {
    for (let i = 0; i < 20_000 && mixed.length < REQUESTS; i++) mixed.push(next());
    for (let i = 0; i < scanKeys && mixed.length < REQUESTS; i++) mixed.push(fresh++);
  }
  return { 'zipf-0.8': zipf(0.8, SEED + 1), 'zipf-1.0': zipf(1.0, SEED + 2), loop, 'zipf+scan': mixed };
}

function replay(trace, get, set, valueOf) {
  let hits = 0;
  for (const id of trace) {
    const key = `k${id}`;
    if (get(key) !== undefined) hits++;
    else set(key, valueOf(id));
  }
  return hits / trace.length;
}

const lruCharges = await charges('lru');
const random = seededRandom(SEED);
const sizeClass = Uint8Array.from({ length: 1_000_000 }, () => Math.floor(random() * SIZES.length));
const values = SIZES.map((size) => new Uint8Array(size));
const valueOf = (id) => values[sizeClass[id]];
const chargeOf = (id) => lruCharges.get(SIZES[sizeClass[id]]);

// Universe: 10x the budget in lru charges; loop: 1.5x; scan: 1x.
const keysWorth = (bytes) => {
  let n = 0;
  for (let total = 0; total < bytes; n++) total += chargeOf(n);
  return n;
};
const universe = keysWorth(10 * BUDGET);
const all = traces(universe, keysWorth(1.5 * BUDGET), keysWorth(BUDGET));

const rows = [];
for (const [trace, ids] of Object.entries(all)) {
  const lru = new LRUCache({ maxSize: BUDGET, sizeCalculation: (value) => lruCharges.get(value.length) });
  rows.push({ trace, policy: 'lru-cache', hitRatio: replay(ids, (k) => lru.get(k), (k, v) => lru.set(k, v), valueOf) });
  for (const policy of POLICIES) {
    const cache = await Cache.open({ tiers: [ram({ cacheLimit: BUDGET, policy })] });
    const hitRatio = replay(ids, (k) => cache.getSync(k), (k, v) => cache.setSync(k, v), valueOf);
    await cache.close();
    rows.push({ trace, policy: `stratacache ${policy}`, hitRatio });
  }
}

const ratio = (trace, policy) => rows.find((r) => r.trace === trace && r.policy === policy).hitRatio;
const target = Object.fromEntries(
  ['loop', 'zipf+scan'].map((trace) => [trace, ratio(trace, 'stratacache s3-fifo') > ratio(trace, 'stratacache lru')]),
);

const traceNames = Object.keys(all);
const policies = [...new Set(rows.map((r) => r.policy))];
console.log(`hit ratio, budget ${BUDGET >> 20} MiB, ${REQUESTS.toLocaleString()} requests per trace, ${universe.toLocaleString()} keys`);
console.log(['policy'.padEnd(24), ...traceNames.map((t) => t.padStart(11))].join(''));
for (const policy of policies) {
  console.log([policy.padEnd(24), ...traceNames.map((t) => `${(100 * ratio(t, policy)).toFixed(1)}%`.padStart(11))].join(''));
}
console.log(`s3-fifo beats lru: loop ${target.loop ? 'yes' : 'NO'}, zipf+scan ${target['zipf+scan'] ? 'yes' : 'NO'}`);

const out = join(HERE, 'results', 'hit-ratio.json');
mkdirSync(dirname(out), { recursive: true });
const sizes = Object.fromEntries(SIZES.map((s) => [s, lruCharges.get(s)]));
writeFileSync(out, `${JSON.stringify({ budgetBytes: BUDGET, requests: REQUESTS, universe, lruChargeBySize: sizes, rows, s3FifoBeatsLru: target }, null, 2)}\n`);
console.log(`rows written to ${out}`);
