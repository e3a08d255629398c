// Compressed snapshots in the Node build: gzip written by us and read by GNU tar, gzip/bzip2/xz written by GNU
// tar and loaded (bzip2 and xz refused by name), the format told from the bytes only, damaged gzip refused with
// nothing of it left in a persistent tier, and decompression bombs bounded as plain tar entries are.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';

import { disk, localResource, memoryResource, StrataError, Workspace } from '../../dist/node.js';
import { webGzip } from '../../dist/workspace/gzip-web.js';
import { encodeHeader } from '../../dist/workspace/tar-header.js';
import { tarToBytes } from '../../dist/workspace/tar.js';

const GZIP_MAGIC = [0x1f, 0x8b];
const FILES: Record<string, Buffer> = {
  'notes.txt': Buffer.from('plain notes\n'),
  'sub/data.bin': Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251)),
  'sub/with space.txt': Buffer.from('spaced\n'),
};

let root: string;
let out: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'strata-gz-src-'));
  for (const [path, bytes] of Object.entries(FILES)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), bytes);
  }
});
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'strata-gz-out-'));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mounts = () => ({ '/d': localResource(root) });

async function rejection(promise: Promise<unknown>): Promise<StrataError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StrataError);
    return error as StrataError;
  }
  throw new Error('resolved');
}

/** Reads every file through a workspace, then writes its snapshot with `write`. */
async function snapshotAll<T>(write: (ws: Workspace) => Promise<T>): Promise<T> {
  await using ws = await Workspace.open({ mounts: mounts() });
  for (const path of Object.keys(FILES)) await ws.readFile(`/d/${path}`);
  return await write(ws);
}

/** Loads `source` and checks that every file reads back, from the snapshot alone. */
async function expectReplay(source: string | Uint8Array): Promise<void> {
  await using replay = await Workspace.load(source, { mounts: mounts() });
  expect(replay.loaded).toMatchObject({ files: 3, missing: [] });
  for (const [path, bytes] of Object.entries(FILES)) expect(Buffer.from(await replay.readFile(`/d/${path}`)).equals(bytes)).toBe(true);
  expect(replay.stats().mounts['/d']!.calls).toBe(0);
}

describe('gzip written here, read by GNU tar', () => {
  test.each(['run.tar.gz', 'run.tgz', 'RUN.TGZ'])('a file named %s is gzip: tar tzf lists it, extracts the same bytes', async (name) => {
    const path = join(out, name);
    await snapshotAll((ws) => ws.snapshot(path));
    expect([...readFileSync(path).subarray(0, 2)]).toEqual(GZIP_MAGIC);
    const listed = execFileSync('tar', ['tzf', path], { encoding: 'utf8' }).trim().split('\n');
    expect(listed).toEqual(['manifest.json', ...Object.keys(FILES).map((file) => `files/d/${file}`)]);
    execFileSync('tar', ['xzf', path, '-C', out]);
    for (const [file, bytes] of Object.entries(FILES)) expect(readFileSync(join(out, 'files/d', file)).equals(bytes)).toBe(true);
    await expectReplay(path);
  });

  test('the option overrides the name either way; bytes are gzip only when asked', async () => {
    await snapshotAll((ws) => ws.snapshot(join(out, 'plain.tgz'), { compression: 'none' }));
    await snapshotAll((ws) => ws.snapshot(join(out, 'packed.tar'), { compression: 'gzip' }));
    execFileSync('tar', ['tf', join(out, 'plain.tgz')]);
    expect(execFileSync('gzip', ['-t', join(out, 'packed.tar')]).length).toBe(0);
    const { archive } = await snapshotAll((ws) => ws.snapshot(undefined, { compression: 'gzip' }));
    expect([...archive.subarray(0, 2)]).toEqual(GZIP_MAGIC);
    const plain = (await snapshotAll((ws) => ws.snapshot())).archive;
    expect(plain[0]).not.toBe(GZIP_MAGIC[0]);
    // Told from the bytes, never the name: each loads.
    await expectReplay(join(out, 'plain.tgz'));
    await expectReplay(join(out, 'packed.tar'));
    await expectReplay(archive);
  });

  test('a gzip snapshot to a sink: chunks arrive as they are compressed and make one gzip stream', async () => {
    const chunks: Buffer[] = [];
    await snapshotAll((ws) => ws.snapshot((chunk) => void chunks.push(Buffer.from(chunk)), { compression: 'gzip' }));
    writeFileSync(join(out, 'sunk.tar.gz'), Buffer.concat(chunks));
    expect(execFileSync('tar', ['tzf', join(out, 'sunk.tar.gz')], { encoding: 'utf8' })).toContain('files/d/sub/data.bin');
  });

  test('a sink failing at any call rejects the gzip snapshot with its error; a file in no folder is ERR_IO', async () => {
    let total = 0;
    await snapshotAll((ws) => ws.snapshot(() => void (total += 1), { compression: 'gzip' }));
    expect(total).toBeGreaterThan(1);
    for (let failAt = 1; failAt <= total; failAt++) {
      let calls = 0;
      const failing = (): void => {
        calls += 1;
        if (calls === failAt) throw new Error(`sink failed at call ${failAt}`);
      };
      const error = await snapshotAll((ws) => ws.snapshot(failing, { compression: 'gzip' })).catch((e: unknown) => e);
      expect((error as Error).message).toBe(`sink failed at call ${failAt}`);
    }
    await expect(snapshotAll((ws) => ws.snapshot(join(out, 'missing-folder', 'run.tar.gz')))).rejects.toMatchObject({ code: 'ERR_IO' });
    expect(execFileSync('ls', [out], { encoding: 'utf8' })).toBe('');
  });

  test('a bad compression option or a name of a format not written is refused before anything is written', async () => {
    await snapshotAll(async (ws) => {
      expect((await rejection(ws.snapshot(undefined, { compression: 'zip' as never }))).code).toBe('ERR_INVALID_ARG');
      for (const name of ['a.tar.bz2', 'a.tar.xz', 'a.txz', 'a.tar.zst']) {
        const error = await rejection(ws.snapshot(join(out, name)));
        expect(error.code).toBe('ERR_UNSUPPORTED');
      }
      await ws.snapshot(join(out, 'a.tar.xz'), { compression: 'none' }); // said outright: a plain tar
    });
    expect(execFileSync('ls', [out], { encoding: 'utf8' }).trim()).toBe('a.tar.xz');
  });
});

describe('archives written by GNU tar', () => {
  /** The snapshot's layout on disk, as `tar x` of one of ours leaves it. */
  async function layout(): Promise<string> {
    const dir = join(out, 'layout');
    mkdirSync(dir);
    writeFileSync(join(out, 'plain.tar'), (await snapshotAll((ws) => ws.snapshot())).archive);
    execFileSync('tar', ['xf', join(out, 'plain.tar'), '-C', dir]);
    return dir;
  }

  test('tar czf loads, as a file and as bytes', async () => {
    const dir = await layout();
    execFileSync('tar', ['czf', join(out, 'gnu.tar.gz'), '-C', dir, 'manifest.json', 'files']);
    await expectReplay(join(out, 'gnu.tar.gz'));
    await expectReplay(readFileSync(join(out, 'gnu.tar.gz')));
  });

  test.each([['cjf', 'bzip2'], ['cJf', 'xz']])('tar %s is refused with ERR_UNSUPPORTED naming %s', async (flags, format) => {
    const dir = await layout();
    const path = join(out, `gnu.${format}`);
    execFileSync('tar', [flags, path, '-C', dir, 'manifest.json', 'files']);
    const error = await rejection(Workspace.load(path, { mounts: mounts() }));
    expect(error.code).toBe('ERR_UNSUPPORTED');
    expect(error.message).toContain(`${format} archives cannot be read`);
    // A stream refused for its format is let go, not left open.
    let released = false;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      try {
        yield readFileSync(path);
        yield new Uint8Array(1);
      } finally {
        released = true;
      }
    }
    expect((await rejection(Workspace.load(chunks(), { mounts: mounts() }))).code).toBe('ERR_UNSUPPORTED');
    expect(released).toBe(true);
  });
});

describe('damaged gzip', () => {
  let archive: Buffer;
  beforeAll(async () => {
    archive = Buffer.from((await snapshotAll((ws) => ws.snapshot(undefined, { compression: 'gzip' }))).archive);
  });

  test('cut anywhere, it is ERR_CORRUPT', async () => {
    for (let i = 1; i <= 12; i++) {
      const cut = Math.floor((archive.length * i) / 13);
      const error = await rejection(Workspace.load(archive.subarray(0, cut), { mounts: mounts() }));
      expect(error.code).toBe('ERR_CORRUPT');
    }
    expect((await rejection(Workspace.load(archive.subarray(0, archive.length - 1), { mounts: mounts() }))).message)
      .toMatch(/gzip stream is damaged or truncated/);
  });

  test('a wrong checksum in the trailer is ERR_CORRUPT, and nothing it restored stays in a disk tier', async () => {
    const tierPath = join(out, 'tier');
    {
      // A file of an earlier session, in the persistent tier.
      await using ws = await Workspace.open({ mounts: { '/m': memoryResource({ 'kept.txt': 'kept' }) }, tiers: [disk({ path: tierPath })] });
      await ws.readFile('/m/kept.txt');
    }
    const damaged = Buffer.from(archive);
    damaged[damaged.length - 8]! ^= 0xff; // the CRC-32 of the uncompressed tar: every entry reads, the end fails
    const error = await rejection(Workspace.load(damaged, { mounts: mounts(), tiers: [disk({ path: tierPath })] }));
    expect(error.code).toBe('ERR_CORRUPT');
    const memory = memoryResource({ 'kept.txt': 'kept' });
    await using after = await Workspace.open({ mounts: { '/m': memory, ...mounts() }, tiers: [disk({ path: tierPath })] });
    expect(await after.readFile('/m/kept.txt', { encoding: 'utf8' })).toBe('kept');
    expect(after.stats().mounts['/m']!.reads).toBe(0);
    for (const path of Object.keys(FILES)) await after.readFile(`/d/${path}`);
    expect(after.stats().mounts['/d']!.reads).toBe(3);
  });

  test('a damaged deflate block is ERR_CORRUPT', async () => {
    const damaged = Buffer.from(archive);
    for (let i = 40; i < 60; i++) damaged[i] = 0xff;
    expect((await rejection(Workspace.load(damaged, { mounts: mounts() }))).code).toBe('ERR_CORRUPT');
  });

  test('a file that cannot be read is ERR_NOT_FOUND, not taken for damage', async () => {
    expect((await rejection(Workspace.load(join(out, 'absent.tar.gz'), { mounts: mounts() }))).code).toBe('ERR_NOT_FOUND');
  });
});

describe('decompression bombs are bounded as plain tar entries are', () => {
  const HUGE = 128 * 1024 * 1024;
  const ZEROS = new Uint8Array(1024 * 1024);
  const text = (value: string): Uint8Array => new TextEncoder().encode(value);

  interface Counter {
    /** Uncompressed MiB pulled from the generator. */
    pulledMiB: number;
    /** Peak growth of ArrayBuffer memory while reading. */
    peak: number;
  }

  /** A plain snapshot listing `listed` whose last entry is `files/d/huge.bin`, HUGE zero bytes, then `after` zeros. */
  async function* bombTar(listed: unknown[], after: number, counter: Counter): AsyncGenerator<Uint8Array> {
    const head = await tarToBytes(async (writer) => {
      await writer.addFile('manifest.json', text(JSON.stringify({ format: 'stratacache-workspace-snapshot', version: 1, created: '', files: listed })));
    });
    yield head.subarray(0, head.length - 1024);
    yield encodeHeader({ name: 'files/d/huge.bin', prefix: '', typeflag: '0', mode: 0o644, size: HUGE, mtimeSeconds: 0 });
    const base = process.memoryUsage().arrayBuffers;
    for (let sent = 0; sent < HUGE + 1024 + after; sent += ZEROS.length) {
      counter.pulledMiB += 1;
      counter.peak = Math.max(counter.peak, process.memoryUsage().arrayBuffers - base);
      yield ZEROS;
    }
  }

  /** The bomb gzip-compressed as it is read: about 1 KB per MB. */
  function bomb(listed: unknown[], after: number, counter: Counter): AsyncIterable<Uint8Array> {
    return Readable.from(bombTar(listed, after, counter)).pipe(createGzip({ level: 1 }));
  }

  const listed = [{ path: '/d/huge.bin', version: { size: HUGE } }];

  test('an unlisted entry inflating to 128 MB is refused from its header', async () => {
    const counter = { pulledMiB: 0, peak: 0 };
    const error = await rejection(Workspace.load(bomb([], 0, counter), { mounts: mounts() }));
    expect(error.code).toBe('ERR_CORRUPT');
    expect(error.message).toContain("'files/d/huge.bin' is not in the manifest");
    expect(counter.pulledMiB).toBeLessThan(64);
  });

  test('a listed 128 MB entry larger than the cache is skipped as it inflates, in bounded memory', async () => {
    const counter = { pulledMiB: 0, peak: 0 };
    await using ws = await Workspace.load(bomb(listed, 0, counter), { mounts: mounts(), cacheLimit: '16MB' });
    expect(ws.loaded).toMatchObject({ files: 0, skipped: 1 });
    expect(counter.pulledMiB).toBe(HUGE / ZEROS.length + 1); // the last holds the end-of-archive blocks
    expect(counter.peak).toBeLessThan(32 * 1024 * 1024);
  }, 20_000);

  test("the browser build's codec (web streams, here Node's) skips it in bounded memory too", async () => {
    class WebStreamsWorkspace extends Workspace {
      static override gzipCodec = webGzip;
    }
    const counter = { pulledMiB: 0, peak: 0 };
    await using ws = await WebStreamsWorkspace.load(bomb(listed, 0, counter), { mounts: mounts(), cacheLimit: '16MB' });
    expect(ws.loaded).toMatchObject({ files: 0, skipped: 1 });
    expect(counter.peak).toBeLessThan(32 * 1024 * 1024);
  }, 20_000);

  test('zeros going on after the end of the archive are read 16 MiB past it at most', async () => {
    const counter = { pulledMiB: 0, peak: 0 };
    await using ws = await Workspace.load(bomb(listed, 1024 * 1024 * 1024, counter), { mounts: mounts(), cacheLimit: '16MB' });
    expect(ws.loaded).toMatchObject({ skipped: 1 });
    // What gzip and the streams read ahead comes on top of the 16 MiB.
    expect(counter.pulledMiB).toBeLessThan(HUGE / ZEROS.length + 16 + 48);
  }, 20_000);
});

test('the format is told from bytes split anywhere: a gzip snapshot in 1-byte chunks loads', async () => {
  const { archive } = await snapshotAll((ws) => ws.snapshot(undefined, { compression: 'gzip' }));
  await expectReplay(archive);
  await using replay = await Workspace.load(
    (async function* () {
      for (const byte of archive) yield new Uint8Array([byte]);
    })(),
    { mounts: mounts() },
  );
  expect(replay.loaded).toMatchObject({ files: 3 });
});

test('input that is not bytes is ERR_INVALID_ARG, as for a plain tar', async () => {
  expect((await rejection(Workspace.load(['not bytes'] as never, { mounts: mounts() }))).code).toBe('ERR_INVALID_ARG');
  expect((await rejection(Workspace.load(42 as never, { mounts: mounts() }))).code).toBe('ERR_INVALID_ARG');
});

test('gzipSync of a plain snapshot loads: one member, any compression level', async () => {
  const plain = (await snapshotAll((ws) => ws.snapshot())).archive;
  await expectReplay(gzipSync(plain, { level: 9 }));
});
