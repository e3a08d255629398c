// Two workspaces sharing their index and file cache through Redis, as two processes or machines would: the
// first walks a folder and reads a file from it; the second does the same without a call to the folder.
// Needs ioredis (`npm install ioredis`) and a server:
//
//   REDIS_URL=redis://127.0.0.1:6379 node examples/workspace-shared/index.mjs
//
// It works under the prefix 'stratacache-example-workspace:' and removes what it wrote.
import { fileURLToPath } from 'node:url';

import { Cache, localResource, ram, redis, Workspace } from '../../dist/node.js';

const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const shared = redis({ url, prefix: 'stratacache-example-workspace:', timeout: '500ms' });
const folder = fileURLToPath(new URL('../workspace/data', import.meta.url));

for (const machine of ['A', 'B']) {
  const ws = await Workspace.open({
    mounts: { '/data': localResource(folder) },
    index: shared, // listings and stats the folder gave any of them, for indexTtl
    tiers: [ram({ cacheLimit: '16MB' }), shared], // file bytes: RAM here, then Redis
  });
  const { stdout } = await ws.execute('find /data -type f | wc -l; grep -c alert /data/logs/app.jsonl');
  const [files, alerts] = stdout.trim().split('\n');
  const { lists, stats, reads } = ws.stats().mounts['/data'];
  console.log(`machine ${machine}: ${files} files, ${alerts} alerts; calls to the folder: ${lists} lists, ${stats} stats, ${reads} reads`);
  await ws.close();
}

const cleanup = await Cache.open({ tiers: [shared] });
await cleanup.clear(); // only keys under the prefix
await cleanup.close();
await shared.close(); // the connection the tier made from the url
