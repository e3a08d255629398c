// Read-through over a slow origin, with stale serving, on a write-back cache.
//
//   node examples/read-through/index.mjs [folder]     (default: a fresh folder under the system's temp folder)
//
// getOrSet loads a value once however many callers miss; staleTtl serves the old value while one background load
// replaces it; staleIfError serves it when the origin fails. writePolicy 'back' keeps writes in RAM until they
// leave it, and close() writes them down to disk.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Cache, disk, ram } from '../../dist/node.js';

const path = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'stratacache-example-read-through-'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (bytes) => new TextDecoder().decode(bytes);

// Stands in for a rates service: 50 ms a call, and a switch to make it fail.
let loads = 0;
let originDown = false;
async function fetchRates() {
  loads++;
  await sleep(50);
  if (originDown) throw new Error('rates service unavailable');
  return JSON.stringify({ eur: 1 + loads / 100 });
}

const cache = await Cache.open({ tiers: [ram({ cacheLimit: '16MB' }), disk({ path })], writePolicy: 'back' });
const options = { ttl: 300, staleTtl: '1s', staleIfError: '1h' };

const first = await Promise.all(Array.from({ length: 10 }, () => cache.getOrSet('rates', fetchRates, options)));
console.log(`10 concurrent callers: ${text(first[0])}, ${loads} load`);

await sleep(400); // past the TTL, within staleTtl
const stale = text(await cache.getOrSet('rates', fetchRates, options));
console.log(`stale, returned at once: ${stale}`);
for (let i = 0; i < 200 && text(await cache.get('rates')) === stale; i++) await sleep(10); // the background load lands
console.log(`refreshed in the background: ${text(await cache.getOrSet('rates', fetchRates, options))}, ${loads} loads`);

originDown = true;
await sleep(1_500); // past staleTtl too: a caller loads, and the load fails
console.log(`origin down, stale-if-error: ${text(await cache.getOrSet('rates', fetchRates, options))}`);

console.log(`on disk before close: ${cache.stats().tiers[1].entries} entries (write-back keeps them in RAM)`);
await cache.close(); // writes them down
const reader = await Cache.open({ tiers: [disk({ path })] });
console.log(`on disk after close: ${reader.stats().tiers[0].entries} entry, ${text(await reader.get('rates'))}`);
await reader.close();
