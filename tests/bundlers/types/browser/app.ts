// A browser app under `moduleResolution: "bundler"`: the browser API with no setting, no @types/node and no
// ESNext.Disposable lib.
import { Cache, indexedDb, init, ram, type IndexedDbTierOptions, Workspace, httpResource } from 'stratacache';
// @ts-expect-error: disk() belongs to the Node build
import { disk } from 'stratacache';

await init();
const options: IndexedDbTierOptions = { database: 'app', cacheLimit: '50MB' };
const cache = await Cache.open({ tiers: [ram(), indexedDb(options)] });
const value: Uint8Array | undefined = await cache.get('key');
const ws = await Workspace.open({ mounts: { '/docs': httpResource('https://example.com/docs/') } });
const stream: ReadableStream<Uint8Array> = ws.createReadStream('/docs/a.txt');
console.log(value, stream, disk);
await ws.close();
await cache.close();
