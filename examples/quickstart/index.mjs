// Quickstart: put a cache in front of a slow origin and watch repeated work turn into hits.
//
//   npm run demo
//
// Runs on embedded defaults: one RAM tier, no cloud account, no configuration.
import { Cache, ram } from '../../dist/node.js';

// Stands in for an HTTP API or a database: 50 ms a call.
async function slowOrigin(id) {
  await new Promise((resolve) => setTimeout(resolve, 50));
  return JSON.stringify({ id, name: `user ${id}`, fetchedAt: new Date().toISOString() });
}

async function getUser(cache, id) {
  const key = `user:${id}`;
  const cached = await cache.get(key);
  if (cached) return { source: 'cache', json: new TextDecoder().decode(cached) };
  const json = await slowOrigin(id);
  await cache.set(key, json, { ttl: '30s' });
  return { source: 'origin', json };
}

// (In TypeScript, or a runtime with explicit resource management, `await using` closes it for you.)
const cache = await Cache.open({ tiers: [ram({ cacheLimit: '64MB', ttl: '10m' })] });

const started = performance.now();
for (const id of [1, 2, 3, 1, 2, 3, 1, 1]) {
  const t0 = performance.now();
  const { source, json } = await getUser(cache, id);
  console.log(`user ${id}: ${source.padEnd(6)} ${(performance.now() - t0).toFixed(2).padStart(6)} ms  ${json}`);
}
console.log(`8 lookups in ${(performance.now() - started).toFixed(0)} ms`);

// Synchronous reads of the RAM tier, for hot paths that cannot await.
console.log(`getSync('user:2') -> ${new TextDecoder().decode(cache.getSync('user:2'))}`);

const { hits, misses, tiers } = cache.stats();
console.log(`\ncache: ${hits} hits, ${misses} misses`);
for (const tier of tiers) {
  console.log(
    `tier ${tier.name}: ${tier.entries} entries, ${tier.bytes} bytes, ${tier.hits} hits, ${tier.misses} misses, ` +
      `${tier.evictions} evictions, ${tier.expirations} expirations`,
  );
}

await cache.close();
