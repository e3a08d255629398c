// A RAM tier over a shared Redis tier: what one process writes, another (here a second cache, as a second
// machine would) reads from Redis and keeps in its own RAM. Needs ioredis (`npm install ioredis`) and a server:
//
//   REDIS_URL=redis://127.0.0.1:6379 node examples/redis/index.mjs
//
// It works under the prefix 'stratacache-example:' and removes what it wrote.
import { Cache, ram, redis } from '../../dist/node.js';

const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const shared = redis({ url, prefix: 'stratacache-example:', ttl: '10m', timeout: '500ms' });
const decode = (bytes) => (bytes === undefined ? 'miss' : new TextDecoder().decode(bytes));

const a = await Cache.open({ tiers: [ram({ cacheLimit: '16MB' }), shared] });
const b = await Cache.open({ tiers: [ram({ cacheLimit: '16MB' }), shared] });
a.on('error', (event) => console.log(`error event: ${event.error.message}`));
await a.set('greeting', 'hello from machine A');
console.log(`machine B reads: ${decode(await b.get('greeting'))}`);
console.log(`machine B again, from its RAM: ${decode(b.getSync('greeting'))}`);
const [inRam, inRedis] = b.stats().tiers;
console.log(`machine B: ${inRam.hits} RAM hit, ${inRedis.hits} Redis hit, ${inRam.promotions} promotion`);

await a.clear(); // only keys under the prefix
const c = await Cache.open({ tiers: [shared] });
console.log(`after clear, a third cache reads: ${decode(await c.get('greeting'))}`);
for (const cache of [a, b, c]) await cache.close();
await shared.close(); // the connection the tier made from the url
