// Workspaces over real sources: a folder on disk, a real HTTP server on 127.0.0.1 counting its requests, and
// files in memory; with both builds' caches (the addon, and the wasm module in Node).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as native from '../../dist/node.js';
import { httpResource, localResource, memoryResource, StrataError, Workspace } from '../../dist/node.js';
import * as wasm from '../../dist/wasm.js';
import { FileServer } from '../fixtures/file-server.mjs';

const LOG = Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, level: i % 7 === 0 ? 'alert' : 'info' })).join('\n') + '\n';

function makeFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'strata-ws-'));
  mkdirSync(join(root, 'data/nested/deeper'), { recursive: true });
  writeFileSync(join(root, 'data/log.jsonl'), LOG);
  writeFileSync(join(root, 'data/other.jsonl'), '{"x":1}\n');
  writeFileSync(join(root, 'data/readme.txt'), 'hello\n');
  writeFileSync(join(root, 'data/nested/deep.jsonl'), '{"deep":true}\n');
  writeFileSync(join(root, 'data/nested/deeper/bottom.bin'), Buffer.alloc(3000, 7));
  writeFileSync(join(root, 'data/with space.txt'), 'spaced\n');
  return root;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function rejection(promise: Promise<unknown>): Promise<StrataError> {
  try {
    await promise;
  } catch (error) {
    return error as StrataError;
  }
  throw new Error('expected a rejection');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let root: string;
beforeAll(() => {
  root = makeFolder();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each([
  ['node', native],
  ['wasm', wasm],
])('Workspace over the %s build', (_name, build) => {
  const files = { 'data/log.jsonl': LOG, 'data/a/b/c.txt': 'c\n', 'data/a/d.txt': 'dd\n', 'top.bin': new Uint8Array([1, 2, 3]) };

  test('ls, stat, exists, readFile and find over a memory mount', async () => {
    await using ws = await build.Workspace.open({ mounts: { '/mem': memoryResource(files) } });
    expect((await ws.ls('/')).map((e) => [e.path, e.type])).toEqual([['/mem', 'directory']]);
    expect((await ws.ls('/mem')).map((e) => e.name)).toEqual(['data', 'top.bin']);
    expect((await ws.ls('/mem/data/')).map((e) => [e.name, e.type, e.size])).toEqual([
      ['a', 'directory', 0],
      ['log.jsonl', 'file', LOG.length],
    ]);
    expect(await ws.stat('/mem/data/a/b/c.txt')).toMatchObject({ path: '/mem/data/a/b/c.txt', name: 'c.txt', type: 'file', size: 2 });
    expect(await ws.exists('/mem/data/a')).toBe(true);
    expect(await ws.exists('/mem/nothing')).toBe(false);
    expect(await ws.readFile('/mem/data/a/d.txt', { encoding: 'utf8' })).toBe('dd\n');
    expect(Array.from(await ws.readFile('/mem/top.bin', { start: 1 }))).toEqual([2, 3]);
    expect(Array.from(await ws.readFile('/mem/top.bin', { start: 1, end: 2 }))).toEqual([2]);
    expect((await collect(ws.find('/mem', { name: 'to[p-q].b-n' }))).length).toBe(0); // '-' outside a class is literal
    expect((await collect(ws.find('/mem', { name: 't[n-p]p.bin' }))).map((e) => e.path)).toEqual(['/mem/top.bin']);
    const found = await collect(ws.find('/mem', { name: '*.txt' }));
    expect(found.map((e) => e.path)).toEqual(['/mem/data/a/b/c.txt', '/mem/data/a/d.txt']);
    const dirs = await collect(ws.find('/mem', { type: 'directory', maxDepth: 2 }));
    expect(dirs.map((e) => e.path)).toEqual(['/mem', '/mem/data', '/mem/data/a']);
    // One deep listing answered every ls, stat and find above; reading made one call per file.
    expect(ws.stats().mounts['/mem']).toMatchObject({ lists: 1, stats: 0, reads: 2 });
  });

  test('paths are normalised, and bad ones touch nothing', async () => {
    await using ws = await build.Workspace.open({ mounts: { '/mem': memoryResource(files), '/x/y': memoryResource({ f: 'f' }) } });
    expect(await ws.readFile('/mem/./data//a/../a/d.txt', { encoding: 'utf8' })).toBe('dd\n');
    expect((await ws.ls('/x')).map((e) => e.path)).toEqual(['/x/y']);
    const before = ws.stats().mounts['/mem']!.calls;
    for (const bad of ['/elsewhere/f', '/mem/../elsewhere/f', 'mem\0/x', '']) {
      expect((await rejection(ws.readFile(bad))).code).toBe('ERR_INVALID_ARG');
    }
    // '..' is resolved on the path alone, and at the root stays there, as POSIX reads '/..'.
    expect(await ws.readFile('/mem/../x/y/f', { encoding: 'utf8' })).toBe('f');
    expect(await ws.readFile('/../../x/y/f', { encoding: 'utf8' })).toBe('f');
    expect(ws.stats().mounts['/mem']!.calls).toBe(before);
    await ws.ls('/mem');
    expect((await rejection(ws.readFile('/mem/data'))).code).toBe('ERR_INVALID_ARG');
    expect((await rejection(ws.ls('/mem/top.bin'))).code).toBe('ERR_INVALID_ARG');
    expect((await rejection(ws.readFile('/mem/data/missing'))).code).toBe('ERR_NOT_FOUND');
    expect((await rejection(ws.stat('/mem/missing/deeper'))).code).toBe('ERR_NOT_FOUND');
    // After one (deep) listing, the index answered every error without asking the source.
    expect(ws.stats().mounts['/mem']).toMatchObject({ reads: 1, lists: 1, stats: 0 });
  });

  test('bad options are refused before anything opens', async () => {
    await expect(build.Workspace.open({ mounts: {} })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(build.Workspace.open({ mounts: { '/': memoryResource(files) } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(build.Workspace.open({ mounts: { '/a': memoryResource(files), '/a/b': memoryResource(files) } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(build.Workspace.open({ mounts: { '/a': {} as never } })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(build.Workspace.open({ mounts: { '/a': memoryResource(files) }, cacheLimit: 'lots' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(build.Workspace.open({ mounts: { '/a': memoryResource(files) }, indexTtl: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(build.Workspace.open({ mounts: { '/a': memoryResource(files) }, indexLimit: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });

  test('the index cache keeps at most indexLimit records, forgetting the oldest', async () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d${i % 3}/f${i}`, `${i}`]));
    await using ws = await build.Workspace.open({ mounts: { '/m': memoryResource(many) }, indexLimit: 12 });
    expect((await ws.ls('/m/d1')).length).toBe(10); // one deep listing: 30 files, 4 folders
    expect(ws.stats().index.entries).toBeLessThanOrEqual(12);
    // What was forgotten is asked for again, and still answered right.
    expect((await ws.ls('/m/d0')).map((e) => e.name).sort()).toEqual(['f0', 'f12', 'f15', 'f18', 'f21', 'f24', 'f27', 'f3', 'f6', 'f9']);
    expect(await ws.readFile('/m/d2/f29', { encoding: 'utf8' })).toBe('29');
    expect(ws.stats().index.entries).toBeLessThanOrEqual(12);
  });

  test('the file cache holds its budget and evicts least recently used files', async () => {
    const big = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, new Uint8Array(50_000).fill(i)]));
    await using ws = await build.Workspace.open({ mounts: { '/m': memoryResource(big) }, cacheLimit: 500_000 });
    for (let i = 0; i < 40; i += 1) expect((await ws.readFile(`/m/f${i}`))[0]).toBe(i);
    const { files: fileStats, mounts } = ws.stats();
    expect(fileStats.bytes).toBeLessThanOrEqual(500_000);
    expect(fileStats.evictions).toBeGreaterThan(0);
    expect(mounts['/m']!.reads).toBe(40);
    await ws.readFile('/m/f39'); // recent: a hit
    expect(ws.stats().mounts['/m']!.reads).toBe(40);
    await ws.readFile('/m/f0'); // evicted long ago: read again
    expect(ws.stats().mounts['/m']!.reads).toBe(41);
  });

  test('snapshot to bytes and load: the replay reads locally', async () => {
    let source = memoryResource(files);
    const progress: number[] = [];
    let archive: Uint8Array;
    {
      await using ws = await build.Workspace.open({ mounts: { '/mem': source } });
      await ws.readFile('/mem/data/log.jsonl');
      await ws.readFile('/mem/top.bin');
      const report = await ws.snapshot(undefined, { onProgress: (p) => progress.push(p.files) });
      expect(report).toMatchObject({ files: 2, totalFiles: 2, bytes: LOG.length + 3, missing: [] });
      archive = report.archive;
    }
    expect(progress).toEqual([1, 2]);
    source = memoryResource(files);
    await using replay = await build.Workspace.load(archive, { mounts: { '/mem': source } });
    expect(replay.loaded).toMatchObject({ files: 2, skipped: 0, missing: [] });
    expect(await replay.readFile('/mem/data/log.jsonl', { encoding: 'utf8' })).toBe(LOG);
    expect(Array.from(await replay.readFile('/mem/top.bin'))).toEqual([1, 2, 3]);
    expect(replay.stats().mounts['/mem']!.calls).toBe(0);
  });
});

describe('Workspace over a local folder (node)', () => {
  test('index TTL: a changed file is noticed after the TTL, not before', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'strata-ws-ttl-'));
    try {
      writeFileSync(join(folder, 'f.txt'), 'one\n');
      await using ws = await Workspace.open({ mounts: { '/d': localResource(folder) }, indexTtl: 300 });
      expect(await ws.readFile('/d/f.txt', { encoding: 'utf8' })).toBe('one\n');
      writeFileSync(join(folder, 'f.txt'), 'two two\n');
      utimesSync(join(folder, 'f.txt'), new Date(), new Date(Date.now() + 5000));
      expect(await ws.readFile('/d/f.txt', { encoding: 'utf8' })).toBe('one\n'); // the index is fresh
      await sleep(350);
      expect(await ws.readFile('/d/f.txt', { encoding: 'utf8' })).toBe('two two\n');
      expect(ws.stats().mounts['/d']).toMatchObject({ reads: 2, stats: 1 });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('invalidate forgets a path at once', async () => {
    await using ws = await Workspace.open({ mounts: { '/d': localResource(root) } });
    await ws.readFile('/d/data/readme.txt');
    await ws.invalidate('/d/data');
    await ws.readFile('/d/data/readme.txt');
    expect(ws.stats().mounts['/d']!.reads).toBe(2);
  });

  test('a missing folder is a clear error; createReadStream streams a file', async () => {
    await using ws = await Workspace.open({ mounts: { '/d': localResource(root), '/none': localResource(join(root, 'nope')) } });
    expect((await rejection(ws.ls('/none'))).code).toBe('ERR_NOT_FOUND');
    const chunks: Buffer[] = [];
    for await (const chunk of ws.createReadStream('/d/data/log.jsonl', { chunkSize: 100 })) chunks.push(Buffer.from(chunk as Uint8Array));
    expect(chunks.length).toBe(Math.ceil(LOG.length / 100));
    expect(Buffer.concat(chunks).toString()).toBe(LOG);
  });

  test('snapshot to a tar file: GNU tar lists and extracts it; load replays with no source calls', async () => {
    const out = mkdtempSync(join(tmpdir(), 'strata-ws-snap-'));
    try {
      const tarPath = join(out, 'run.tar');
      {
        await using ws = await Workspace.open({ mounts: { '/d': localResource(root) } });
        await ws.readFile('/d/data/log.jsonl');
        await ws.readFile('/d/data/with space.txt');
        await ws.readFile('/d/data/nested/deeper/bottom.bin');
        const report = await ws.snapshot(tarPath);
        expect(report).toMatchObject({ files: 3, missing: [] });
      }
      const listed = execFileSync('tar', ['-tf', tarPath], { encoding: 'utf8' }).trim().split('\n');
      expect(listed).toEqual(['manifest.json', 'files/d/data/log.jsonl', 'files/d/data/with space.txt', 'files/d/data/nested/deeper/bottom.bin']);
      execFileSync('tar', ['-xf', tarPath, '-C', out]);
      expect(readFileSync(join(out, 'files/d/data/log.jsonl'), 'utf8')).toBe(LOG);
      expect(readFileSync(join(out, 'files/d/data/nested/deeper/bottom.bin')).equals(Buffer.alloc(3000, 7))).toBe(true);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(manifest.files.map((f: { path: string }) => f.path)).toContain('/d/data/with space.txt');

      const progress: Array<[number, number]> = [];
      await using replay = await Workspace.load(tarPath, { mounts: { '/d': localResource(root) }, onProgress: (p) => progress.push([p.files, p.totalFiles]) });
      expect(progress).toEqual([[1, 3], [2, 3], [3, 3]]);
      expect(await replay.readFile('/d/data/with space.txt', { encoding: 'utf8' })).toBe('spaced\n');
      expect((await replay.readFile('/d/data/nested/deeper/bottom.bin')).length).toBe(3000);
      expect(replay.stats().mounts['/d']!.calls).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('load refuses escaping entries, foreign and truncated archives', async () => {
    const out = mkdtempSync(join(tmpdir(), 'strata-ws-bad-'));
    try {
      const mounts = { '/d': localResource(root) };
      writeFileSync(join(out, 'manifest.json'), JSON.stringify({ format: 'stratacache-workspace-snapshot', version: 1, created: '', files: [] }));
      writeFileSync(join(out, 'evil'), 'x');
      execFileSync('tar', ['-cf', join(out, 'escape.tar'), '-C', out, 'manifest.json', '--transform', 's,^evil$,../evil,', 'evil']);
      expect((await rejection(Workspace.load(join(out, 'escape.tar'), { mounts }))).code).toBe('ERR_INVALID_ARG');
      execFileSync('tar', ['-cf', join(out, 'foreign.tar'), '-C', out, 'evil']);
      expect((await rejection(Workspace.load(join(out, 'foreign.tar'), { mounts }))).code).toBe('ERR_CORRUPT');
      let archive: Uint8Array;
      {
        await using ws = await Workspace.open({ mounts });
        await ws.readFile('/d/data/nested/deeper/bottom.bin');
        archive = (await ws.snapshot()).archive;
      }
      expect((await rejection(Workspace.load(archive.subarray(0, 2048), { mounts }))).code).toBe('ERR_CORRUPT');
      expect((await rejection(Workspace.load(join(out, 'absent.tar'), { mounts }))).code).toBe('ERR_NOT_FOUND');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('Workspace over HTTP (a real server on 127.0.0.1)', () => {
  let server: FileServer;
  beforeAll(async () => {
    server = await FileServer.start(root);
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  test('ls makes one GET; reads one GET each, then none', async () => {
    await using ws = await Workspace.open({ mounts: { '/web': httpResource(server.url) } });
    const names = (await ws.ls('/web/data/')).map((e) => `${e.name}${e.type === 'directory' ? '/' : ''}`);
    expect(names).toEqual(['log.jsonl', 'nested/', 'other.jsonl', 'readme.txt', 'with space.txt']);
    expect(server.requests).toEqual({ GET: 1 });
    const jsonl = await collect(ws.find('/web/data', { name: '*.jsonl', maxDepth: 1 }));
    expect(jsonl.map((e) => e.name)).toEqual(['log.jsonl', 'other.jsonl']);
    expect(server.total).toBe(1);
    expect(await ws.readFile('/web/data/log.jsonl', { encoding: 'utf8' })).toBe(LOG);
    expect(await ws.readFile('/web/data/with space.txt', { encoding: 'utf8' })).toBe('spaced\n');
    expect(server.requests).toEqual({ GET: 3 });
    await ws.readFile('/web/data/log.jsonl');
    expect(server.total).toBe(3);
    expect(await ws.stat('/web/data/nested')).toMatchObject({ type: 'directory' });
    expect(server.total).toBe(3);
  });

  test('stat by HEAD; folders through their redirect; missing files; range reads of large files', async () => {
    await using ws = await Workspace.open({ mounts: { '/web': httpResource(server.url) }, cacheLimit: 8000 });
    expect(await ws.stat('/web/data/readme.txt')).toMatchObject({ type: 'file', size: 6 });
    expect(await ws.stat('/web/data/nested')).toMatchObject({ type: 'directory' });
    expect(await ws.exists('/web/data/none.txt')).toBe(false);
    // 3000 bytes is more than a quarter of the 8000-byte budget: read in ranges, never cached.
    const part = await ws.readFile('/web/data/nested/deeper/bottom.bin', { start: 10, end: 20 });
    expect(Array.from(part)).toEqual(new Array(10).fill(7));
    await ws.readFile('/web/data/nested/deeper/bottom.bin', { start: 10, end: 20 });
    expect(ws.stats().files.entries).toBe(0);
    expect(server.requests.GET).toBe(2);
  });

  test('a server that cannot be reached is ERR_UNAVAILABLE', async () => {
    await using ws = await Workspace.open({ mounts: { '/web': httpResource('http://127.0.0.1:9/') } });
    expect((await rejection(ws.ls('/web'))).code).toBe('ERR_UNAVAILABLE');
  });
});
