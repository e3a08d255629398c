// A Node service under nodenext: the Node API (disk, s3, Node streams), and `await using`.
import type { Readable } from 'node:stream';

import { Cache, disk, localResource, ram, s3, Workspace } from 'stratacache';
// @ts-expect-error: indexedDb() belongs to the browser build
import { indexedDb } from 'stratacache';

await using cache = await Cache.open({
  tiers: [ram(), disk({ path: '/var/cache/app' }), s3({ bucket: 'b', region: 'eu-west-1' })],
});
await using ws = await Workspace.open({ mounts: { '/src': localResource('.') } });
const stream: Readable = ws.createReadStream('/src/a.txt');
console.log(await cache.get('key'), stream, indexedDb);
