// Quickstart: the product's two jobs on embedded defaults (no cloud account, no configuration).
//
//   npm run demo
//
// 1. A cache of two tiers, RAM above disk, in front of a slow origin: a miss loads once, then RAM answers; after a
//    restart RAM is empty and the disk tier answers, promoting the value back into RAM.
// 2. A workspace over a folder served by a local web server (started here): the first listing and the first read
//    go to the server, the same ones again are answered by the index cache and the file cache.
import { readFile, readdir, stat } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Cache, disk, httpResource, ram, Workspace } from '../../dist/node.js';

const folder = mkdtempSync(join(tmpdir(), 'stratacache-demo-'));
const decode = (bytes) => new TextDecoder().decode(bytes);
const ms = (since) => `${(performance.now() - since).toFixed(2).padStart(7)} ms`;

// ---- 1. A [ram(), disk()] cache in front of a slow origin ----------------------------------------------------

// Stands in for an HTTP API or a database: 50 ms a call.
let originCalls = 0;
async function slowOrigin(id) {
  originCalls += 1;
  await new Promise((resolve) => setTimeout(resolve, 50));
  return JSON.stringify({ id, name: `user ${id}` });
}

const openCache = () =>
  Cache.open({ tiers: [ram({ cacheLimit: '64MB' }), disk({ path: join(folder, 'cache'), cacheLimit: '1GB' })], ttl: '10m' });

async function lookUp(cache, id, label) {
  const started = performance.now();
  const value = await cache.getOrSet(`user:${id}`, () => slowOrigin(id));
  console.log(`  ${label.padEnd(34)} ${ms(started)}  ${decode(value)}`);
}

function printTiers(cache) {
  const { hits, misses, tiers } = cache.stats();
  console.log(`  cache: ${hits} hits, ${misses} misses; origin called ${originCalls} times`);
  for (const tier of tiers) {
    console.log(
      `  tier ${tier.name.padEnd(5)} ${tier.entries} entries, ${tier.bytes} bytes, ${tier.hits} hits, ` +
        `${tier.misses} misses, ${tier.promotions} promotions`,
    );
  }
}

console.log(`1. A cache of RAM above disk (in ${folder})`);
let cache = await openCache();
await lookUp(cache, 1, 'user 1: miss, loaded from origin');
await lookUp(cache, 1, 'user 1: RAM hit');
await lookUp(cache, 2, 'user 2: miss, loaded from origin');
console.log(`  getSync('user:1') -> ${decode(cache.getSync('user:1'))}  (no await: a RAM hit)`);
printTiers(cache);
await cache.close();

console.log('  ... restart: a new cache over the same folder, RAM empty');
cache = await openCache();
await lookUp(cache, 2, 'user 2: disk hit, promoted to RAM');
await lookUp(cache, 2, 'user 2: RAM hit');
printTiers(cache);
await cache.close();

// ---- 2. A workspace over a folder served by a local web server ----------------------------------------------

// Serves examples/workspace/data the way nginx's autoindex does: an HTML index page per folder, files as bytes.
const served = fileURLToPath(new URL('../workspace/data', import.meta.url));
let serverRequests = 0;
const server = createServer(async (request, response) => {
  serverRequests += 1;
  const path = join(served, decodeURIComponent(new URL(request.url, 'http://x').pathname));
  try {
    if ((await stat(path)).isDirectory()) {
      const names = await readdir(path, { withFileTypes: true });
      const links = names.map((entry) => `<a href="${entry.name}${entry.isDirectory() ? '/' : ''}">${entry.name}</a>`);
      response.writeHead(200, { 'content-type': 'text/html' }).end(links.join('\n'));
    } else {
      const bytes = await readFile(path);
      response.writeHead(200, { 'content-length': bytes.length });
      response.end(request.method === 'HEAD' ? undefined : bytes);
    }
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}/`;

console.log(`\n2. A workspace over ${origin} (a local web server serving examples/workspace/data)`);
const ws = await Workspace.open({ mounts: { '/web': httpResource(origin) }, cacheLimit: '64MB', indexTtl: '10m' });
async function run(command, label) {
  const before = serverRequests;
  const started = performance.now();
  const { stdout } = await ws.execute(command);
  const firstLine = stdout.split('\n')[0];
  console.log(`  $ ${command.padEnd(38)} ${label.padEnd(18)} ${ms(started)}  ${serverRequests - before} requests  ${firstLine}`);
}
await run('ls /web/logs', 'listing: miss');
await run('ls /web/logs', 'listing: hit');
await run('grep -c alert /web/logs/app.jsonl', 'bytes: miss');
await run('grep -c alert /web/logs/app.jsonl', 'bytes: hit');
await run('wc -l /web/logs/app.jsonl', 'bytes: hit');
const { index, files, mounts } = ws.stats();
console.log(`  index cache: ${index.hits} hits, ${index.misses} misses, ${index.entries} entries`);
console.log(`  file cache: ${files.hits} hits, ${files.misses} misses, ${files.entries} files, ${files.bytes} bytes`);
console.log(`  web server: ${mounts['/web'].lists} listings, ${mounts['/web'].reads} reads, ${mounts['/web'].bytesRead} bytes`);
await ws.close();

server.close();
rmSync(folder, { recursive: true, force: true });
