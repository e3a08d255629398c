// Single-flight benchmark: 10,000 concurrent reads of 100 cold keys, each key's value made by a slow loader.
// stratacache's getOrSet runs the loader once per key; the naive read-through a user would write instead,
// `(await cache.get(k)) ?? (v = await loader(k), await cache.set(k, v), v)`, runs it on every miss (the stampede).
// Both run in one process on the same cache type, keys and loader.
//
//   node bench/single-flight.mjs            (--quick accepted for bench/run-all.mjs; the run is short anyway)
//
// Results: a table on stdout, and the rows as JSON in bench/results/single-flight.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Cache } from '../dist/node.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CALLS = 10_000;
const KEYS = 100;
const LOADER_MS = 5; // what a database or remote call takes at least

function countingLoader() {
  const loader = async (key) => {
    loader.calls++;
    await new Promise((resolve) => setTimeout(resolve, LOADER_MS));
    return `value of ${key}`.padEnd(256, '.');
  };
  loader.calls = 0;
  return loader;
}

async function run(name, read) {
  const cache = await Cache.open();
  const loader = countingLoader();
  const start = performance.now();
  const values = await Promise.all(Array.from({ length: CALLS }, (_, i) => read(cache, `key:${i % KEYS}`, loader)));
  const ms = performance.now() - start;
  await cache.close();
  if (values.some((value) => value.length !== 256)) throw new Error(`${name}: a caller got a wrong value`);
  return { name, calls: CALLS, keys: KEYS, loaderCalls: loader.calls, ms: Math.round(ms * 10) / 10 };
}

const rows = [
  await run('stratacache getOrSet', (cache, key, loader) => cache.getOrSet(key, () => loader(key))),
  await run('naive get ?? (load, set)', async (cache, key, loader) => {
    const hit = await cache.get(key);
    if (hit !== undefined) return hit;
    const value = await loader(key);
    await cache.set(key, value);
    return value;
  }),
];
console.table(rows);
const [flight, naive] = rows;
console.log(`loader calls: ${flight.loaderCalls} vs ${naive.loaderCalls} (${(naive.loaderCalls / flight.loaderCalls).toFixed(0)}x fewer)`);
mkdirSync(join(HERE, 'results'), { recursive: true });
writeFileSync(join(HERE, 'results', 'single-flight.json'), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
if (flight.loaderCalls !== KEYS) {
  console.error(`expected exactly ${KEYS} loader calls, got ${flight.loaderCalls}`);
  process.exit(1);
}
