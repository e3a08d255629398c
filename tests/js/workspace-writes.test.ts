// Writes through a workspace's mounts (writeFile, appendFile, mkdir, rm, cp, mv, touch) over the memory
// resource, a real folder and s3rver: what each leaves at the source, that every read through the workspace
// sees it at once (the index and file caches never serve what was there before), that a failed write leaves
// the caches as they were, and what read-only mounts refuse.
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

import { localResource, memoryResource, s3Resource, StrataError, Workspace } from '../../dist/node.js';
import { freshFolder } from './disk-folders.js';
import { S3Server, useS3Server } from './s3-server.js';
import { folderSource, memorySource, s3Sources, type SourceMaker } from './writable-sources.js';

const server = useS3Server();
const s3 = s3Sources(server);
afterAll(() => s3.close());

const TREE = {
  'docs/a.txt': 'alpha\n',
  'docs/b.txt': 'bravo\n',
  'docs/deep/c.txt': 'charlie\n',
  'top.txt': 'top\n',
};

const SOURCES: Array<[string, SourceMaker]> = [
  ['the memory resource', memorySource],
  ['a real folder', folderSource],
  ['s3rver', (files, options) => s3.make(files, options)],
];

const names = async (ws: Workspace, path: string): Promise<string[]> =>
  (await ws.ls(path)).map((entry) => `${entry.name}${entry.type === 'directory' ? '/' : ''}`);

async function rejection(promise: Promise<unknown>): Promise<StrataError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(StrataError);
  return error as StrataError;
}

describe.each(SOURCES)('writes over %s', (_, makeSource) => {
  async function open(writable = true): Promise<Workspace> {
    const { resource } = await makeSource(TREE, { writable });
    return Workspace.open({ mounts: { '/w': resource } });
  }
  const calls = (ws: Workspace): number => ws.stats().mounts['/w']!.calls;

  test('writeFile: the new bytes, size and listing are seen at once, and reading them back costs nothing', async () => {
    await using ws = await open();
    expect(await ws.readFile('/w/docs/a.txt', { encoding: 'utf8' })).toBe('alpha\n');
    expect(await names(ws, '/w/docs')).toEqual(['a.txt', 'b.txt', 'deep/']);
    await ws.writeFile('/w/docs/a.txt', 'alpha, rewritten\n');
    await ws.writeFile('/w/docs/new.txt', new TextEncoder().encode('new\n'));
    const before = calls(ws);
    expect(await ws.readFile('/w/docs/a.txt', { encoding: 'utf8' })).toBe('alpha, rewritten\n');
    expect(await ws.readFile('/w/docs/new.txt', { encoding: 'utf8' })).toBe('new\n');
    expect((await ws.stat('/w/docs/a.txt')).size).toBe(17);
    expect(calls(ws) - before).toBe(0);
    expect(await names(ws, '/w/docs')).toEqual(['a.txt', 'b.txt', 'deep/', 'new.txt']);
    await ws.invalidate('/w'); // what the source holds
    expect(await ws.readFile('/w/docs/a.txt', { encoding: 'utf8' })).toBe('alpha, rewritten\n');
    expect(await ws.readFile('/w/docs/new.txt', { encoding: 'utf8' })).toBe('new\n');
  });

  test('appendFile adds to a file (and creates one), and the snapshot holds what was written', async () => {
    await using ws = await open();
    await ws.appendFile('/w/top.txt', 'more\n');
    await ws.appendFile('/w/docs/log.txt', 'one\n');
    await ws.appendFile('/w/docs/log.txt', 'two\n');
    expect(await ws.readFile('/w/top.txt', { encoding: 'utf8' })).toBe('top\nmore\n');
    expect(await ws.readFile('/w/docs/log.txt', { encoding: 'utf8' })).toBe('one\ntwo\n');
    const { archive, files } = await ws.snapshot();
    expect(files).toBe(2);
    await using replay = await Workspace.load(archive, { mounts: { '/w': memoryResource({}) } });
    expect(await replay.readFile('/w/docs/log.txt', { encoding: 'utf8' })).toBe('one\ntwo\n');
  });

  test('writeFile refuses a missing folder, a folder, and a file as a folder, changing nothing', async () => {
    await using ws = await open();
    expect((await rejection(ws.writeFile('/w/nope/x.txt', 'x'))).code).toBe('ERR_NOT_FOUND');
    expect((await rejection(ws.writeFile('/w/docs', 'x'))).code).toBe('ERR_INVALID_ARG');
    expect((await rejection(ws.writeFile('/w/top.txt/x', 'x'))).code).toBe('ERR_INVALID_ARG'); // not a directory
    expect(ws.stats().mounts['/w']!.writes).toBe(0);
    expect(await names(ws, '/w')).toEqual(['docs/', 'top.txt']);
  });

  test('mkdir and mkdir -p: the folders are listed at once; an existing one is ERR_EXISTS without -p', async () => {
    await using ws = await open();
    expect(await names(ws, '/w')).toEqual(['docs/', 'top.txt']);
    await ws.mkdir('/w/empty');
    await ws.mkdir('/w/x/y/z', { recursive: true });
    await ws.mkdir('/w/docs', { recursive: true });
    expect(await names(ws, '/w')).toEqual(['docs/', 'empty/', 'top.txt', 'x/']);
    expect(await names(ws, '/w/x/y')).toEqual(['z/']);
    expect(await names(ws, '/w/empty')).toEqual([]);
    expect((await rejection(ws.mkdir('/w/docs'))).code).toBe('ERR_EXISTS');
    expect((await rejection(ws.mkdir('/w/a/b'))).code).toBe('ERR_NOT_FOUND');
    expect((await rejection(ws.mkdir('/w/top.txt/b', { recursive: true }))).code).toBe('ERR_INVALID_ARG');
    await ws.invalidate('/w');
    expect(await names(ws, '/w/x/y')).toEqual(['z/']);
    expect(await names(ws, '/w')).toEqual(['docs/', 'empty/', 'top.txt', 'x/']);
  });

  test('rm and rm -r: nothing cached below is served again', async () => {
    await using ws = await open();
    expect(await ws.readFile('/w/docs/deep/c.txt', { encoding: 'utf8' })).toBe('charlie\n');
    expect(await ws.readFile('/w/top.txt', { encoding: 'utf8' })).toBe('top\n');
    await ws.rm('/w/top.txt');
    expect(await ws.exists('/w/top.txt')).toBe(false);
    expect((await rejection(ws.readFile('/w/top.txt'))).code).toBe('ERR_NOT_FOUND');
    expect((await rejection(ws.rm('/w/docs'))).code).toBe('ERR_INVALID_ARG'); // a folder needs recursive
    await ws.rm('/w/docs', { recursive: true });
    expect(await names(ws, '/w')).toEqual([]);
    expect((await rejection(ws.readFile('/w/docs/deep/c.txt'))).code).toBe('ERR_NOT_FOUND');
    expect((await rejection(ws.rm('/w/docs'))).code).toBe('ERR_NOT_FOUND');
    await ws.rm('/w/docs', { force: true, recursive: true });
    await ws.invalidate('/w');
    expect(await names(ws, '/w')).toEqual([]);
  });

  test('cp, cp -r and mv within the mount', async () => {
    await using ws = await open();
    expect(await ws.readFile('/w/docs/a.txt', { encoding: 'utf8' })).toBe('alpha\n');
    await ws.cp('/w/docs/a.txt', '/w/docs/b.txt'); // over a file
    expect(await ws.readFile('/w/docs/b.txt', { encoding: 'utf8' })).toBe('alpha\n');
    await ws.cp('/w/docs', '/w/copy', { recursive: true });
    expect(await names(ws, '/w/copy')).toEqual(['a.txt', 'b.txt', 'deep/']);
    expect(await ws.readFile('/w/copy/deep/c.txt', { encoding: 'utf8' })).toBe('charlie\n');
    await ws.mv('/w/copy', '/w/moved');
    await ws.mv('/w/top.txt', '/w/moved/top.txt');
    expect(await names(ws, '/w')).toEqual(['docs/', 'moved/']);
    expect(await names(ws, '/w/moved')).toEqual(['a.txt', 'b.txt', 'deep/', 'top.txt']);
    expect((await rejection(ws.cp('/w/docs', '/w/docs/deep/again', { recursive: true }))).code).toBe('ERR_INVALID_ARG');
    await ws.invalidate('/w');
    expect(await ws.readFile('/w/moved/top.txt', { encoding: 'utf8' })).toBe('top\n');
    expect(await names(ws, '/w/moved/deep')).toEqual(['c.txt']);
    expect(await names(ws, '/w')).toEqual(['docs/', 'moved/']);
  });

  test('cp across mounts passes the bytes through the workspace', async () => {
    const { resource } = await makeSource(TREE);
    await using ws = await Workspace.open({ mounts: { '/w': resource, '/m': memoryResource({ 'in/x.txt': 'from memory\n' }) } });
    await ws.cp('/m/in', '/w/in', { recursive: true });
    await ws.cp('/w/docs/a.txt', '/m/in/a.txt');
    expect(await ws.readFile('/w/in/x.txt', { encoding: 'utf8' })).toBe('from memory\n');
    expect(await ws.readFile('/m/in/a.txt', { encoding: 'utf8' })).toBe('alpha\n');
  });

  test('touch creates an empty file, and keeps what a file holds', async () => {
    await using ws = await open();
    await ws.touch('/w/docs/empty.txt');
    await ws.touch('/w/top.txt');
    expect((await ws.stat('/w/docs/empty.txt')).size).toBe(0);
    expect(await ws.readFile('/w/top.txt', { encoding: 'utf8' })).toBe('top\n');
  });

  test('a read-only mount refuses every write with ERR_READ_ONLY naming it, before any request', async () => {
    await using ws = await open(false);
    const writes: Array<() => Promise<unknown>> = [
      () => ws.writeFile('/w/x', 'x'), () => ws.appendFile('/w/top.txt', 'x'), () => ws.mkdir('/w/d'),
      () => ws.rm('/w/top.txt'), () => ws.cp('/w/top.txt', '/w/x'), () => ws.mv('/w/top.txt', '/w/x'),
      () => ws.touch('/w/top.txt'),
    ];
    for (const write of writes) {
      const error = await rejection(write());
      expect(error.code).toBe('ERR_READ_ONLY');
      expect(error.message).toContain("mount '/w'");
    }
    expect(calls(ws)).toBe(0);
    expect((await ws.execute('mkdir /w/d')).stderr).toBe("mkdir: cannot create directory '/w/d': Read-only file system\n");
  });

  test('a write racing a read: what the read fetched is not cached over what was written', async () => {
    await using ws = await open();
    const reading = ws.readFile('/w/docs/b.txt', { encoding: 'utf8' });
    await ws.writeFile('/w/docs/b.txt', 'written\n');
    await reading;
    expect(await ws.readFile('/w/docs/b.txt', { encoding: 'utf8' })).toBe('written\n');
  });
});

describe('over S3, request by request', () => {
  test('writeFile is one PUT; cp one server-side copy (a PUT, no bytes read); rm one DELETE and one LIST', async () => {
    const { resource } = await s3.make(TREE);
    await using ws = await Workspace.open({ mounts: { '/w': resource } });
    await ws.ls('/w');
    const [, write] = await server().counted(() => ws.writeFile('/w/docs/new.txt', 'new\n'));
    expect(write).toEqual({ PUT: 1 });
    const [, copy] = await server().counted(() => ws.cp('/w/docs/new.txt', '/w/copied.txt'));
    expect(copy).toEqual({ PUT: 1 });
    expect(ws.stats().mounts['/w']!.bytesRead).toBe(0);
    const [, remove] = await server().counted(() => ws.rm('/w/docs/new.txt'));
    expect(remove).toEqual({ DELETE: 1, LIST: 1 }); // the LIST: whether the folder holds anything else
    expect(await ws.readFile('/w/copied.txt', { encoding: 'utf8' })).toBe('new\n');
    const [, last] = await server().counted(() => ws.rm('/w/docs/deep/c.txt'));
    expect(last).toEqual({ DELETE: 1, LIST: 1, PUT: 1 }); // the PUT: a marker keeps the folder
    expect(await names(ws, '/w/docs/deep')).toEqual([]);
  });

  // Batches past 1,000 keys are the S3 client's DeleteObjects, tested with 1,100 keys in s3_listing_test.cc.
  test('rm -r of a folder of 80 objects: one listing and one multi-object delete, not 80 DELETEs', async () => {
    const { resource } = await s3.make({ 'top/kept.txt': 'kept' });
    const keys = Array.from({ length: 80 }, (_, i) => `top/bulk/${String(i).padStart(4, '0')}.txt`);
    await Promise.all(keys.map((key) => resource.write!(key, new TextEncoder().encode(key))));
    await using ws = await Workspace.open({ mounts: { '/w': resource } });
    expect(await names(ws, '/w/top')).toEqual(['bulk/', 'kept.txt']);
    const [, remove] = await server().counted(() => ws.rm('/w/top/bulk', { recursive: true }));
    // LIST: whether the parent holds anything else, then the folder's keys. s3rver makes a client (this one and
    // the AWS SDK alike) send a delete of several keys twice: one POST, maybe retried once.
    expect(remove).toEqual({ LIST: 2, POST: expect.any(Number) });
    expect(remove.POST).toBeLessThanOrEqual(2);
    expect(await names(ws, '/w/top')).toEqual(['kept.txt']);
    await ws.invalidate('/w');
    expect(await names(ws, '/w/top')).toEqual(['kept.txt']);
  }, 20_000);

  test('a write that fails (the server stopped) leaves the index and file caches as they were', async () => {
    const own = await S3Server.start();
    try {
      const prefix = 'failing';
      const sdk = s3Resource({ ...own.tier(prefix), writable: true });
      await using ws = await Workspace.open({ mounts: { '/w': sdk }, indexTtl: null });
      await ws.writeFile('/w/a.txt', 'kept\n');
      await ws.invalidate('/w');
      expect(await names(ws, '/w')).toEqual(['a.txt']);
      expect(await ws.readFile('/w/a.txt', { encoding: 'utf8' })).toBe('kept\n');
      await own.stop();
      const failures = [
        () => ws.writeFile('/w/a.txt', 'lost\n'), () => ws.writeFile('/w/b.txt', 'lost\n'), () => ws.mkdir('/w/d'),
        () => ws.rm('/w/a.txt'), () => ws.cp('/w/a.txt', '/w/c.txt'), () => ws.appendFile('/w/a.txt', 'lost\n'),
      ];
      for (const failure of failures) expect((await rejection(failure())).code).toBe('ERR_IO');
      // Served from the caches (any request would fail now), and unchanged.
      expect(await names(ws, '/w')).toEqual(['a.txt']);
      expect(await ws.readFile('/w/a.txt', { encoding: 'utf8' })).toBe('kept\n');
      expect(await ws.exists('/w/b.txt')).toBe(false);
    } finally {
      await own.stop();
    }
  }, 20_000);
});

describe('over a real folder', () => {
  test('a write that fails leaves the index and file caches as they were', async () => {
    const folder = freshFolder('failing');
    mkdirSync(join(folder, 'sub'));
    writeFileSync(join(folder, 'sub/a.txt'), 'kept\n');
    await using ws = await Workspace.open({ mounts: { '/w': localResource(folder, { writable: true }) } });
    expect(await names(ws, '/w/sub')).toEqual(['a.txt']);
    expect(await ws.readFile('/w/sub/a.txt', { encoding: 'utf8' })).toBe('kept\n');
    // Behind the workspace's back the folder becomes a file: the index still calls it a folder, the writes fail.
    rmSync(join(folder, 'sub'), { recursive: true });
    writeFileSync(join(folder, 'sub'), 'now a file');
    const calls = ws.stats().mounts['/w']!.calls;
    expect((await rejection(ws.writeFile('/w/sub/b.txt', 'lost'))).code).toBe('ERR_IO');
    expect((await rejection(ws.writeFile('/w/sub/a.txt', 'lost'))).code).toBe('ERR_IO');
    expect(ws.stats().mounts['/w']!.calls - calls).toBe(2); // the two writes, nothing else
    expect(await names(ws, '/w/sub')).toEqual(['a.txt']);
    expect(await ws.readFile('/w/sub/a.txt', { encoding: 'utf8' })).toBe('kept\n');
    expect(ws.stats().mounts['/w']!.calls - calls).toBe(2);
  });

  test('writes never leave the folder through a symbolic link', async () => {
    const folder = freshFolder('inside');
    const outside = freshFolder('outside');
    writeFileSync(join(outside, 'secret.txt'), 'secret\n');
    symlinkSync(outside, join(folder, 'out'));
    symlinkSync(join(outside, 'secret.txt'), join(folder, 'secret-link'));
    symlinkSync(join(outside, 'missing.txt'), join(folder, 'dangling'));
    await using ws = await Workspace.open({ mounts: { '/w': localResource(folder, { writable: true }) } });
    const attempts = [
      () => ws.writeFile('/w/out/new.txt', 'x'), () => ws.writeFile('/w/out/secret.txt', 'x'),
      () => ws.writeFile('/w/secret-link', 'x'), () => ws.mkdir('/w/out/d'), () => ws.rm('/w/out/secret.txt'),
      () => ws.cp('/w/secret-link', '/w/out/copy.txt'), () => ws.touch('/w/out/new.txt'),
    ];
    for (const attempt of attempts) expect((await rejection(attempt())).message).toContain('outside');
    expect((await rejection(ws.writeFile('/w/dangling', 'x'))).message).toContain('outside');
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('secret\n');
    expect(existsSync(join(outside, 'missing.txt'))).toBe(false);
    expect(existsSync(join(outside, 'new.txt'))).toBe(false);
    await ws.rm('/w/secret-link'); // the link itself may go
    expect(existsSync(join(outside, 'secret.txt'))).toBe(true);
  });

  test('mounts are read-only by default, except memory', async () => {
    const folder = freshFolder('default');
    await using ws = await Workspace.open({
      mounts: { '/local': localResource(folder), '/s3': s3Resource(server().tier('defaults')), '/mem': memoryResource({}) },
    });
    expect((await rejection(ws.writeFile('/local/x', 'x'))).code).toBe('ERR_READ_ONLY');
    expect((await rejection(ws.writeFile('/s3/x', 'x'))).code).toBe('ERR_READ_ONLY');
    await ws.writeFile('/mem/x', 'x');
    expect(await ws.readFile('/mem/x', { encoding: 'utf8' })).toBe('x');
  });
});
