// A disk tier: entries outlive the process. Run it twice; the second run finds what the first one stored.
//
//   node examples/disk/index.mjs [folder]     (default: a folder under the system's temp folder)
//
// Then checks the folder with verify() (online: the cache keeps serving meanwhile) and prints the statistics.
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Cache, disk, ram } from '../../dist/node.js';

const path = process.argv[2] ?? join(tmpdir(), 'stratacache-example-disk');

// Stands in for slow work worth keeping across restarts: a build step, a rendered page, a model download.
async function expensiveReport(month) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  return JSON.stringify({ month, total: 1234 });
}

// RAM in front for hot entries; the disk below keeps everything within 100 MB, across restarts.
const cache = await Cache.open({
  tiers: [ram({ cacheLimit: '16MB' }), disk({ path, cacheLimit: '100MB', ttl: '7d' })],
});

for (const month of ['2026-09', '2026-10']) {
  const key = `report:${month}`;
  const cached = await cache.get(key);
  if (cached) {
    console.log(`${key}: from disk ${new TextDecoder().decode(cached)}`);
  } else {
    await cache.set(key, await expensiveReport(month));
    console.log(`${key}: computed and stored in ${path}`);
  }
}

const { entries, removedEntries, orphanFiles, tempFiles } = await cache.verify();
console.log(`verify: ${entries} entries, ${removedEntries} removed, ${orphanFiles} orphan files, ${tempFiles} temp files`);

for (const tier of cache.stats().tiers) {
  console.log(`tier ${tier.name}: ${tier.entries} entries, ${tier.bytes} bytes, ${tier.hits} hits, ${tier.misses} misses`);
}
await cache.close();
