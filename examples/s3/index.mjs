// S3 tier: two "machines" share cached entries through one bucket, with RAM in front of it on each.
//
//   node examples/s3/index.mjs
//
// Needs no cloud account: it starts s3rver (a local S3-protocol server, from npm) on 127.0.0.1 with a temporary
// directory, and points the cache at it. Against AWS, drop `endpoint` and `forcePathStyle` and let credentials
// come from the environment or ~/.aws.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import S3rver from 's3rver';

import { Cache, ram, s3 } from '../../dist/node.js';

const directory = mkdtempSync(join(tmpdir(), 'stratacache-example-'));
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: 'my-cache' }] });
const { port } = await server.run();

const tier = s3({
  bucket: 'my-cache',
  prefix: 'example',
  endpoint: `http://127.0.0.1:${port}`,
  forcePathStyle: true,
  region: 'us-east-1',
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, // s3rver's own account
  ttl: '1h',
  cooldown: '1m',
});
const decode = (bytes) => (bytes === undefined ? 'miss' : new TextDecoder().decode(bytes));

// Machine A computes a report once and caches it: in its RAM and in the bucket.
const a = await Cache.open({ tiers: [ram({ cacheLimit: '64MB' }), tier] });
await a.set('report:2026-11', JSON.stringify({ total: 1234 }));

// Machine B has never seen it: its RAM misses, S3 answers, and the entry is promoted into B's RAM.
const b = await Cache.open({ tiers: [ram({ cacheLimit: '64MB' }), tier] });
console.log(`B get: ${decode(await b.get('report:2026-11'))}`);
console.log(`B getSync (RAM only, now promoted): ${decode(b.getSync('report:2026-11'))}`);
for (const { name, hits, misses, entries } of b.stats().tiers) {
  console.log(`B tier ${name}: ${hits} hits, ${misses} misses, ${entries} entries`);
}

// When S3 goes away the cache carries on with RAM: reads and writes keep working, failures arrive as events.
b.on('error', (event) => console.log(`B error event: tier ${event.tier}, key ${event.key}, ${event.error.code}`));
await server.close();
console.log(`B get while S3 is down: ${decode(await b.get('report:2026-11'))}`);
console.log(`B get of an entry only S3 could have: ${decode(await b.get('report:2026-10'))}`);
await b.set('draft', 'kept in RAM');
console.log(`B set while S3 is down, then getSync: ${decode(b.getSync('draft'))}`);
await new Promise((resolve) => setTimeout(resolve, 50)); // let the events arrive

await Promise.all([a.close(), b.close()]);
rmSync(directory, { recursive: true, force: true });
