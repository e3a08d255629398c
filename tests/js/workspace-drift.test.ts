// Workspace.load's drift policy, over the memory resource, a real folder and s3rver: a snapshot is taken, one
// of its files changes at the source, and the snapshot is loaded under each policy. 'off' serves what the
// snapshot holds without a request; 'evict' checks each restored file at its first read and reads a changed
// one anew; 'strict' fails the read of a changed file with ERR_DRIFT. The checks cost one stat per file, or one
// listing for a folder holding several restored files, counted at the mount.
import { StrataError, Workspace } from '../../dist/node.js';
import type { Resource } from '../../dist/workspace/resource.js';
import { useS3Server } from './s3-server.js';
import { folderSource, memorySource, s3Sources, type Source, type SourceMaker } from './writable-sources.js';

const server = useS3Server();
const s3 = s3Sources(server);
afterAll(() => s3.close());

const TREE = {
  'logs/a.txt': 'alpha\n',
  'logs/b.txt': 'bravo\n',
  'logs/c.txt': 'charlie\n',
  'solo/d.txt': 'delta\n',
};

/** `resource` read-only, without close(): each workspace below mounts the same source, and closes its view. */
function view(resource: Resource): Resource {
  return {
    kind: resource.kind,
    list: (path, signal) => resource.list(path, signal),
    stat: (path, signal) => resource.stat(path, signal),
    read: (path, range, signal) => resource.read(path, range, signal),
  };
}

const SOURCES: Array<[string, SourceMaker]> = [
  ['the memory resource', memorySource],
  ['a real folder', folderSource],
  ['s3rver', (files, options) => s3.make(files, options)],
];

describe.each(SOURCES)('drift over %s', (_, makeSource) => {
  let source: Source;
  let archive: Uint8Array;
  beforeAll(async () => {
    source = await makeSource(TREE);
    await using ws = await Workspace.open({ mounts: { '/m': view(source.resource) } });
    for (const path of Object.keys(TREE)) await ws.readFile(`/m/${path}`);
    ({ archive } = await ws.snapshot());
    await source.change('logs/b.txt', 'bravo, changed at the source\n');
  });

  afterAll(() => source.resource.close?.());
  const load = (drift?: 'strict' | 'evict' | 'off') =>
    Workspace.load(archive, { mounts: { '/m': view(source.resource) }, ...(drift === undefined ? {} : { drift }) });
  const read = (ws: Workspace, path: string) => ws.readFile(`/m/${path}`, { encoding: 'utf8' });
  const calls = (ws: Workspace) => {
    const { lists, stats, reads } = ws.stats().mounts['/m']!;
    return { lists, stats, reads };
  };

  test("'off' (the default) serves the snapshot's bytes, changed or not, without a request", async () => {
    for (const ws of [await load(), await load('off')]) {
      expect(await read(ws, 'logs/a.txt')).toBe('alpha\n');
      expect(await read(ws, 'logs/b.txt')).toBe('bravo\n');
      expect(await read(ws, 'solo/d.txt')).toBe('delta\n');
      expect(calls(ws)).toEqual({ lists: 0, stats: 0, reads: 0 });
      await ws.close();
    }
  });

  test("'evict' reads the changed file anew: one listing for a folder of restored files, one stat for a lone one", async () => {
    await using ws = await load('evict');
    expect(await read(ws, 'logs/a.txt')).toBe('alpha\n');
    expect(calls(ws)).toEqual({ lists: 1, stats: 0, reads: 0 });
    expect(await read(ws, 'logs/b.txt')).toBe('bravo, changed at the source\n');
    expect(await read(ws, 'logs/c.txt')).toBe('charlie\n');
    expect(calls(ws)).toEqual({ lists: 1, stats: 0, reads: 1 }); // only the changed file is read
    expect(await read(ws, 'solo/d.txt')).toBe('delta\n');
    expect(calls(ws)).toEqual({ lists: 1, stats: 1, reads: 1 });
    // Checked once: later reads ask nothing.
    for (const path of Object.keys(TREE)) await read(ws, path);
    expect(calls(ws)).toEqual({ lists: 1, stats: 1, reads: 1 });
  });

  test("'strict' fails the read of the changed file with ERR_DRIFT naming it and both versions", async () => {
    await using ws = await load('strict');
    expect(await read(ws, 'logs/a.txt')).toBe('alpha\n');
    const error = await ws.readFile('/m/logs/b.txt').then(() => undefined, (caught: unknown) => caught as StrataError);
    expect(error).toBeInstanceOf(StrataError);
    expect(error!.code).toBe('ERR_DRIFT');
    expect(error!.message).toContain('/m/logs/b.txt');
    expect(error!.message).toMatch(/held size 6\b.*now size 29\b/);
    // Still refused on the next read (and streamed), until the path is invalidated.
    expect((await ws.readFile('/m/logs/b.txt').catch((caught: StrataError) => caught)) as StrataError).toMatchObject({ code: 'ERR_DRIFT' });
    await expect(ws.stream('/m/logs/b.txt').next()).rejects.toMatchObject({ code: 'ERR_DRIFT' });
    expect(await read(ws, 'logs/c.txt')).toBe('charlie\n');
    expect(await read(ws, 'solo/d.txt')).toBe('delta\n');
    expect(calls(ws)).toEqual({ lists: 1, stats: 1, reads: 0 });
    await ws.invalidate('/m/logs/b.txt');
    expect(await read(ws, 'logs/b.txt')).toBe('bravo, changed at the source\n');
  });

  test('an unknown policy is ERR_INVALID_ARG', async () => {
    await expect(Workspace.load(archive, { mounts: { '/m': view(source.resource) }, drift: 'sometimes' as 'off' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });
});
