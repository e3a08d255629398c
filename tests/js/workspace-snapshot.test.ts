// Loading hostile and oversized snapshots: bad manifests are refused naming the path, entries are judged from
// their headers (an unlisted or too-large body is never held in memory), and files larger than the loading
// workspace caches are skipped rather than failing the load.
import { memoryResource, StrataError, Workspace } from '../../dist/node.js';
import { encodeHeader } from '../../dist/workspace/tar-header.js';
import { tarToBytes } from '../../dist/workspace/tar.js';

const FORMAT = { format: 'stratacache-workspace-snapshot', version: 1, created: '' };
const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const mounts = () => ({ '/d': memoryResource({ 'a.txt': 'alpha', 'big.bin': 'x'.repeat(100_000), 'sub/b.txt': 'beta' }) });

/** A snapshot whose manifest lists `files` and whose archive holds `entries` (tar path → bytes). */
function snapshot(files: unknown[], entries: Array<[string, string]> = [], directories: string[] = []): Promise<Uint8Array> {
  return tarToBytes(async (writer) => {
    await writer.addFile('manifest.json', text(JSON.stringify({ ...FORMAT, files })));
    for (const directory of directories) await writer.addDirectory(directory);
    for (const [path, content] of entries) await writer.addFile(path, text(content));
  });
}

async function loadError(archive: Uint8Array | AsyncIterable<Uint8Array>): Promise<StrataError> {
  try {
    await (await Workspace.load(archive, { mounts: mounts() })).close();
  } catch (error) {
    return error as StrataError;
  }
  throw new Error('load resolved');
}

const file = (path: string, size = 1): unknown => ({ path, version: { size } });

describe('hostile manifests and entries are refused with ERR_CORRUPT naming the path', () => {
  test.each<[string, unknown[], Array<[string, string]>, string[], string]>([
    ['a path listed twice', [file('/d/a.txt'), file('/d/a.txt')], [], [], "'/d/a.txt' twice"],
    ['a file with a file below it', [file('/d/sub'), file('/d/sub/b.txt')], [], [], "'/d/sub' as a file and '/d/sub/b.txt' below it"],
    ['a file below a file listed after it', [file('/d/sub/b.txt'), file('/d/sub')], [], [], "'/d/sub' as a file"],
    ['a file three levels below another', [file('/d'), file('/d/x/y/z')], [], [], "'/d' as a file"],
    ['a listed file the archive holds as a folder', [file('/d/sub', 0)], [], ['files/d/sub'], "directory entry 'files/d/sub'"],
    ['a path with ..', [file('/d/../etc/passwd')], [], [], '"/d/../etc/passwd"'],
    ['a relative path', [file('d/a.txt')], [], [], '"d/a.txt"'],
    ['a path with .', [file('/d/./a.txt')], [], [], '"/d/./a.txt"'],
    ['a path with //', [file('/d//a.txt')], [], [], '"/d//a.txt"'],
    ['a trailing slash', [file('/d/a.txt/')], [], [], '"/d/a.txt/"'],
    ['a NUL', [file('/d/a\0.txt')], [], [], '"/d/a\\u0000.txt"'],
    ['the root', [file('/')], [], [], '"/"'],
    ['no path', [{ version: { size: 1 } }], [], [], 'undefined'],
    ['a size past 2^53', [file('/d/a.txt', 2 ** 60)], [], [], "'/d/a.txt' a size"],
    ['a negative size', [file('/d/a.txt', -1)], [], [], "'/d/a.txt' a size"],
    ['a fractional size', [file('/d/a.txt', 1.5)], [], [], "'/d/a.txt' a size"],
    ['a size as a string', [{ path: '/d/a.txt', version: { size: '5' } }], [], [], "'/d/a.txt' a size"],
    ['an ETag that is not a string', [{ path: '/d/a.txt', version: { size: 5, etag: 7 } }], [], [], "'/d/a.txt' an ETag"],
    ['an entry larger than listed', [file('/d/a.txt', 2)], [['files/d/a.txt', 'alpha']], [], "'files/d/a.txt' holds 5 bytes, the manifest says 2"],
    ['an entry smaller than listed', [file('/d/a.txt', 1e9)], [['files/d/a.txt', 'alpha']], [], "'files/d/a.txt' holds 5 bytes"],
    ['an entry twice', [file('/d/a.txt', 5)], [['files/d/a.txt', 'alpha'], ['files/d/a.txt', 'alpha']], [], "'files/d/a.txt' is in the archive twice"],
    ['an entry not listed', [], [['files/d/a.txt', 'alpha']], [], "'files/d/a.txt' is not in the manifest"],
    ['an entry outside files/', [], [['other/x', 'alpha']], [], "unexpected file entry 'other/x'"],
  ])('%s', async (_, files, entries, directories, named) => {
    const error = await loadError(await snapshot(files, entries, directories));
    expect(error).toBeInstanceOf(StrataError);
    expect(error.code).toBe('ERR_CORRUPT');
    expect(error.message).toContain(named);
  });

  test('a manifest header claiming more than 256 MB is refused before its bytes are read', async () => {
    const header = encodeHeader({ name: 'manifest.json', prefix: '', typeflag: '0', mode: 0o644, size: 2 ** 33, mtimeSeconds: 0 });
    const error = await loadError((async function* () { yield header; })());
    expect(error.code).toBe('ERR_CORRUPT');
    expect(error.message).toMatch(/manifest\.json holds 8589934592 bytes/);
  });
});

describe('entries are judged from their headers', () => {
  const HUGE = 200 * 1024 * 1024;
  const CHUNK = new Uint8Array(1024 * 1024);

  /** A snapshot listing `listed`, with one 200 MB entry at files/d/huge.bin generated as it is read. */
  async function* hugeSnapshot(listed: unknown[], counter: { bodyChunks: number; peakArrayBuffers: number }): AsyncGenerator<Uint8Array> {
    const head = await snapshot(listed, [['files/d/a.txt', 'alpha']]);
    yield head.subarray(0, head.length - 1024); // without the end-of-archive blocks
    yield encodeHeader({ name: 'files/d/huge.bin', prefix: '', typeflag: '0', mode: 0o644, size: HUGE, mtimeSeconds: 0 });
    const base = process.memoryUsage().arrayBuffers;
    for (let sent = 0; sent < HUGE; sent += CHUNK.length) {
      counter.bodyChunks += 1;
      counter.peakArrayBuffers = Math.max(counter.peakArrayBuffers, process.memoryUsage().arrayBuffers - base);
      yield CHUNK; // the same buffer every time: only a reader that keeps or copies the body grows memory
    }
    yield new Uint8Array(1024);
    counter.peakArrayBuffers = Math.max(counter.peakArrayBuffers, process.memoryUsage().arrayBuffers - base);
  }

  test('an unlisted 200 MB entry is refused from its header: not one chunk of its body is pulled', async () => {
    const counter = { bodyChunks: 0, peakArrayBuffers: 0 };
    const error = await loadError(hugeSnapshot([file('/d/a.txt', 5)], counter));
    expect(error.code).toBe('ERR_CORRUPT');
    expect(error.message).toContain("'files/d/huge.bin' is not in the manifest");
    expect(counter.bodyChunks).toBe(0);
  });

  test('a listed 200 MB file, larger than the workspace caches, is skipped without holding its body', async () => {
    const counter = { bodyChunks: 0, peakArrayBuffers: 0 };
    const listed = [file('/d/a.txt', 5), file('/d/huge.bin', HUGE)];
    await using ws = await Workspace.load(hugeSnapshot(listed, counter), { mounts: mounts(), cacheLimit: '64MB' });
    expect(counter.bodyChunks).toBe(HUGE / CHUNK.length);
    expect(counter.peakArrayBuffers).toBeLessThan(64 * 1024 * 1024);
    expect(ws.loaded).toMatchObject({ files: 1, skipped: 1, missing: [] });
    expect(await ws.readFile('/d/a.txt', { encoding: 'utf8' })).toBe('alpha');
    expect(ws.stats().mounts['/d']!.calls).toBe(0);
  });
});

describe('files larger than the loading workspace caches', () => {
  test('load instead of failing; they are read from their source, the others from the snapshot', async () => {
    let archive: Uint8Array;
    {
      await using ws = await Workspace.open({ mounts: mounts(), cacheLimit: '1MB' });
      await ws.readFile('/d/a.txt');
      await ws.readFile('/d/big.bin');
      archive = (await ws.snapshot()).archive;
    }
    // 64 KB caches files up to 16 KB: big.bin (100 KB) is larger than the whole cache.
    await using small = await Workspace.load(archive, { mounts: mounts(), cacheLimit: '64KB' });
    expect(small.loaded).toMatchObject({ files: 1, skipped: 1, totalFiles: 2, missing: [] });
    expect(await small.readFile('/d/a.txt', { encoding: 'utf8' })).toBe('alpha');
    expect(small.stats().mounts['/d']!.calls).toBe(0);
    expect(await small.readFile('/d/big.bin', { encoding: 'utf8' })).toBe('x'.repeat(100_000));
    expect(small.stats().mounts['/d']!.calls).toBeGreaterThan(0);
  });

  test('files under a mount point the loading workspace lacks are skipped, not an error', async () => {
    const archive = await snapshot([file('/d/a.txt', 5), file('/elsewhere/x', 1)], [['files/d/a.txt', 'alpha'], ['files/elsewhere/x', 'x']]);
    await using ws = await Workspace.load(archive, { mounts: mounts() });
    expect(ws.loaded).toMatchObject({ files: 1, skipped: 1 });
  });
});

test('a manifest listing as a file what its source has as a folder hides nothing below it', async () => {
  const archive = await snapshot([file('/d/sub', 1), file('/d/a.txt', 5)], [['files/d/sub', 'x'], ['files/d/a.txt', 'alpha']]);
  {
    await using ws = await Workspace.load(archive, { mounts: mounts() });
    expect(await ws.readFile('/d/a.txt', { encoding: 'utf8' })).toBe('alpha');
    expect(ws.stats().mounts['/d']!.calls).toBe(0);
    expect(await ws.readFile('/d/sub/b.txt', { encoding: 'utf8' })).toBe('beta');
    expect((await ws.ls('/d/sub')).map((entry) => entry.name)).toEqual(['b.txt']);
    expect((await ws.stat('/d/sub')).type).toBe('directory');
    expect((await ws.execute('find /d/sub')).stdout).toBe('/d/sub\n/d/sub/b.txt\n');
  }
  {
    await using ws = await Workspace.load(archive, { mounts: mounts() });
    expect((await ws.execute('ls /d/sub')).stdout).toBe('b.txt\n');
  }
});
