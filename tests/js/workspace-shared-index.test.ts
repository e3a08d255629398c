// Workspaces sharing their index (option `index`) and file cache through a real redis-server the tests start, over
// a real S3-protocol server that counts requests (s3rver behind a SigV4-checking proxy): process A walks and
// reads, process B (another node process, tests/fixtures/workspace-process.mjs) makes no request for what A
// learned; TTLs, writes, Redis killed or stalled mid-walk. The wasm build shares through a custom() tier.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';

import { http, memoryResource, ram, redis, type RedisTier, s3Resource, Workspace } from '../../dist/node.js';
import * as wasm from '../../dist/wasm.js';
import { FileServer } from '../fixtures/file-server.mjs';
import { freePort, LoopbackServer } from './loopback.js';
import { BUCKET, CREDENTIALS, freshPrefix, useS3Server } from './s3-server.js';

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const PROCESS = new URL('../fixtures/workspace-process.mjs', import.meta.url).pathname;
const PASSWORD = 'redis-secret-8d1f';

const server = useS3Server();
const folder = mkdtempSync(join(tmpdir(), 'strata-shared-index-'));
let redisServer: LoopbackServer;
let direct: Redis;
let redisUrl: string;

function redisOn(port: number, extra: string[] = []): LoopbackServer {
  return new LoopbackServer(port, 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder,
    '--requirepass', PASSWORD, ...extra,
  ]);
}

beforeAll(async () => {
  redisServer = redisOn(await freePort(), ['--enable-debug-command', 'local']);
  await redisServer.start();
  redisUrl = `redis://:${PASSWORD}@127.0.0.1:${redisServer.port}`;
  direct = new Redis(redisServer.port, '127.0.0.1', { password: PASSWORD });
});

afterAll(async () => {
  direct.disconnect();
  await redisServer.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** Writes objects under `prefix/`, as another writer would: each holds its own key and a newline unless given. */
async function put(prefix: string, keys: string[], body?: string): Promise<void> {
  const client = new S3Client({ region: 'us-east-1', endpoint: server().endpoint, forcePathStyle: true, credentials: CREDENTIALS });
  for (const key of keys) {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${key}`, Body: Buffer.from(body ?? `${key}\n`) }));
  }
  client.destroy();
}

/** Objects under a fresh prefix: three folders deep, so that a walk one level at a time lists six folders. */
async function seed(): Promise<string> {
  const prefix = freshPrefix('shared-index');
  // s3rver lists no common prefix for a folder with no key of its own just below it: data/deep has z.csv.
  await put(prefix, ['readme.md', 'logs/a.log', 'logs/b.log', 'logs/2026/c.log', 'data/x.csv', 'data/deep/z.csv', 'data/deep/er/y.csv']);
  return prefix;
}

const WALK = ['/s3', '/s3/data', '/s3/data/deep', '/s3/data/deep/er', '/s3/data/deep/er/y.csv', '/s3/data/deep/z.csv', '/s3/data/x.csv', '/s3/logs',
  '/s3/logs/2026', '/s3/logs/2026/c.log', '/s3/logs/a.log', '/s3/logs/b.log', '/s3/readme.md'];

interface StepResult {
  stdout: string;
  exitCode: number;
  calls: { lists: number; stats: number; reads: number; writes: number };
  shared: { hits: number; misses: number; errors: number };
}

/** Runs the steps in a process of their own; returns each step's result and the requests S3 answered meanwhile. */
async function inProcess(prefix: string, steps: object[], options: { indexTtl?: string; deepListLimit?: number; writable?: boolean } = {}) {
  const s3 = { ...server().tier(prefix), deepListLimit: options.deepListLimit ?? 0, writable: options.writable ?? false };
  const config = JSON.stringify({ redis: redisUrl, s3, indexTtl: options.indexTtl ?? '10m', steps });
  const [{ stdout }, requests] = await server().counted(() => run(process.execPath, [PROCESS, config], { timeout: 20_000 }));
  return { results: stdout.trim().split('\n').map((line) => JSON.parse(line) as StepResult), requests };
}

describe('two processes, one index in Redis', () => {
  test('A walks (a LIST per folder) and reads; B walks and reads with no request at all', async () => {
    const prefix = await seed();
    const steps = [{ execute: 'find /s3' }, { execute: 'cat /s3/logs/2026/c.log /s3/data/x.csv' }];
    const a = await inProcess(prefix, steps);
    expect(a.results[0]!.stdout.trim().split('\n')).toEqual(WALK);
    expect(a.requests).toEqual({ LIST: 6, GET: 2 });
    const b = await inProcess(prefix, [...steps, { execute: 'ls -R /s3' }]);
    expect(b.results.map((step) => step.stdout)).toEqual([...a.results.map((step) => step.stdout), expect.stringContaining('/s3/logs/2026:')]);
    expect(b.requests).toEqual({});
    expect(b.results[0]!.calls).toEqual({ lists: 0, stats: 0, reads: 0, writes: 0 });
    expect(b.results[2]!.shared).toMatchObject({ misses: 0, errors: 0 });
  }, 30_000);

  test('a deep listing (one LIST for the tree) answers B\'s stat of any path below, and B keeps it', async () => {
    const prefix = await seed();
    const a = await inProcess(prefix, [{ execute: 'ls /s3' }], { deepListLimit: 100 });
    expect(a.requests).toEqual({ LIST: 1 });
    const b = await inProcess(prefix, [
      { execute: 'stat -c %s /s3/data/deep/er/y.csv' }, { execute: 'ls /s3/logs/2026' }, { execute: 'ls /s3/nothing' },
    ], { deepListLimit: 100 });
    expect(b.results.map((step) => step.stdout)).toEqual(['19\n', 'c.log\n', '']);
    expect(b.results[2]!.exitCode).toBe(2);
    expect(b.requests).toEqual({});
    // The first look-up brought the listing into B's own index: the rest were answered there.
    expect(b.results[2]!.shared).toEqual({ hits: 1, misses: 0, errors: 0 });
  }, 30_000);

  test('records last the index TTL left: B, later, asks the source again, and the server has dropped them', async () => {
    const prefix = await seed();
    await inProcess(prefix, [{ execute: 'ls /s3/logs' }], { indexTtl: '1500ms' });
    const ttls = await Promise.all((await direct.keys('shared-index-test:*')).map((key) => direct.pttl(key)));
    expect(ttls.filter((ttl) => ttl > 0 && ttl <= 1500).length).toBeGreaterThan(0);
    // B reads A's listing at once, then again after A's 1.5 s ran out (not 1.5 s after B read it).
    const b = await inProcess(prefix, [{ execute: 'ls /s3/logs' }, { sleep: 1600 }, { execute: 'ls /s3/logs' }], { indexTtl: '1500ms' });
    expect(b.results.map((step) => step.calls.lists)).toEqual([0, 1]);
    expect(b.results[1]!.stdout).toBe('2026\na.log\nb.log\n');
  }, 30_000);

  test('a write through A: B, C and D list what is there now, never what was there before', async () => {
    const prefix = await seed();
    const options = { writable: true };
    await inProcess(prefix, [{ execute: 'find /s3/logs' }], options);
    const b = await inProcess(prefix, [{ execute: 'ls /s3/logs' }], options);
    expect(b.requests).toEqual({});
    const a = await inProcess(prefix, [{ execute: 'echo new > /s3/logs/new.log && rm /s3/logs/a.log' }], options);
    expect(a.results[0]!.exitCode).toBe(0);
    const c = await inProcess(prefix, [{ execute: 'ls /s3/logs' }, { execute: 'cat /s3/logs/new.log' }], options);
    expect(c.results.map((step) => step.stdout)).toEqual(['2026\nb.log\nnew.log\n', 'new\n']);
    expect(c.requests.LIST).toBe(1); // the write made A's records stale: C asks S3 and records what it says
    const d = await inProcess(prefix, [{ execute: 'ls /s3/logs' }], options);
    expect(d.results[0]!.stdout).toBe('2026\nb.log\nnew.log\n');
    expect(d.requests).toEqual({});
  }, 30_000);

  test('what Redis holds names no secret: neither S3\'s keys nor Redis\'s password', async () => {
    const prefix = await seed();
    await inProcess(prefix, [{ execute: 'find /s3' }]);
    const keys = await direct.keys('shared-index-test:*');
    expect(keys.length).toBeGreaterThan(0);
    const values = await Promise.all(keys.map((key) => direct.getBuffer(key)));
    for (const value of values) {
      const text = value!.toString('latin1');
      expect(text).not.toContain(CREDENTIALS.secretAccessKey);
      expect(text).not.toContain(PASSWORD);
    }
  }, 30_000);
});

test('the example (examples/workspace-shared) runs as a user runs it, and removes what it wrote', async () => {
  const script = new URL('../../examples/workspace-shared/index.mjs', import.meta.url).pathname;
  const { stdout } = await run(process.execPath, [script], { env: { ...process.env, REDIS_URL: redisUrl }, timeout: 10_000 });
  expect(stdout.split('\n')).toEqual([
    'machine A: 3 files, 3 alerts; calls to the folder: 2 lists, 0 stats, 1 reads',
    'machine B: 3 files, 3 alerts; calls to the folder: 0 lists, 0 stats, 0 reads',
    '',
  ]);
  expect(await direct.keys('stratacache-example-workspace:*')).toEqual([]);
});

describe('Redis failing under a workspace', () => {
  /** A workspace in this process over `prefix`, sharing through `url` with a 300 ms timeout. */
  async function open(prefix: string, url: string): Promise<[Workspace, RedisTier]> {
    const shared = redis({ url, prefix: 'shared-index-test:', timeout: '300ms' });
    const ws = await Workspace.open({
      mounts: { '/s3': s3Resource({ ...server().tier(prefix), deepListLimit: 0 }) }, index: shared, tiers: [ram(), shared],
    });
    return [ws, shared];
  }

  test('killed mid-walk: the walk completes from the source, each call settling within the timeout; restarted, it shares again', async () => {
    const port = await freePort();
    const own = redisOn(port);
    await own.start();
    const url = `redis://:${PASSWORD}@127.0.0.1:${port}`;
    const prefix = await seed();
    const [a, aTier] = await open(prefix, url);
    const [b, bTier] = await open(prefix, url);
    try {
      for await (const _ of a.find('/s3'));
      await sleep(50); // A's records land
      const seen: string[] = [];
      const started = Date.now();
      const [, requests] = await server().counted(async () => {
        for await (const entry of b.find('/s3')) {
          seen.push(entry.path);
          if (entry.path === '/s3/data/deep') await own.stop();
        }
      });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(seen).toEqual(WALK);
      expect(requests).toEqual({ LIST: 4 }); // /s3 and /s3/data from Redis; the four folders after the kill from S3
      expect(b.stats().index.shared!.errors).toBeGreaterThan(0);
      await own.start(); // empty, on the same port
      await sleep(1200); // the client's retries reach it
      await b.invalidate('/s3');
      for await (const _ of b.find('/s3'));
      await sleep(50);
      const [c, cTier] = await open(prefix, url);
      try {
        const [, again] = await server().counted(async () => {
          for await (const _ of c.find('/s3'));
        });
        expect(again).toEqual({});
      } finally {
        await c.close();
        await cTier.close();
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
      await Promise.all([aTier.close(), bTier.close()]);
      await own.stop();
    }
  }, 30_000);

  test('stalled (DEBUG SLEEP 4): a walk asks the source, each look-up within two timeouts, with no error thrown', async () => {
    const prefix = await seed();
    const [ws, tier] = await open(prefix, redisUrl);
    try {
      const stall = direct.call('DEBUG', 'SLEEP', '4');
      await sleep(50);
      const started = Date.now();
      const paths: string[] = [];
      for await (const entry of ws.find('/s3/logs')) paths.push(entry.path);
      expect(paths).toEqual(WALK.filter((path) => path.startsWith('/s3/logs')));
      // Two look-ups (/s3/logs, /s3/logs/2026), each a read and a write of the generation cut off at 300 ms.
      expect(Date.now() - started).toBeLessThan(2600);
      expect(ws.stats().mounts['/s3']!.lists).toBe(2);
      await stall;
    } finally {
      await ws.close();
      await tier.close();
    }
  }, 30_000);
});

test('a snapshot replays as before, and loading it records nothing in the shared index', async () => {
  const prefix = await seed();
  const tier = redis({ url: redisUrl, prefix: 'shared-index-test:', timeout: '300ms' });
  const options = () => ({ mounts: { '/s3': s3Resource({ ...server().tier(prefix), deepListLimit: 0 }) }, index: tier });
  try {
    let archive: Uint8Array;
    {
      await using a = await Workspace.open(options());
      await a.readFile('/s3/logs/a.log');
      archive = (await a.snapshot()).archive;
    }
    await put(prefix, ['logs/a.log'], 'changed\n');
    const [replayed, requests] = await server().counted(async () => {
      await using replay = await Workspace.load(archive, options());
      return await replay.readFile('/s3/logs/a.log', { encoding: 'utf8' });
    });
    expect(replayed).toBe('logs/a.log\n');
    expect(requests).toEqual({});
    await using fresh = await Workspace.open(options());
    expect(await fresh.readFile('/s3/logs/a.log', { encoding: 'utf8' })).toBe('changed\n');
  } finally {
    await tier.close();
  }
});

describe('the option', () => {
  test('index must be a tier that takes writes; a resource\'s id a string', async () => {
    const mounts = { '/m': memoryResource({}) };
    for (const index of ['redis://127.0.0.1', null, http({ baseUrl: 'http://127.0.0.1:9/' })]) {
      await expect(Workspace.open({ mounts, index: index as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    }
    const unnamed = { ...memoryResource({}), id: 42 as never };
    await expect(Workspace.open({ mounts: { '/m': unnamed } })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG', message: expect.stringContaining('id must be a string'),
    });
  });
});

test('wasm build: two workspaces share an index through a custom() tier over a Map; foreign values are misses', async () => {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const root = join(folder, 'web');
  mkdirSync(join(root, 'a/b'), { recursive: true });
  writeFileSync(join(root, 'a/b/c.txt'), 'c\n');
  writeFileSync(join(root, 'top.txt'), 'top\n');
  const files = await FileServer.start(root);
  const map = new Map<string, Uint8Array>();
  const index = wasm.custom({
    name: 'map', get: (key) => map.get(key), set: (key, value) => void map.set(key, value), delete: (key) => map.delete(key),
  });
  try {
    const open = () => wasm.Workspace.open({ mounts: { '/web': wasm.httpResource(files.url) }, index });
    await using a = await open();
    expect((await a.execute('find /web')).stdout).toBe('/web\n/web/a\n/web/a/b\n/web/a/b/c.txt\n/web/top.txt\n');
    const listed = files.total;
    expect(listed).toBe(3);
    await using b = await open();
    expect((await b.execute('find /web')).stdout).toBe('/web\n/web/a\n/web/a/b\n/web/a/b/c.txt\n/web/top.txt\n');
    expect(files.total).toBe(listed);
    // Values no workspace wrote under the records' keys (another writer, damage) are misses, not failures.
    await using other = await wasm.Cache.open({ tiers: [index] });
    const key = (...parts: string[]) => `workspace-index/1:${JSON.stringify(parts)}`;
    const generation = JSON.parse(new TextDecoder().decode(await other.get(key('generation', files.url))));
    await other.set(key('list', files.url, ''), JSON.stringify({ g: generation, x: null, l: [1, [[5, 9]]] }));
    await other.set(key('list', files.url, 'a'), 'not JSON');
    await using c = await open();
    expect((await c.execute('find /web')).stdout).toBe('/web\n/web/a\n/web/a/b\n/web/a/b/c.txt\n/web/top.txt\n');
    expect(files.total).toBe(listed + 2);
  } finally {
    await files.close();
  }
});
