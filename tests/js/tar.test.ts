// The workspace snapshot tar format against real GNU tar: what we write, GNU tar lists and extracts byte for
// byte; what GNU tar writes (ustar, pax, its default gnu format), we read; unsafe, damaged and truncated
// archives are refused with the right error; chunk boundaries fall anywhere.
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, linkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import {
  checkTarEntry,
  readTar,
  readTarHeads,
  type TarEntry,
  TarWriter,
  tarToBytes,
  unsafePathReason,
} from '../../dist/workspace/tar.js';

const LONG_PATH = `${'segment-'.repeat(8)}a/${'b'.repeat(70)}/file-over-100.txt`; // 163 chars: ustar prefix split
const VERY_LONG_PATH = Array.from({ length: 6 }, (_, i) => `${i}${'x'.repeat(60)}`).join('/') + '/over-255.bin'; // pax
const UTF8_PATH = 'données/日本語/ファイル-ü.txt';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'stratacache-tar-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let folderCount = 0;
const freshDir = (): string => {
  const dir = join(scratch, `d${folderCount++}`);
  mkdirSync(dir);
  return dir;
};

/** GNU tar with UTF-8 names printed as they are and dates in UTC. */
const gnuTar = (args: string[], cwd = scratch): string =>
  execFileSync('tar', ['--quoting-style=literal', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' },
    maxBuffer: 64 * 1024 * 1024,
  });

const random = (size: number, seed: number): Uint8Array => {
  const bytes = new Uint8Array(size);
  let state = seed;
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  return bytes;
};
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

async function collect(input: Parameters<typeof readTar>[0], options?: Parameters<typeof readTar>[1]): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  for await (const entry of readTar(input, options)) entries.push(entry);
  return entries;
}

/** Runs the reader and returns what it yielded before failing, and the failure. */
async function collectUntilError(input: Uint8Array): Promise<{ yielded: string[]; error: unknown }> {
  const yielded: string[] = [];
  try {
    for await (const entry of readTar(input)) yielded.push(entry.path);
  } catch (error) {
    return { yielded, error };
  }
  return { yielded, error: undefined };
}

async function expectCorrupt(input: Uint8Array, message: RegExp, yielded: string[]): Promise<void> {
  const result = await collectUntilError(input);
  expect(result.error).toMatchObject({ code: 'ERR_CORRUPT', message: expect.stringMatching(message) });
  expect(result.yielded).toEqual(yielded);
}

/** Edits a header block in place and gives it the checksum of its new contents. */
function editHeader(header: Uint8Array, edit: (header: Uint8Array) => void): void {
  edit(header);
  header.fill(0x20, 148, 156);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  header.set(text(`${checksum.toString(8).padStart(6, '0')}\0 `), 148);
}

function* chunked(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function* asyncChunked(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.slice(offset, offset + size);
    offset += size;
  }
}

/** The files of a directory tree, by relative path. */
function filesUnder(root: string, relative = ''): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const listing = execFileSync('find', ['.', '-type', 'f'], { cwd: join(root, relative), encoding: 'utf8' });
  for (const line of listing.split('\n').filter(Boolean)) {
    const path = line.slice(2);
    files.set(path, readFileSync(join(root, relative, path)));
  }
  return files;
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

describe('archives we write, read by GNU tar', () => {
  const files: Array<[string, Uint8Array]> = [
    ['notes/readme.txt', text('hello, tar\n')],
    [LONG_PATH, text('a path over 100 characters\n')],
    [VERY_LONG_PATH, random(1000, 1)],
    [UTF8_PATH, text('unicode name\n')],
    ['empty.txt', new Uint8Array(0)],
    ['exactly-one-block.bin', random(512, 2)],
    ['big/five-mib.bin', random(5 * 1024 * 1024, 3)],
  ];
  let archivePath: string;
  let chunkSizes: number[];
  let bytesWritten: number;

  beforeAll(async () => {
    archivePath = join(scratch, 'ours.tar');
    const handle = await open(archivePath, 'w');
    chunkSizes = [];
    const writer = new TarWriter(async (chunk) => {
      chunkSizes.push(chunk.length);
      await handle.write(chunk);
    });
    await writer.addDirectory('notes', { mtimeMs: 1_600_000_000_000, mode: 0o750 });
    for (const [path, bytes] of files) await writer.addFile(path, bytes, { mtimeMs: 1_700_000_000_000 });
    await writer.addFile('private.key', text('secret'), { mode: 0o600, mtimeMs: 1_700_000_000_000 });
    await writer.finish();
    bytesWritten = writer.bytesWritten;
    await handle.close();
  });

  test('tar -tvf lists every name, size, mode and time', () => {
    const listed = gnuTar(['-tvf', archivePath])
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [, mode, size, date, time, name] = /^(\S+) \S+\s+(\d+) (\S+) (\S+) (.*)$/.exec(line)!;
        return { mode, size: Number(size), when: `${date} ${time}`, name };
      });
    expect(listed).toEqual([
      { mode: 'drwxr-x---', size: 0, when: '2020-09-13 12:26', name: 'notes/' },
      ...files.map(([path, bytes]) => ({ mode: '-rw-r--r--', size: bytes.length, when: '2023-11-14 22:13', name: path })),
      { mode: '-rw-------', size: 6, when: '2023-11-14 22:13', name: 'private.key' },
    ]);
  });

  test('tar -xf extracts byte-identical files', () => {
    const out = freshDir();
    gnuTar(['-xf', archivePath, '-C', out]);
    const extracted = filesUnder(out);
    expect([...extracted.keys()].sort()).toEqual([...files.map(([path]) => path), 'private.key'].sort());
    for (const [path, bytes] of files) expect(sameBytes(extracted.get(path)!, bytes)).toBe(true);
    expect(statSync(join(out, 'big/five-mib.bin')).mtimeMs).toBe(1_700_000_000_000);
  });

  test('the sink gets the archive in pieces, and bytesWritten counts all of it', () => {
    expect(bytesWritten).toBe(statSync(archivePath).size);
    expect(bytesWritten % 512).toBe(0);
    // The 5 MiB file is the largest piece: nothing was gathered into one archive-sized buffer.
    expect(Math.max(...chunkSizes)).toBe(5 * 1024 * 1024);
    expect(chunkSizes.length).toBeGreaterThan(files.length * 2);
  });

  test('our reader reads it back, streamed from the file', async () => {
    const entries = await collect(createReadStream(archivePath, { highWaterMark: 4099 }));
    expect(entries.map((entry) => entry.path)).toEqual(['notes', ...files.map(([path]) => path), 'private.key']);
    expect(entries[0]).toMatchObject({ type: 'directory', size: 0, mode: 0o750, mtimeMs: 1_600_000_000_000 });
    files.forEach(([, bytes], i) => {
      expect(entries[i + 1]).toMatchObject({ type: 'file', size: bytes.length, mtimeMs: 1_700_000_000_000 });
      expect(sameBytes(entries[i + 1]!.bytes, bytes)).toBe(true);
    });
  });

  test('many files', async () => {
    const count = 1500;
    const archive = await tarToBytes(async (writer) => {
      for (let i = 0; i < count; i++) await writer.addFile(`many/${i % 10}/file-${i}.txt`, text(`file ${i}\n`));
    });
    const path = join(scratch, 'many.tar');
    writeFileSync(path, archive);
    const names = gnuTar(['-tf', path]).split('\n').filter(Boolean);
    expect(names).toHaveLength(count);
    expect(names[1234]).toBe('many/4/file-1234.txt');
    const out = freshDir();
    gnuTar(['-xf', path, '-C', out]);
    expect(readFileSync(join(out, 'many/9/file-999.txt'), 'utf8')).toBe('file 999\n');
    expect((await collect(archive)).length).toBe(count);
  });

  test('a time outside the octal field goes in a pax header that GNU tar honours', async () => {
    const farFuture = 9_000_000_000_123; // past 2242, beyond 11 octal digits of seconds
    const beforeEpoch = -86_400_000;
    const archive = await tarToBytes(async (writer) => {
      await writer.addFile('future.txt', text('f'), { mtimeMs: farFuture });
      await writer.addFile('past.txt', text('p'), { mtimeMs: beforeEpoch });
    });
    const path = join(scratch, 'times.tar');
    writeFileSync(path, archive);
    const listing = gnuTar(['--full-time', '-tvf', path]);
    expect(listing).toContain(`${new Date(farFuture).toISOString().slice(0, 19).replace('T', ' ')}`);
    expect(listing).toContain('1969-12-31 00:00:00');
    const entries = await collect(archive);
    expect(entries.map((entry) => entry.mtimeMs)).toEqual([farFuture, beforeEpoch]);
  });

  test('a streamed file: GNU tar extracts the chunks joined', async () => {
    const data = random(100_000, 10);
    const archive = await tarToBytes(async (writer) => {
      await writer.addFileStream('streamed.bin', data.length, asyncChunked(data, [1, 4096, 333, 70_000]));
      await writer.addFileStream('from-array.txt', 6, [text('abc'), text('def')]);
    });
    const path = join(scratch, 'streamed.tar');
    writeFileSync(path, archive);
    const out = freshDir();
    gnuTar(['-xf', path, '-C', out]);
    expect(sameBytes(readFileSync(join(out, 'streamed.bin')), data)).toBe(true);
    expect(readFileSync(join(out, 'from-array.txt'), 'utf8')).toBe('abcdef');
  });

  test.each([
    ['fewer', [text('abc')], /3 of the 5 bytes/],
    ['more', [text('abc'), text('def')], /more than the 5 bytes/],
  ])('a streamed file with %s bytes than declared breaks the archive', async (_, chunks, message) => {
    const writer = new TarWriter(() => undefined);
    await expect(writer.addFileStream('wrong.txt', 5, chunks)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG', message: expect.stringMatching(message) });
    await expect(writer.addFile('next.txt', text('x'))).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });

  test('a size over 8 GiB goes in a pax header that GNU tar honours', async () => {
    const size = 8 * 1024 ** 3 + 1; // one more than 11 octal digits hold
    const zeros = new Uint8Array(1024 * 1024);
    function* body(): Generator<Uint8Array> {
      for (let left = size; left > 0; left -= zeros.length) yield zeros.subarray(0, Math.min(left, zeros.length));
    }
    let headers: Uint8Array | undefined;
    const writer = new TarWriter((chunk) => {
      headers ??= chunk.slice();
    });
    await writer.addFileStream('huge.bin', size, body());
    // The pax header, its records and the ustar header; the data; its padding.
    expect(headers!.length).toBe(3 * 512);
    expect(writer.bytesWritten).toBe(3 * 512 + size + 511);
    // Only the headers are kept: GNU tar lists the entry, then finds the archive cut short.
    const path = join(scratch, 'huge-head.tar');
    writeFileSync(path, headers!);
    const listing = spawnSync('tar', ['-tvf', path], { encoding: 'utf8' });
    expect(listing.stdout).toMatch(new RegExp(` ${size} .* huge\\.bin`));
    await expectCorrupt(headers!, new RegExp(`0 of ${size} bytes`), []);
  });

  test('writes entries in call order when calls do not wait, and refuses adds after finish', async () => {
    const archive = await tarToBytes((writer) => {
      void writer.addFile('1.txt', text('one'));
      void writer.addDirectory('2');
      void writer.addFile('2/3.txt', text('three'));
    });
    expect((await collect(archive)).map((entry) => entry.path)).toEqual(['1.txt', '2', '2/3.txt']);

    const writer = new TarWriter(() => undefined);
    await writer.finish();
    await expect(writer.addFile('late.txt', text('x'))).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  test('a sink failure rejects that entry and every later call', async () => {
    let calls = 0;
    const writer = new TarWriter(() => {
      if (++calls === 4) throw new Error('disk full');
    });
    await writer.addFile('a.txt', text('a')); // header, data, padding: 3 calls
    await expect(writer.addFile('b.txt', text('b'))).rejects.toThrow('disk full');
    await expect(writer.addFile('c.txt', text('c'))).rejects.toThrow('disk full');
    expect(writer.bytesWritten).toBe(1024);
  });

  test.each([['../escape.txt'], ['/etc/passwd'], ['a/../../b'], ['C:/x'], ['a\\b'], [''], ['./']])(
    'the writer refuses the path %p',
    async (path) => {
      const writer = new TarWriter(() => undefined);
      await expect(writer.addFile(path, text('x'))).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
      // A refused call does not break the archive.
      await writer.addFile('fine.txt', text('x'));
      expect(writer.bytesWritten).toBe(1024);
    },
  );
});

describe('archives GNU tar writes, read by us', () => {
  let source: string;
  const tree: Array<[string, Uint8Array]> = [
    ['top.txt', text('top\n')],
    [LONG_PATH, text('long\n')],
    [UTF8_PATH, text('utf-8\n')],
    ['empty', new Uint8Array(0)],
    ['nested/deeper/random.bin', random(200_000, 4)],
  ];

  beforeAll(() => {
    source = freshDir();
    for (const [path, bytes] of tree) {
      mkdirSync(join(source, dirname(path)), { recursive: true });
      writeFileSync(join(source, path), bytes);
    }
  });

  /** Reads an archive of `source` and checks every file's bytes and every directory. */
  async function expectTree(entries: TarEntry[], expected: Array<[string, Uint8Array]>): Promise<void> {
    const files = entries.filter((entry) => entry.type === 'file');
    expect(files.map((entry) => entry.path).sort()).toEqual(expected.map(([path]) => path).sort());
    for (const [path, bytes] of expected) {
      const entry = files.find((candidate) => candidate.path === path)!;
      expect(entry.size).toBe(bytes.length);
      expect(sameBytes(entry.bytes, bytes)).toBe(true);
    }
    const directories = entries.filter((entry) => entry.type === 'directory').map((entry) => entry.path);
    expect(directories).toEqual(expect.arrayContaining(['nested', 'nested/deeper']));
    expect(directories).not.toContain('');
  }

  test.each([['ustar'], ['pax'], ['gnu']])('--format=%s', async (format) => {
    const path = join(scratch, `gnu-${format}.tar`);
    gnuTar([`--format=${format}`, '-cf', path, '-C', source, '.']);
    await expectTree(await collect(createReadStream(path)), tree);
  });

  test.each([['pax'], ['gnu']])('--format=%s with a path over 255 characters', async (format) => {
    const dir = freshDir();
    mkdirSync(join(dir, dirname(VERY_LONG_PATH)), { recursive: true });
    writeFileSync(join(dir, VERY_LONG_PATH), 'deep\n');
    const path = join(scratch, `gnu-long-${format}.tar`);
    gnuTar([`--format=${format}`, '-cf', path, '-C', dir, VERY_LONG_PATH]);
    if (format === 'gnu') expect(readFileSync(path).includes('././@LongLink')).toBe(true);
    const [entry] = await collect(readFileSync(path));
    expect(entry).toMatchObject({ path: VERY_LONG_PATH, type: 'file', size: 5 });
    expect(new TextDecoder().decode(entry!.bytes)).toBe('deep\n');
  });

  test('a global pax header applies to every later entry', async () => {
    const path = join(scratch, 'gnu-global.tar');
    gnuTar(['--format=pax', '--pax-option=delete=atime,delete=ctime,delete=mtime,mtime=1234567890', '-cf', path, '-C', source, 'top.txt', 'empty']);
    const entries = await collect(readFileSync(path));
    expect(entries.map((entry) => [entry.path, entry.mtimeMs])).toEqual([
      ['top.txt', 1_234_567_890_000],
      ['empty', 1_234_567_890_000],
    ]);
  });

  test('a size in base-256, as GNU tar writes sizes over 8 GiB', async () => {
    const archive = await tarToBytes((writer) => writer.addFile('five.txt', text('12345')));
    editHeader(archive.subarray(0, 512), (header) => {
      header.fill(0, 124, 136);
      header[124] = 0x80;
      header[135] = 5;
    });
    const path = join(scratch, 'base-256.tar');
    writeFileSync(path, archive);
    expect(gnuTar(['-tvf', path])).toMatch(/ 5 \S+ \S+ five\.txt/);
    const [entry] = await collect(archive);
    expect(entry).toMatchObject({ path: 'five.txt', size: 5 });
    expect(new TextDecoder().decode(entry!.bytes)).toBe('12345');
  });

  test('an old-style directory: a regular-file typeflag and a trailing slash', async () => {
    const archive = await tarToBytes((writer) => writer.addDirectory('old-dir'));
    editHeader(archive.subarray(0, 512), (header) => {
      header[156] = 0;
    });
    expect(await collect(archive)).toMatchObject([{ path: 'old-dir', type: 'directory', size: 0 }]);
  });

  test.each([['v7'], ['oldgnu']])('--format=%s', async (format) => {
    const path = join(scratch, `gnu-${format}.tar`);
    gnuTar([`--format=${format}`, '-cf', path, '-C', source, 'top.txt', 'nested']);
    await expectTree(await collect(readFileSync(path)), [tree[0]!, tree[4]!]);
  });

  test('pax mtime keeps sub-second precision', async () => {
    const path = join(scratch, 'gnu-pax-mtime.tar');
    gnuTar(['--format=pax', '-cf', path, '-C', source, 'top.txt']);
    const [entry] = await collect(readFileSync(path));
    expect(entry!.mtimeMs).toBe(Math.round(statSync(join(source, 'top.txt')).mtimeMs));
  });
});

describe('chunk boundaries anywhere', () => {
  let archive: Uint8Array;
  let whole: TarEntry[];

  beforeAll(async () => {
    archive = await tarToBytes(async (writer) => {
      await writer.addDirectory('d');
      await writer.addFile('d/small.txt', text('small'));
      await writer.addFile(VERY_LONG_PATH, random(3000, 5));
      await writer.addFile(UTF8_PATH, new Uint8Array(0));
      await writer.addFile('d/block.bin', random(1024, 6));
    });
    whole = await collect(archive);
  });

  test('the whole archive as one Uint8Array', () => {
    expect(whole.map((entry) => [entry.path, entry.size])).toEqual([
      ['d', 0],
      ['d/small.txt', 5],
      [VERY_LONG_PATH, 3000],
      [UTF8_PATH, 0],
      ['d/block.bin', 1024],
    ]);
  });

  test.each([[1], [7], [511], [513], [4097]])('chunks of %d bytes', async (size) => {
    const entries = await collect(chunked(archive, size));
    expect(entries.map((entry) => entry.path)).toEqual(whole.map((entry) => entry.path));
    entries.forEach((entry, i) => expect(sameBytes(entry.bytes, whole[i]!.bytes)).toBe(true));
  });

  test('odd-sized async chunks, empty ones included', async () => {
    const entries = await collect(asyncChunked(archive, [1, 0, 3, 1000, 2, 0, 511]));
    entries.forEach((entry, i) => expect(sameBytes(entry.bytes, whole[i]!.bytes)).toBe(true));
    expect(entries).toHaveLength(whole.length);
  });

  test('stopping early lets the input stream go', async () => {
    let released = false;
    async function* input(): AsyncGenerator<Uint8Array> {
      try {
        yield* chunked(archive, 100);
      } finally {
        released = true;
      }
    }
    for await (const entry of readTar(input())) if (entry.path === 'd/small.txt') break;
    expect(released).toBe(true);
  });
});

describe('unsafe entries', () => {
  /** A GNU tar archive: good.txt, then the crafted entry, then after.txt. */
  function craft(name: string, makeArgs: (dir: string) => string[]): Uint8Array {
    const dir = freshDir();
    writeFileSync(join(dir, 'good.txt'), 'good');
    writeFileSync(join(dir, 'after.txt'), 'after');
    writeFileSync(join(dir, 'x'), 'x');
    const path = join(scratch, `${name}.tar`);
    gnuTar(['-cf', path, '-C', dir, 'good.txt']);
    gnuTar(['-rf', path, ...makeArgs(dir)]);
    gnuTar(['-rf', path, '-C', dir, 'after.txt']);
    return readFileSync(path);
  }

  test.each([
    ['dot-dot', '../x', (dir: string) => ['-P', '--transform', 's,^x$,../x,', '-C', dir, 'x']],
    ['absolute', '/etc/x', (dir: string) => ['-P', '--transform', 's,^.*/x$,/etc/x,', join(dir, 'x')]],
    ['inner dot-dot', 'a/../../x', (dir: string) => ['-P', '--transform', 's,^x$,a/../../x,', '-C', dir, 'x']],
  ])('%s path', async (kind, entryName, makeArgs) => {
    const archive = craft(`unsafe-${kind.replace(' ', '-')}`, makeArgs);
    expect(gnuTar(['-tPf', join(scratch, `unsafe-${kind.replace(' ', '-')}.tar`)]).split('\n')).toContain(entryName);
    const { yielded, error } = await collectUntilError(archive);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARG', message: expect.stringContaining(JSON.stringify(entryName)) });
    expect(yielded).toEqual(['good.txt']);
  });

  test('a symlink', async () => {
    const archive = craft('unsafe-symlink', (dir) => {
      symlinkSync('/etc/passwd', join(dir, 'link'));
      return ['-C', dir, 'link'];
    });
    const { yielded, error } = await collectUntilError(archive);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARG', message: expect.stringMatching(/"link" is a symlink/) });
    expect(yielded).toEqual(['good.txt']);
    const all = await collect(archive, { allowUnsafe: true });
    expect(all[1]).toMatchObject({ path: 'link', type: 'symlink', linkPath: '/etc/passwd', size: 0 });
    expect(all.map((entry) => entry.path)).toEqual(['good.txt', 'link', 'after.txt']);
  });

  test('a hard link', async () => {
    const archive = craft('unsafe-hardlink', (dir) => {
      linkSync(join(dir, 'x'), join(dir, 'y'));
      return ['-C', dir, 'x', 'y'];
    });
    const { yielded, error } = await collectUntilError(archive);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARG', message: expect.stringMatching(/"y" is a hardlink/) });
    expect(yielded).toEqual(['good.txt', 'x']);
  });

  test.each([
    ['../x', /'\.\.'/],
    ['a/b/../../../x', /'\.\.'/],
    ['/x', /absolute/],
    ['C:/x', /drive letter/],
    ['c:x', /drive letter/],
    ['a\\..\\x', /backslash/],
    ['a\0b', /NUL/],
    ['', /empty/],
  ])('checkTarEntry refuses %p', (path, reason) => {
    expect(unsafePathReason(path)).toMatch(reason);
    expect(() => checkTarEntry({ path, type: 'file' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
  });

  test.each([['a/b.txt'], ['..hidden'], ['a/..b/c'], ['dir']])('checkTarEntry allows %p', (path) => {
    expect(unsafePathReason(path)).toBeUndefined();
    expect(() => checkTarEntry({ path, type: 'directory' })).not.toThrow();
  });

  test.each([['symlink'], ['hardlink'], ['character-device'], ['block-device'], ['fifo'], ['other']] as const)(
    'checkTarEntry refuses a %s',
    (type) => {
      expect(() => checkTarEntry({ path: 'ok', type })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    },
  );
});

describe('damaged archives', () => {
  let archive: Uint8Array;
  // Entry 1: header at 0, 10,000 bytes of data from 512 (padded to 10,240); entry 2: header at 10,752.
  const secondHeader = 512 + 10_240;

  beforeAll(async () => {
    archive = await tarToBytes(async (writer) => {
      await writer.addFile('first.bin', random(10_000, 7));
      await writer.addFile('second.txt', text('second'));
    });
  });

  test('the layout the cuts below assume', async () => {
    expect(archive.length).toBe(secondHeader + 512 + 512 + 1024);
    expect(new TextDecoder().decode(archive.subarray(secondHeader, secondHeader + 10))).toBe('second.txt');
  });

  test('cut inside a file', async () => {
    await expectCorrupt(archive.subarray(0, 5000), /truncated.*data of entry #1 "first\.bin".*4488 of 10000/, []);
    // GNU tar agrees that it is damaged.
    const path = join(scratch, 'cut-in-file.tar');
    writeFileSync(path, archive.subarray(0, 5000));
    expect(() => gnuTar(['-tf', path])).toThrow();
  });

  test('cut inside a header', async () => {
    await expectCorrupt(archive.subarray(0, secondHeader + 100), new RegExp(`inside the header at byte ${secondHeader}`), ['first.bin']);
  });

  test('cut in the padding after a file', async () => {
    await expectCorrupt(archive.subarray(0, 512 + 10_100), /padding after entry #1/, []);
  });

  test('cut at a block boundary, before the end-of-archive blocks', async () => {
    await expectCorrupt(archive.subarray(0, secondHeader + 1024), /truncated.*without the zero blocks/, ['first.bin', 'second.txt']);
  });

  test('a cut GNU tar archive', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'data.bin'), random(50_000, 8));
    const path = join(scratch, 'gnu-cut.tar');
    gnuTar(['-cf', path, '-C', dir, 'data.bin']);
    await expectCorrupt(readFileSync(path).subarray(0, 30_000), /data of entry #1 "data\.bin"/, []);
  });

  test('a flipped checksum byte', async () => {
    const damaged = archive.slice();
    damaged[secondHeader + 150] ^= 0x01; // inside the checksum field (bytes 148-155)
    await expectCorrupt(damaged, new RegExp(`header at byte ${secondHeader} \\(entry #2\\): checksum mismatch`), ['first.bin']);
    const path = join(scratch, 'bad-checksum.tar');
    writeFileSync(path, damaged);
    expect(() => gnuTar(['-tf', path])).toThrow();
  });

  test('a flipped byte in a header name', async () => {
    const damaged = archive.slice();
    damaged[3] ^= 0x20;
    await expectCorrupt(damaged, /header at byte 0 \(entry #1\): checksum mismatch/, []);
  });

  test('bytes that are not a tar', async () => {
    await expectCorrupt(random(2048, 9), /header at byte 0.*(checksum|octal)/, []);
  });

  test('an empty input', async () => {
    await expectCorrupt(new Uint8Array(0), /truncated/, []);
  });

  test('a pax header with no entry after it', async () => {
    const withPax = await tarToBytes((writer) => writer.addFile(VERY_LONG_PATH, text('x')));
    const paxOnly = new Uint8Array(512 * 2 + 1024);
    paxOnly.set(withPax.subarray(0, 1024));
    await expectCorrupt(paxOnly, /zero block at byte 1024 follows a pax or long-name header/, []);
  });

  test('a malformed pax record', async () => {
    const withPax = await tarToBytes((writer) => writer.addFile(VERY_LONG_PATH, text('x')));
    const damaged = withPax.slice();
    damaged[512] = 'z'.charCodeAt(0); // the record's length digits
    await expectCorrupt(damaged, /malformed pax record/, []);
  });
});

describe('input checks', () => {
  test('an input that is not bytes', async () => {
    await expect(collect('not a tar' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(collect([['a'] as never])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });

  test('an empty archive (just the end blocks) has no entries', async () => {
    expect(await collect(await tarToBytes(() => undefined))).toEqual([]);
    expect(await collect(new Uint8Array(512))).toEqual([]);
  });
});

describe('readTarHeads: entries before their data', () => {
  test('data not read is passed over unread; read() after moving on is refused', async () => {
    const archive = await tarToBytes(async (writer) => {
      await writer.addFile('a.txt', text('alpha'));
      await writer.addFile('b.bin', random(70_000, 3));
      await writer.addFile('c.txt', text('gamma'));
    });
    const seen: Array<[string, number, string]> = [];
    let late: (() => Promise<Uint8Array>) | undefined;
    for await (const entry of readTarHeads(asyncChunked(archive, [1, 511, 4096, 333]))) {
      if (entry.path === 'b.bin') late = entry.read; // never read: skipped
      else seen.push([entry.path, entry.size, new TextDecoder().decode(await entry.read())]);
    }
    expect(seen).toEqual([['a.txt', 5, 'alpha'], ['c.txt', 5, 'gamma']]);
    await expect(late!()).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });

  test('an unread entry cut short is still reported as truncated', async () => {
    const archive = await tarToBytes((writer) => writer.addFile('big.bin', random(10_000, 4)));
    const heads = async () => {
      for await (const entry of readTarHeads(archive.subarray(0, 4096))) void entry;
    };
    await expect(heads()).rejects.toMatchObject({ code: 'ERR_CORRUPT', message: expect.stringMatching(/truncated/) });
  });
});
