// Workspace benchmark: walking and reading a remote tree cold (every listing and file from the source) against
// warm (the same workspace again: index and file caches), and replayed (a new workspace loaded from a snapshot),
// over a 1,000-file HTTP mount and a 10,000-object S3 prefix; and a warm readFile against reading the same
// bytes with @aws-sdk/client-s3 directly.
//
//   node bench/workspace.mjs            full run (several minutes: s3rver stores and serves 10,000 objects)
//   node bench/workspace.mjs --quick    200 files and 1,000 objects, for a smoke run
//   --latency MS                        added to each HTTP answer, for an origin farther than localhost (default 5)
// The exit status is 0 whether targets pass or fail; it is not 0 only when the benchmark itself breaks.
//
// Sources, all on 127.0.0.1: tests/fixtures/file-server.mjs (a static file server with index pages, counting
// requests), and s3rver behind the counting, signature-checking proxy of the S3 tests. A walk is
// `find(mount, { type: 'file' })` then `readFile` of every file, 16 at a time; the peers do the same work without
// a workspace: fetch of each index page and file, or the SDK's ListObjectsV2 pages and GetObject of each key.
//
// Results: a table on stdout, and every row as JSON in bench/results/workspace.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';

import { httpResource, s3Resource, Workspace } from '../dist/node.js';
import { FileServer } from '../tests/fixtures/file-server.mjs';
import { BUCKET, connection, sdkClient, startServer } from './lib/s3-server.mjs';
import { median, timed } from './lib/timing.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, 'results', 'workspace.json');
const { values: args } = parseArgs({ options: { quick: { type: 'boolean' }, latency: { type: 'string', default: '5' } } });
const CONFIG = args.quick ? { files: 200, objects: 1_000, folders: 10, rounds: 20 } : { files: 1_000, objects: 10_000, folders: 100, rounds: 200 };
const LATENCY_MS = Number(args.latency);
const CONCURRENCY = 16;

function payload(size, seed) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 131 + seed * 7) & 0xff;
  return bytes;
}

const sizeOf = (i) => 512 + ((i * 397) % 3584); // 0.5 to 4 KiB, the size of typical records and configs

/** Every file below `mount`, then each read, CONCURRENCY at a time; returns the bytes read. */
async function walk(ws, mount) {
  const files = [];
  for await (const entry of ws.find(mount, { type: 'file' })) files.push(entry.path);
  let bytes = 0;
  await timed(files.length, CONCURRENCY, async (i) => {
    bytes += (await ws.readFile(files[i])).length;
  });
  return { files: files.length, bytes };
}

function report(rows, row) {
  rows.push(row);
  const extra = row.speedup === undefined ? '' : `   ${row.speedup.toFixed(1)}× faster than ${row.against}`;
  console.log(`${row.row.padEnd(42)} ${row.seconds.toFixed(3).padStart(8)} s   ${String(row.requests).padStart(6)} requests${extra}`);
}

/** Cold, warm and replayed walks over one mount, and the peer's plain walk; `requests()` counts at the source. */
async function walkRows(rows, label, resource, requests, peerWalk, expectedFiles) {
  const mounts = { '/src': resource() };
  const measure = async (row, work) => {
    const before = await requests();
    const seconds = await timed(1, 1, work);
    return { row, seconds, requests: (await requests()) - before };
  };
  const peer = await measure(`${label}: peer, no cache`, peerWalk);
  report(rows, peer);
  let archive;
  let coldSeconds;
  const ws = await Workspace.open({ mounts, cacheLimit: '256MB' });
  try {
    const cold = await measure(`${label}: workspace cold`, async () => {
      const { files } = await walk(ws, '/src');
      if (files !== expectedFiles) throw new Error(`${label}: walked ${files} files, expected ${expectedFiles}`);
    });
    coldSeconds = cold.seconds;
    report(rows, { ...cold, speedup: peer.seconds / cold.seconds, against: 'peer' });
    const warm = await measure(`${label}: workspace warm`, () => walk(ws, '/src'));
    report(rows, { ...warm, speedup: cold.seconds / warm.seconds, against: 'cold', saved: cold.requests - warm.requests });
    archive = (await ws.snapshot()).archive;
  } finally {
    await ws.close();
  }
  const replay = await measure(`${label}: replay of a snapshot`, async () => {
    const loaded = await Workspace.load(archive, { mounts: { '/src': resource() }, cacheLimit: '256MB' });
    await walk(loaded, '/src');
    await loaded.close();
  });
  report(rows, { ...replay, speedup: coldSeconds / replay.seconds, against: 'cold', snapshotBytes: archive.length });
}

async function httpRows(rows) {
  const root = mkdtempSync(join(tmpdir(), 'strata-bench-ws-'));
  for (let i = 0; i < CONFIG.files; i++) {
    const folder = join(root, `folder-${i % CONFIG.folders}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `file-${i}.json`), payload(sizeOf(i), i));
  }
  const server = await FileServer.start(root, { latencyMs: LATENCY_MS });
  try {
    const peerWalk = async () => {
      const index = async (url) => [...(await (await fetch(url)).text()).matchAll(/href="([^"]+)"/g)].map((m) => m[1]).filter((h) => h !== '../');
      const urls = [];
      for (const folder of await index(server.url)) for (const file of await index(server.url + folder)) urls.push(server.url + folder + file);
      await timed(urls.length, CONCURRENCY, async (i) => void (await (await fetch(urls[i])).arrayBuffer()));
    };
    await walkRows(rows, `HTTP ${CONFIG.files} files, +${LATENCY_MS} ms`, () => httpResource(server.url), async () => server.total, peerWalk, CONFIG.files);
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

async function s3Rows(rows) {
  const server = await startServer();
  try {
    const sdk = sdkClient(server.proxied);
    const seedClient = sdkClient(server.direct);
    const keyOf = (i) => `tree/folder-${i % CONFIG.folders}/object-${i}.json`;
    await timed(CONFIG.objects, 32, (i) => seedClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(i), Body: payload(sizeOf(i), i) })));
    const big = payload(1024 * 1024, 1);
    await seedClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'single/one-mib.bin', Body: big }));
    const peerWalk = async () => {
      const keys = [];
      let token;
      do {
        const page = await sdk.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'tree/', ContinuationToken: token }));
        for (const object of page.Contents ?? []) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      await timed(keys.length, CONCURRENCY, async (i) => {
        const out = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: keys[i] }));
        await out.Body.transformToByteArray();
      });
    };
    await walkRows(rows, `S3 ${CONFIG.objects} objects`, () => s3Resource(connection(server.proxied, 'tree')), () => server.requests(), peerWalk, CONFIG.objects);

    // One object read again and again: the warm workspace against a GetObject each time.
    const ws = await Workspace.open({ mounts: { '/s3': s3Resource(connection(server.direct, 'single')) } });
    const direct = sdkClient(server.direct);
    try {
      if ((await ws.readFile('/s3/one-mib.bin')).length !== big.length) throw new Error('wrong size');
      const times = { workspace: [], sdk: [] };
      for (let round = 0; round < CONFIG.rounds; round++) {
        times.workspace.push(await timed(1, 1, () => ws.readFile('/s3/one-mib.bin')));
        times.sdk.push(await timed(1, 1, async () => {
          const out = await direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'single/one-mib.bin' }));
          await out.Body.transformToByteArray();
        }));
      }
      const row = { row: 'readFile 1 MiB, warm vs SDK GetObject', workspace_ms: median(times.workspace) * 1e3, sdk_ms: median(times.sdk) * 1e3 };
      row.speedup = row.sdk_ms / row.workspace_ms;
      rows.push(row);
      console.log(`${row.row.padEnd(42)} workspace ${row.workspace_ms.toFixed(3)} ms   sdk ${row.sdk_ms.toFixed(3)} ms   ${row.speedup.toFixed(0)}× faster`);
    } finally {
      await ws.close();
    }
  } finally {
    await server.stop();
  }
}

const rows = [];
await httpRows(rows);
await s3Rows(rows);
mkdirSync(dirname(RESULTS), { recursive: true });
writeFileSync(RESULTS, JSON.stringify({ config: { ...CONFIG, latencyMs: LATENCY_MS, concurrency: CONCURRENCY }, rows }, null, 2));
