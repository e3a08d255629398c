// The `stratacache` command (dist/cli/main.js, the package's bin) run as a process over disk tiers' folders that
// a Cache filled: what each command prints, in text and --json, that reading commands change nothing, what verify
// and clean repair and remove, and the exit codes and messages of wrong command lines, missing and damaged folders.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Cache, disk, localResource, Workspace } from '../../dist/node.js';
import { freshFolder } from './disk-folders.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Run {
  const { status, stdout, stderr } = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 15_000 });
  return { status, stdout, stderr };
}

/** The JSON document a successful --json run printed. */
function json(...args: string[]): any {
  const run = cli(...args, '--json');
  expect(run).toMatchObject({ status: 0, stderr: '' });
  return JSON.parse(run.stdout);
}

/** Every file under `folder` with a hash of its bytes, to compare before and after. */
function snapshot(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path, createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return files;
}

const BIG = 200_000; // kept in a content file of its own rather than inline in the index

/** A disk tier's folder holding keys a0..a4 (a3: 200 KB), b0 with a TTL of an hour, and tenant's t0. */
async function filledFolder(): Promise<string> {
  const folder = freshFolder('cli');
  const cache = await Cache.open({ tiers: [disk({ path: folder })] });
  for (let i = 0; i < 5; i++) await cache.set(`a${i}`, i === 3 ? new Uint8Array(BIG).fill(7) : 'x'.repeat(i * 10));
  await cache.set('b0', 'bounded', { ttl: '1h' });
  await cache.set('gone', 'short', { ttl: 1 });
  await cache.namespace('tenant').set('t0', 'tenant value');
  await cache.close();
  return folder;
}

describe('reading a folder', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await filledFolder();
  });

  test('stats counts entries and bytes, per namespace, with the oldest and newest write', () => {
    const before = snapshot(folder);
    const startedBefore = Date.now();
    const report = json('stats', folder);
    expect(report).toMatchObject({
      folder,
      entries: 7,
      bytes: 0 + 10 + 20 + BIG + 40 + 7 + 12,
      namespaces: { '': { entries: 6, bytes: 0 + 10 + 20 + BIG + 40 + 7 }, tenant: { entries: 1, bytes: 12 } },
    });
    expect(Date.parse(report.oldest)).toBeLessThanOrEqual(Date.parse(report.newest));
    expect(Date.parse(report.newest)).toBeLessThanOrEqual(startedBefore);
    const text = cli('stats', folder);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^entries +7$/m);
    expect(text.stdout).toMatch(/^namespace +tenant +1 entries +12 B$/m);
    expect(snapshot(folder)).toEqual(before);
  });

  test('ls lists the live entries with sizes and expiries, filtered by namespace and prefix', () => {
    const before = snapshot(folder);
    const all = json('ls', folder) as Array<{ namespace: string; key: string; size: number; expiresAt: string | null }>;
    expect(all.map((e) => `${e.namespace}/${e.key}`).sort()).toEqual(
      ['/a0', '/a1', '/a2', '/a3', '/a4', '/b0', 'tenant/t0'],
    );
    const b0 = all.find((e) => e.key === 'b0')!;
    expect(b0.size).toBe(7);
    expect(Date.parse(b0.expiresAt!) - Date.now()).toBeGreaterThan(3_500_000);
    expect(all.find((e) => e.key === 'a3')).toMatchObject({ size: BIG, expiresAt: null });
    expect(json('ls', folder, '--namespace', 'tenant').map((e: { key: string }) => e.key)).toEqual(['t0']);
    expect(json('ls', folder, '--namespace', '').map((e: { key: string }) => e.key).sort())
      .toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0']);
    expect(json('ls', folder, '--prefix', 'a').map((e: { key: string }) => e.key).sort())
      .toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    const text = cli('ls', folder, '--prefix', 'b');
    expect(text.status).toBe(0);
    expect(text.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^ +SIZE +EXPIRES +NAMESPACE +KEY$/),
      expect.stringMatching(/^ +7 B +\d{4}-\d\d-\d\dT[\d:.]+Z +- +b0$/),
    ]);
    expect(snapshot(folder)).toEqual(before);
  });

  test('ls sees what a cache that has the folder open has committed', async () => {
    const cache = await Cache.open({ tiers: [disk({ path: folder })] });
    try {
      await cache.set('while-open', 'v');
      expect(json('ls', folder, '--prefix', 'while').map((e: { key: string }) => e.key)).toEqual(['while-open']);
    } finally {
      await cache.delete('while-open');
      await cache.close();
    }
  });

  test('verify shows what it is doing on a terminal, and clears the line before its report', () => {
    // `script` gives the command a terminal; the spinner goes to standard error, which it merges in.
    const run = spawnSync('script', ['-qec', `"${process.execPath}" "${CLI}" verify "${folder}"`, '/dev/null'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^\r[|/\\-] verifying .+ \(\d+ s\)/);
    expect(run.stdout).toContain('\r\x1b[K');
    expect(run.stdout.slice(run.stdout.lastIndexOf('\x1b[K'))).toMatch(/entries left, all readable/);
  });

  test('output cut short by its reader is no failure', () => {
    const pipeline = `"${process.execPath}" "${CLI}" ls "${folder}" | head -n 1`;
    const run = spawnSync('bash', ['-o', 'pipefail', '-c', pipeline], { encoding: 'utf8', timeout: 15_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/SIZE/);
  });
});

describe('changing a folder', () => {
  test('verify drops an entry whose content file was damaged and reports it', async () => {
    const folder = await filledFolder();
    const blobs = readdirSync(join(folder, 'blobs'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile());
    expect(blobs).toHaveLength(1); // a3's
    const file = join(blobs[0]!.parentPath, blobs[0]!.name);
    const bytes = readFileSync(file);
    bytes[1000] ^= 0xff;
    writeFileSync(file, bytes);
    // Entries left: the index's rows, 'gone' too until a sweep removes it.
    expect(json('verify', folder)).toEqual({ folder, entries: 7, removedEntries: 1, orphanFiles: 0, tempFiles: 0 });
    expect(json('ls', folder).map((e: { key: string }) => e.key)).not.toContain('a3');
    const again = cli('verify', folder);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('7 entries left, all readable');
    expect(again.stdout).toContain('removed 0 entries');
  });

  test('clean removes the oldest entries past --max-size, and those older than --max-age', async () => {
    const folder = await filledFolder();
    const { removed } = json('clean', folder, '--max-size', '1KB');
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(json('stats', folder).bytes).toBeLessThanOrEqual(1000);
    expect(json('ls', folder).map((e: { key: string }) => e.key)).not.toContain('a3');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const text = cli('clean', folder, '--max-age', '10ms');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/removed [1-9]\d* entries/);
    expect(json('stats', folder).entries).toBe(0);
  });
});

describe('snapshot', () => {
  let archive: string;
  beforeAll(async () => {
    const source = freshFolder('cli');
    mkdirSync(join(source, 'sub'));
    writeFileSync(join(source, 'a.txt'), 'hello');
    writeFileSync(join(source, 'sub', 'b.bin'), new Uint8Array(3000));
    const ws = await Workspace.open({ mounts: { '/data': localResource(source) } });
    await ws.readFile('/data/a.txt');
    await ws.readFile('/data/sub/b.bin');
    archive = join(freshFolder('cli'), 'run.tar');
    await ws.snapshot(archive);
    await ws.close();
  });

  test('lists the files a workspace snapshot holds, with sizes, versions and when it was made', () => {
    const report = json('snapshot', archive);
    expect(report).toMatchObject({ archive, files: 2, bytes: 3005, missing: [] });
    expect(Date.now() - Date.parse(report.created)).toBeLessThan(60_000);
    expect(report.entries).toEqual([
      { path: '/data/a.txt', size: 5, etag: expect.any(String), mtimeMs: expect.any(Number) },
      { path: '/data/sub/b.bin', size: 3000, etag: expect.any(String), mtimeMs: expect.any(Number) },
    ]);
    const text = cli('snapshot', archive);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^files +2 \(2\.9 KiB\)$/m);
    expect(text.stdout).toMatch(/^ +5 B +\S+ +\/data\/a\.txt$/m);
  });

  test('a truncated snapshot or another file: exit 4 with the reason; a missing one: exit 3', () => {
    const folder = freshFolder('cli');
    const truncated = join(folder, 'truncated.tar');
    writeFileSync(truncated, readFileSync(archive).subarray(0, 3000));
    const cut = cli('snapshot', truncated);
    expect(cut.status).toBe(4);
    expect(cut.stderr).toMatch(/truncated/);
    const empty = join(folder, 'empty.tar');
    writeFileSync(empty, new Uint8Array(1024)); // the end of an archive, and nothing before it
    expect(cli('snapshot', empty)).toMatchObject({ status: 4, stderr: expect.stringMatching(/the archive is empty/) });
    const missing = cli('snapshot', join(folder, 'none.tar'));
    expect(missing).toMatchObject({ status: 3, stderr: `stratacache: there is no file ${join(folder, 'none.tar')}\n` });
  });
});

describe('errors', () => {
  test('a missing folder: exit 3, named, and not created', () => {
    const missing = join(freshFolder('cli'), 'typo');
    for (const command of ['stats', 'ls', 'verify']) {
      const run = cli(command, missing);
      expect(run.status).toBe(3);
      expect(run.stderr).toBe(`stratacache: there is no folder ${missing}\n`);
    }
    expect(cli('clean', missing, '--max-age', '1d').status).toBe(3);
    expect(existsSync(missing)).toBe(false);
  });

  test('a folder without a cache index: exit 3, and nothing written into it', () => {
    const empty = freshFolder('cli');
    const run = cli('verify', empty, '--json');
    expect(run.status).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code: 'ERR_NOT_FOUND', message: `no disk cache index at ${join(empty, 'index.sqlite')}` },
    });
    expect(readdirSync(empty)).toEqual([]);
  });

  test('a damaged index: exit 4 from every command, and the index left as it was', async () => {
    const folder = await filledFolder();
    const index = join(folder, 'index.sqlite');
    const damaged = readFileSync(index);
    damaged.fill(0x5a, 0, 4096);
    writeFileSync(index, damaged);
    const before = snapshot(folder);
    for (const args of [['stats'], ['ls'], ['verify'], ['clean', '--max-size', '1MB']]) {
      const run = cli(args[0]!, folder, ...args.slice(1));
      expect([args[0], run.status]).toEqual([args[0], 4]);
      expect(run.stderr).toMatch(/^stratacache: .+\n$/);
    }
    expect(snapshot(folder)).toEqual(before);
    expect(statSync(index).size).toBe(damaged.length);
  });

  test.each([
    [['frobnicate', '/tmp'], /unknown command 'frobnicate'/],
    [['ls'], /ls needs the folder of a disk cache/],
    [['ls', 'a', 'b'], /takes one folder; unexpected 'b'/],
    [['snapshot'], /snapshot needs a snapshot file: stratacache snapshot <file.tar>/],
    [['ls', '/tmp', '--max-age', '1d'], /ls takes no --max-age/],
    [['stats', '/tmp', '--wat'], /Unknown option '--wat'/],
    [['clean', '/tmp'], /clean needs --max-age, --max-size or both/],
    [['clean', '/tmp', '--max-size', 'lots'], /--max-size 'lots' is not a size/],
  ])('%j: exit 2 with the reason', (args, reason) => {
    const run = cli(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(reason);
    expect(run.stdout).toBe('');
  });

  test('--help and no command print the usage', () => {
    for (const args of [['--help'], []]) {
      const run = cli(...args);
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^Usage: stratacache <command> <dir \| file>/);
    }
  });
});
