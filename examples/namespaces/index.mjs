// Namespaces: two kinds of data share one RAM tier, the bulky kind held to a budget of its own so that it cannot
// push the small, valuable kind out.
//
//   node examples/namespaces/index.mjs
import { Cache, ram } from '../../dist/node.js';

const cache = await Cache.open({ tiers: [ram({ cacheLimit: '4MB' })] });
let evicted = 0;
cache.on('evict', ({ reason }) => {
  if (reason === 'namespace') evicted++;
});

// Keys of each namespace live apart: 'user:1' below is not the cache's own 'user:1'.
const sessions = cache.namespace('sessions');
const thumbnails = cache.namespace('thumbnails', { cacheLimit: '1MB' });

for (let id = 0; id < 100; id++) sessions.setSync(`user:${id}`, JSON.stringify({ id, cart: [id] }));
// 10 MB of thumbnails: ten times their budget, and more than the whole tier.
for (let id = 0; id < 500; id++) thumbnails.setSync(`user:${id}`, new Uint8Array(20_000));
await new Promise((resolve) => setTimeout(resolve, 20)); // events arrive through the event loop

const kept = [...Array(100).keys()].filter((id) => sessions.hasSync(`user:${id}`)).length;
console.log(`sessions kept: ${kept} of 100`);
console.log(`newest thumbnail kept: ${thumbnails.hasSync('user:499')}, oldest: ${thumbnails.hasSync('user:0')}`);
console.log(`thumbnails evicted for their namespace's limit: ${evicted}`);
console.log(`the cache's own user:1: ${cache.getSync('user:1') ?? 'miss'}`);
const [tier] = cache.stats().tiers;
console.log(`tier ${tier.name}: ${tier.entries} entries, ${(tier.bytes / 1e6).toFixed(2)} MB of 4 MB`);
await cache.close();
