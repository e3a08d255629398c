// S3-tier benchmark: stratacache's s3() tier against @aws-sdk/client-s3, in one run, on the same s3rver.
//
//   node bench/s3.mjs            full run (a few minutes on 2 cores, most of it s3rver writing 10,000 objects)
//   node bench/s3.mjs --quick    fewer rounds and a 2,000-key listing, for a smoke run
// The exit status is 0 whether targets pass or fail; it is not 0 only when the benchmark itself breaks.
//
// Server: the S3 client's test fixture (tests/cpp/s3/fixtures/s3_fixture.cjs) in a child process: s3rver on
// 127.0.0.1 (data in a temporary directory), and in front of it a proxy that checks SigV4 signatures and counts
// requests. Throughput rows talk to s3rver directly (both sides alike); the zero-request row goes through the
// proxy, to count.
//
// stratacache: Cache.open({ tiers: [s3({ bucket, prefix, endpoint, forcePathStyle: true, credentials })] }):
//   get -> cache.get (GET), put -> cache.set (PUT with metadata), list -> cache.clean({ maxAge: '1000d' }), which
//   lists every object under the prefix (ListObjectsV2, 1,000 a page) and removes none of them.
// SDK: new S3Client({ region, endpoint, forcePathStyle: true, credentials }) with checksums only when required:
//   GetObjectCommand (body read to bytes), PutObjectCommand, ListObjectsV2Command pages with continuation tokens.
//
// Rows: GET and PUT of 1 KiB and 8 MiB objects at concurrency 1 and 16 (each operation on its own key of a set
// written beforehand), the listing, and [ram, s3] serving a repeated GET (requests counted at the proxy). Each
// throughput row runs the two sides alternately for several rounds and reports the median ops/s of each; the
// ratio is stratacache / SDK (above 1: stratacache is faster).
//
// Results: a table on stdout, and every row as JSON in bench/results/s3.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';

import { Cache, ram, s3 } from '../dist/node.js';
import { BUCKET, connection, sdkClient, startServer } from './lib/s3-server.mjs';
import { median, timed } from './lib/timing.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, 'results', 's3.json');
const KIB = 1024;
const MIB = 1024 * KIB;

const { values: args } = parseArgs({ options: { quick: { type: 'boolean' } } });
const CONFIG = args.quick
  ? { rounds: 3, opsSmall: 64, opsLarge: 16, listKeys: 2_000, repeatedGets: 1_000 }
  : { rounds: 5, opsSmall: 256, opsLarge: 32, listKeys: 10_000, repeatedGets: 10_000 };

/** Alternates the two sides for CONFIG.rounds rounds; reports each side's median ops/s. */
async function compare(row, count, concurrency, sides) {
  const rates = { stratacache: [], sdk: [] };
  for (let round = 0; round < CONFIG.rounds; round++) {
    for (const [name, op] of Object.entries(sides)) rates[name].push(count / (await timed(count, concurrency, op)));
  }
  const result = {
    row, concurrency, ops: count, rounds: CONFIG.rounds,
    stratacache_ops_per_s: median(rates.stratacache), sdk_ops_per_s: median(rates.sdk),
  };
  result.ratio = result.stratacache_ops_per_s / result.sdk_ops_per_s;
  console.log(`${row.padEnd(22)} c=${String(concurrency).padEnd(3)} stratacache ${result.stratacache_ops_per_s.toFixed(1).padStart(9)} ops/s` +
    `   sdk ${result.sdk_ops_per_s.toFixed(1).padStart(9)} ops/s   ratio ${result.ratio.toFixed(2)}`);
  return result;
}

function payload(size, seed) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 131 + seed * 7) & 0xff;
  return bytes;
}

async function objectRows(cache, sdk) {
  const rows = [];
  for (const [label, size, count] of [['1 KiB', KIB, CONFIG.opsSmall], ['8 MiB', 8 * MIB, CONFIG.opsLarge]]) {
    const value = payload(size, 1);
    for (const concurrency of [1, 16]) {
      const key = (side, i) => `${label}-${concurrency}-${side}-${i}`;
      rows.push(await compare(`PUT ${label}`, count, concurrency, {
        stratacache: (i) => cache.set(key('tier', i), value),
        sdk: (i) => sdk.send(new PutObjectCommand({ Bucket: BUCKET, Key: `sdk/${key('sdk', i)}`, Body: value })),
      }));
      rows.push(await compare(`GET ${label}`, count, concurrency, {
        stratacache: async (i) => {
          if ((await cache.get(key('tier', i)))?.length !== size) throw new Error('tier: wrong value');
        },
        sdk: async (i) => {
          const out = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: `sdk/${key('sdk', i)}` }));
          if ((await out.Body.transformToByteArray()).length !== size) throw new Error('sdk: wrong value');
        },
      }));
    }
  }
  return rows;
}

async function listRow(cache, sdk, prefix) {
  const value = payload(16, 2);
  await timed(CONFIG.listKeys, 32, (i) => cache.set(`list-${i}`, value));
  let listed = 0;
  const row = await compare(`list ${CONFIG.listKeys} keys`, 1, 1, {
    stratacache: async () => {
      if ((await cache.clean({ maxAge: '1000d' })) !== 0) throw new Error('clean removed entries');
    },
    sdk: async () => {
      listed = 0;
      let token;
      do {
        const page = await sdk.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/`, ContinuationToken: token }));
        listed += page.Contents?.length ?? 0;
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    },
  });
  if (listed !== CONFIG.listKeys) throw new Error(`the SDK listed ${listed} keys, not ${CONFIG.listKeys}`);
  return row;
}

/** Runs `body(cache)` on a cache of `tiers`, closing it afterwards (Node 20 has no `await using` in plain JS). */
async function withCache(tiers, body) {
  const cache = await Cache.open({ tiers });
  try {
    return await body(cache);
  } finally {
    await cache.close();
  }
}

async function repeatedGetRow(server, cache) {
  await cache.set('hot', payload(KIB, 3));
  const before = await server.requests();
  const seconds = await timed(CONFIG.repeatedGets, 1, async () => {
    if ((await cache.get('hot'))?.length !== KIB) throw new Error('wrong value');
  });
  const requests = (await server.requests()) - before;
  const row = { row: '[ram, s3] repeated GET 1 KiB', gets: CONFIG.repeatedGets, network_requests: requests, gets_per_s: CONFIG.repeatedGets / seconds };
  console.log(`${row.row}: ${row.gets} gets, ${requests} network requests, ${row.gets_per_s.toFixed(0)} gets/s${requests === 0 ? '' : '   TARGET MISSED'}`);
  return row;
}

async function main() {
  const server = await startServer();
  try {
    const sdk = sdkClient(server.direct);
    const rows = [];
    rows.push(...(await withCache([s3(connection(server.direct, 'objects'))], (cache) => objectRows(cache, sdk))));
    rows.push(await withCache([s3(connection(server.direct, 'list'))], (cache) => listRow(cache, sdk, 'list')));
    rows.push(await withCache([ram(), s3(connection(server.proxied, 'repeat'))], (cache) => repeatedGetRow(server, cache)));
    const missed = rows.filter((row) => row.ratio !== undefined && row.ratio < 1).map((row) => `${row.row} c=${row.concurrency}`);
    console.log(missed.length === 0 ? 'target met: at least the SDK\'s throughput everywhere' : `below the SDK: ${missed.join(', ')}`);
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, JSON.stringify({ node: process.version, quick: Boolean(args.quick), config: CONFIG, rows }, null, 2) + '\n');
    console.log(`results: ${RESULTS}`);
  } finally {
    await server.stop();
  }
}

await main();
