// Workspaces in real Chromium (the wasm build): an HTTP mount read with fetch from a server of another origin,
// a memory mount, the file cache in IndexedDB across page loads, and snapshot/load as bytes, plain and gzip.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

import type { Page } from 'playwright-core';

import { memoryResource, Workspace as NodeWorkspace } from '../../dist/node.js';
import { tarToBytes } from '../../dist/workspace/tar.js';
import type { PageApi } from '../browser/page.js';
import { startTestSite, type TestSite } from './browser-page.js';
import { FileServer } from '../fixtures/file-server.mjs';

declare const strataTests: PageApi;

let site: TestSite;
let browser: Awaited<ReturnType<TestSite['launch']>>;
let files: FileServer;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'strata-browser-ws-'));
  mkdirSync(join(root, 'data/sub'), { recursive: true });
  writeFileSync(join(root, 'data/log.jsonl'), '{"a":1}\n{"a":2,"alert":true}\n');
  writeFileSync(join(root, 'data/sub/big.bin'), Buffer.alloc(5000, 9));
  files = await FileServer.start(root);
  site = await startTestSite();
  browser = await site.launch();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await files?.close();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => files.reset());

const newPage = (): Promise<Page> => site.open(browser.context);

test('an HTTP mount: one GET per listing and per file, folders found through their redirect', async () => {
  const result = await (await newPage()).evaluate(async (url) => {
    const { Workspace, httpResource } = strataTests;
    const ws = await Workspace.open({ mounts: { '/web': httpResource(url) }, cacheLimit: '16KB' });
    const names = (await ws.ls('/web/data')).map((e) => `${e.name}:${e.type}`);
    const text = await ws.readFile('/web/data/log.jsonl', { encoding: 'utf8' });
    await ws.readFile('/web/data/log.jsonl');
    const folder = (await ws.stat('/web/data/sub')).type;
    const big = await ws.stat('/web/data/sub/big.bin');
    const range = Array.from(await ws.readFile('/web/data/sub/big.bin', { start: 4990, end: 5000 }));
    let streamed = 0;
    const reader = ws.createReadStream('/web/data/log.jsonl').getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) streamed += chunk.value.length;
    const stats = ws.stats().mounts['/web'];
    await ws.close();
    return { names, text, folder, size: big.size, range, streamed, stats };
  }, files.url);
  expect(result.names).toEqual(['log.jsonl:file', 'sub:directory']);
  expect(result.text).toBe('{"a":1}\n{"a":2,"alert":true}\n');
  expect(result).toMatchObject({ folder: 'directory', size: 5000, range: new Array(10).fill(9), streamed: result.text.length });
  // ls: GET; log.jsonl: GET (then a file-cache hit); sub: from the listing; big.bin: HEAD, then a ranged GET.
  expect(files.requests).toEqual({ GET: 3, HEAD: 1 });
  expect(result.stats).toMatchObject({ lists: 1, reads: 2, stats: 1 });
});

test('two pages share their index in IndexedDB: the second walks the HTTP mount with no request', async () => {
  const walk = (url: string) => newPage().then((page) => page.evaluate(async (url) => {
    const { Workspace, httpResource, indexedDb } = strataTests;
    const ws = await Workspace.open({ mounts: { '/web': httpResource(url) }, index: indexedDb({ database: 'workspace-index' }) });
    const { stdout } = await ws.execute('find /web');
    const { shared } = ws.stats().index;
    await ws.close();
    return { stdout, shared };
  }, url));
  const first = await walk(files.url);
  expect(first.stdout).toBe('/web\n/web/data\n/web/data/log.jsonl\n/web/data/sub\n/web/data/sub/big.bin\n');
  expect(files.requests).toEqual({ GET: 3 });
  const second = await walk(files.url);
  expect(second.stdout).toBe(first.stdout);
  expect(files.requests).toEqual({ GET: 3 });
  expect(second.shared).toMatchObject({ hits: 3, misses: 0, errors: 0 });
});

test('the file cache in IndexedDB outlives the page; snapshot bytes load in another page with no calls', async () => {
  const first = await (await newPage()).evaluate(async () => {
    const { Workspace, memoryResource, ram, indexedDb } = strataTests;
    const ws = await Workspace.open({
      mounts: { '/m': memoryResource({ 'a.txt': 'alpha', 'dir/b.txt': 'beta' }) },
      tiers: [ram(), indexedDb({ database: 'workspace-files' })],
    });
    await ws.readFile('/m/a.txt');
    await ws.readFile('/m/dir/b.txt');
    const { archive, files } = await ws.snapshot();
    await ws.close();
    return { archive: Array.from(archive), files };
  });
  expect(first.files).toBe(2);

  const second = await (await newPage()).evaluate(async (archive) => {
    const { Workspace, memoryResource, ram, indexedDb } = strataTests;
    const mounts = { '/m': memoryResource({ 'a.txt': 'alpha', 'dir/b.txt': 'beta' }) };
    // The same IndexedDB file cache: the bytes are there; only a stat checks they are current.
    const persisted = await Workspace.open({ mounts, tiers: [ram(), indexedDb({ database: 'workspace-files' })] });
    const a = await persisted.readFile('/m/a.txt', { encoding: 'utf8' });
    const fromDisk = persisted.stats().mounts['/m'];
    await persisted.close();
    const loaded = await Workspace.load(new Uint8Array(archive), { mounts: { '/m': memoryResource({ 'a.txt': 'alpha', 'dir/b.txt': 'beta' }) } });
    const b = await loaded.readFile('/m/dir/b.txt', { encoding: 'utf8' });
    const fromSnapshot = loaded.stats().mounts['/m'];
    await loaded.close();
    return { a, b, fromDisk, fromSnapshot };
  }, first.archive);
  expect(second).toMatchObject({ a: 'alpha', b: 'beta', fromDisk: { reads: 0, stats: 1 }, fromSnapshot: { calls: 0 } });
});

test('gzip round-trips in Chromium (CompressionStream) and crosses to and from the Node build (zlib)', async () => {
  const MEMORY = { 'a.txt': 'alpha', 'dir/b.bin': 'b'.repeat(200_000) };
  // A Node build's gzip snapshot, for the page to load.
  let fromNode: Uint8Array;
  {
    await using ws = await NodeWorkspace.open({ mounts: { '/m': memoryResource(MEMORY) } });
    await ws.readFile('/m/a.txt');
    await ws.readFile('/m/dir/b.bin');
    fromNode = (await ws.snapshot(undefined, { compression: 'gzip' })).archive;
  }
  const result = await (await newPage()).evaluate(async ([files, nodeArchive]) => {
    const { Workspace, memoryResource } = strataTests;
    const source = () => ({ '/m': memoryResource(files) });
    const ws = await Workspace.open({ mounts: source() });
    await ws.readFile('/m/a.txt');
    await ws.readFile('/m/dir/b.bin');
    const { archive } = await ws.snapshot(undefined, { compression: 'gzip' });
    await ws.close();
    const replays: Array<{ a: string; size: number; calls: number }> = [];
    for (const bytes of [archive, new Uint8Array(nodeArchive)]) {
      const replay = await Workspace.load(bytes, { mounts: source() });
      const a = await replay.readFile('/m/a.txt', { encoding: 'utf8' });
      const size = (await replay.readFile('/m/dir/b.bin')).length;
      replays.push({ a, size, calls: replay.stats().mounts['/m']!.calls });
      await replay.close();
    }
    const errors: string[] = [];
    for (const cut of [archive.length - 1, archive.length - 9, Math.floor(archive.length / 2)]) {
      await Workspace.load(archive.subarray(0, cut), { mounts: source() }).then(
        () => errors.push('loaded'),
        (error: { code: string }) => errors.push(error.code),
      );
    }
    return { archive: Array.from(archive), replays, errors };
  }, [MEMORY, Array.from(fromNode)] as const);
  expect(result.replays).toEqual([{ a: 'alpha', size: 200_000, calls: 0 }, { a: 'alpha', size: 200_000, calls: 0 }]);
  expect(result.errors).toEqual(['ERR_CORRUPT', 'ERR_CORRUPT', 'ERR_CORRUPT']);
  // Chromium's gzip, read by zlib, GNU tar and the Node build.
  const fromChromium = Buffer.from(result.archive);
  expect([...fromChromium.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
  expect(execFileSync('tar', ['tzf', '-'], { input: fromChromium, encoding: 'utf8' })).toBe('manifest.json\nfiles/m/a.txt\nfiles/m/dir/b.bin\n');
  expect(gunzipSync(fromChromium).length % 512).toBe(0);
  await using replay = await NodeWorkspace.load(fromChromium, { mounts: { '/m': memoryResource(MEMORY) } });
  expect(await replay.readFile('/m/a.txt', { encoding: 'utf8' })).toBe('alpha');
  expect(replay.stats().mounts['/m']!.calls).toBe(0);
});

test('in Chromium, a gzip entry inflating past the cache is skipped as it streams, and damage is ERR_CORRUPT', async () => {
  const HUGE = 16 * 1024 * 1024;
  const tar = await tarToBytes(async (writer) => {
    const files = [{ path: '/m/a.txt', version: { size: 5 } }, { path: '/m/huge.bin', version: { size: HUGE } }];
    const manifest = { format: 'stratacache-workspace-snapshot', version: 1, created: '', files };
    await writer.addFile('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
    await writer.addFile('files/m/a.txt', new TextEncoder().encode('alpha'));
    await writer.addFile('files/m/huge.bin', new Uint8Array(HUGE));
  });
  const bomb = gzipSync(tar, { level: 9 });
  expect(bomb.length).toBeLessThan(HUGE / 500);
  const result = await (await newPage()).evaluate(async (bytes) => {
    const { Workspace, memoryResource } = strataTests;
    const archive = new Uint8Array(bytes);
    const ws = await Workspace.load(archive, { mounts: { '/m': memoryResource({}) }, cacheLimit: '4MB' });
    const loaded = ws.loaded;
    const a = await ws.readFile('/m/a.txt', { encoding: 'utf8' });
    await ws.close();
    const damaged = archive.slice();
    damaged[damaged.length - 8]! ^= 0xff;
    const error = await Workspace.load(damaged, { mounts: { '/m': memoryResource({}) }, cacheLimit: '4MB' }).then(
      () => 'loaded',
      (failure: { code: string }) => failure.code,
    );
    return { loaded, a, error };
  }, Array.from(bomb));
  expect(result).toMatchObject({ loaded: { files: 1, skipped: 1, missing: [] }, a: 'alpha', error: 'ERR_CORRUPT' });
});
