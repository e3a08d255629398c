// The disk tier as users meet it: across restarts, below RAM, shared by several processes, after a writer is
// killed, and when its files are damaged. The contract cases run over [disk] and [ram, disk] in contract.test.ts.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';

import { jest } from '@jest/globals';

import { Cache, type CacheErrorEvent, disk, ram } from '../../dist/node.js';
import { random, sleep, text } from './backends.js';
import { freshFolder } from './disk-folders.js';
// @ts-expect-error: a plain ES module shared with the fixtures, without types
import { sameBytes, valueFor } from './fixtures/disk-values.mjs';

const run = promisify(execFile);
const writer = new URL('./fixtures/disk-writer.mjs', import.meta.url).pathname;

/** Every content file under a disk tier's folder. */
function blobFiles(folder: string): string[] {
  return readdirSync(join(folder, 'blobs'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const bytesOnDisk = (folder: string): number => blobFiles(folder).reduce((sum, file) => sum + statSync(file).size, 0);

/** Reads every key; counts the values present and those that differ from what was written. */
async function audit(cache: Cache, keys: string[]): Promise<{ present: number; bad: number }> {
  let present = 0;
  let bad = 0;
  for (const key of keys) {
    const value = await cache.get(key);
    if (value === undefined) continue;
    present++;
    if (!sameBytes(value, valueFor(key))) bad++;
  }
  return { present, bad };
}

const keysOf = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describe('disk tier', () => {
  test("a namespace's limit holds across a restart, counted from the index", async () => {
    const value = (i: number) => new Uint8Array(1000).fill(i); // content of its own: shared content is stored once
    let charge: number; // what one such entry costs its namespace, measured
    {
      await using probe = await Cache.open({ tiers: [disk({ path: freshFolder('namespace-probe') })] });
      await probe.namespace('jobs').set('k10', value(0));
      charge = probe.stats().tiers[0]!.bytes;
    }
    const path = freshFolder('namespace');
    {
      await using cache = await Cache.open({ tiers: [disk({ path })] });
      const jobs = cache.namespace('jobs');
      for (let i = 10; i < 30; i++) {
        await jobs.set(`k${i}`, value(i));
        await sleep(2); // later entries are more recent
      }
      await cache.set('k10', 'the cache’s own');
    }
    await using cache = await Cache.open({ tiers: [disk({ path })] });
    const evicted: string[] = [];
    cache.on('evict', (event) => evicted.push(`${event.namespace}/${event.key} ${event.reason}`));
    const jobs = cache.namespace('jobs', { cacheLimit: { disk: 5 * charge } });
    await cache.set('barrier', 'x'); // queued after the batch that applies the limit
    await sleep(20);
    const kept: string[] = [];
    for (let i = 10; i < 30; i++) if (await jobs.has(`k${i}`)) kept.push(`k${i}`);
    expect(kept).toEqual(['k25', 'k26', 'k27', 'k28', 'k29']);
    expect(evicted).toHaveLength(15);
    expect(evicted[0]).toBe('jobs/k10 namespace');
    expect(text(await cache.get('k10'))).toBe('the cache’s own');
  });

  test('entries and their TTLs survive a restart', async () => {
    const path = freshFolder('restart');
    {
      await using cache = await Cache.open({ tiers: [disk({ path })] });
      await cache.set('small', 'kept');
      await cache.set('large', valueFor('large'));
      await cache.set('short', 'gone soon', { ttl: '50ms' });
      await cache.set('long', 'kept too', { ttl: '1h' });
    }
    await sleep(80);
    await using cache = await Cache.open({ tiers: [disk({ path })] });
    expect(text(await cache.get('small'))).toBe('kept');
    expect(sameBytes((await cache.get('large'))!, valueFor('large'))).toBe(true);
    expect(await cache.get('short')).toBeUndefined();
    expect(text(await cache.get('long'))).toBe('kept too');
    expect(cache.stats().tiers[0]).toMatchObject({ name: 'disk', entries: 4 });
  });

  test('write-back: sets stay in RAM until evicted or closed, and the disk holds them all after a restart', async () => {
    const path = freshFolder('write-back');
    const keys = keysOf('wb', 200);
    {
      const cache = await Cache.open({ tiers: [ram({ cacheLimit: 64_000 }), disk({ path })], writePolicy: 'back' });
      for (const key of keys) await cache.set(key, valueFor(key).subarray(0, 1_000));
      const demotedBeforeClose = cache.stats().tiers[1]!.demotions;
      expect(demotedBeforeClose).toBeGreaterThan(0); // RAM holds about 50 of the 200
      expect(demotedBeforeClose).toBeLessThan(keys.length);
      await cache.close(); // writes down the rest
    }
    await using cache = await Cache.open({ tiers: [disk({ path })] });
    expect(cache.stats().tiers[0]!.entries).toBe(keys.length);
    for (const key of keys) expect(sameBytes((await cache.get(key))!, valueFor(key).subarray(0, 1_000))).toBe(true);
  });

  test.each(['through', 'back'])(
    'write-%s: close() keeps every accepted write and deletion, and refuses writes that arrive while it closes',
    async (writePolicy) => {
      const path = freshFolder(`close-${writePolicy}`);
      {
        await using seeded = await Cache.open({ tiers: [disk({ path })] });
        await Promise.all(keysOf('d', 500).map((key) => seeded.set(key, 'doomed')));
      }
      const closer = new URL('./fixtures/close-with-writes.mjs', import.meta.url).pathname;
      const { stdout } = await run(process.execPath, [closer, path, writePolicy]);
      const { resolved, rejected } = JSON.parse(stdout) as { resolved: number[]; rejected: string[] };
      expect(resolved).toEqual(expect.arrayContaining(Array.from({ length: 100 }, (_, i) => i))); // awaited before close()
      expect(rejected.filter((code) => code !== 'ERR_CLOSED')).toEqual([]);
      await using cache = await Cache.open({ tiers: [disk({ path })] });
      const missing = async (keys: string[]) => {
        const found = await Promise.all(keys.map(async (key) => sameBytes((await cache.get(key)) ?? [], valueFor(key))));
        return keys.filter((_, i) => !found[i]);
      };
      expect(await missing(keysOf('s', 1000))).toEqual([]);
      expect(await missing(resolved.map((i) => `r-${i}`))).toEqual([]);
      const revived = await Promise.all(keysOf('d', 500).map((key) => cache.has(key)));
      expect(revived.filter(Boolean).length).toBe(0);
    },
    20_000,
  );

  test('eight processes opening one new folder at the same moment all succeed', async () => {
    // The C++ suite (DiskFirstOpen) repeats the race often enough to hit it; here, whole processes as users run them.
    const opener = new URL('./fixtures/open-folder.mjs', import.meta.url).pathname;
    for (let round = 0; round < 2; round++) {
      const path = freshFolder('first-open');
      const startAt = String(Date.now() + 1_000);
      const opens = Array.from({ length: 8 }, (_, i) => run(process.execPath, [opener, path, `k${i}`, startAt]));
      expect((await Promise.all(opens)).map(({ stdout }) => stdout.trim())).toEqual(Array(8).fill('ok'));
    }
  }, 20_000);

  test('a disk hit read by the reader threads is promoted into RAM', async () => {
    const path = freshFolder('promote');
    {
      await using cache = await Cache.open({ tiers: [disk({ path })] });
      await cache.set('k', 'from disk');
    }
    await using cache = await Cache.open({ tiers: [ram(), disk({ path, inlineReads: false })] });
    expect(cache.getSync('k')).toBeUndefined();
    expect(text(await cache.get('k'))).toBe('from disk');
    expect(text(cache.getSync('k'))).toBe('from disk');
    const [ramTier, diskTier] = cache.stats().tiers;
    expect(diskTier).toMatchObject({ hits: 1 });
    expect(ramTier).toMatchObject({ entries: 1 });
  });

  test('the budget holds under a tenfold overfill, counting what is on disk', async () => {
    const path = freshFolder('budget');
    const limit = 2_000_000;
    await using cache = await Cache.open({ tiers: [disk({ path, cacheLimit: limit })] });
    const next = random(11);
    let written = 0;
    for (let i = 0; written < 10 * limit; i++) {
      const value = new Uint8Array(1 + Math.floor(next() * 60_000)).fill(i & 0xff);
      await cache.set(`k${i}`, value);
      written += value.length;
    }
    const [tier] = cache.stats().tiers;
    expect(tier.bytes).toBeLessThanOrEqual(limit);
    expect(tier.evictions).toBeGreaterThan(0);
    expect(bytesOnDisk(path)).toBeLessThanOrEqual(limit);
  });

  test('what the disk tier evicts and sweeps out is reported as events', async () => {
    const path = freshFolder('events');
    await using cache = await Cache.open({ tiers: [disk({ path, cacheLimit: 250_000 })], interval: '100ms' });
    const heard: string[] = [];
    const record = (event: { type: string; tier: string; key: string; reason: string }) =>
      heard.push(`${event.type} ${event.tier} ${event.key} ${event.reason}`);
    cache.on('evict', record).on('expire', record);
    for (let i = 0; i < 5; i++) await cache.set(`k${i}`, new Uint8Array(60_000).fill(i)); // room for four
    await cache.set('short', 'v', { ttl: 30 });
    await sleep(400);
    expect(heard).toEqual(['evict disk k0 lru', 'expire disk short sweep']);
    expect(cache.stats().tiers[0]).toMatchObject({ evictions: 1, expirations: 1 });
  });

  test('identical values are stored once', async () => {
    const path = freshFolder('dedup');
    await using cache = await Cache.open({ tiers: [disk({ path })] });
    for (const key of ['a', 'b', 'c']) await cache.set(key, valueFor('shared-large-value'));
    expect(blobFiles(path)).toHaveLength(1);
    await cache.delete('a');
    await cache.delete('b');
    expect(blobFiles(path)).toHaveLength(1);
    await cache.delete('c');
    expect(blobFiles(path)).toHaveLength(0);
  });

  test('a damaged file is a miss, never garbage, and raises an error event', async () => {
    const path = freshFolder('corrupt');
    await using cache = await Cache.open({ tiers: [disk({ path })] });
    const events: CacheErrorEvent[] = [];
    cache.on('error', (event) => events.push(event));
    const value = new Uint8Array(50_000).fill(3);
    await cache.set('flipped', value);
    const [file] = blobFiles(path);
    const damaged = new Uint8Array(value);
    damaged[25_000] ^= 1;
    writeFileSync(file, damaged);
    expect(await cache.get('flipped')).toBeUndefined();
    await cache.set('truncated', new Uint8Array(60_000).fill(4));
    truncateSync(blobFiles(path)[0], 100);
    expect(await cache.get('truncated')).toBeUndefined();
    await sleep(20); // events reach JavaScript through the event loop
    expect(events.map((e) => [e.tier, e.error.code])).toEqual([
      ['disk', 'ERR_CORRUPT'],
      ['disk', 'ERR_CORRUPT'],
    ]);
    expect(await cache.has('flipped')).toBe(false);
    expect(await cache.has('truncated')).toBe(false);
    expect(blobFiles(path)).toHaveLength(0);
  });

  test('verify() drops entries whose file is gone and removes orphan files', async () => {
    const path = freshFolder('verify');
    await using cache = await Cache.open({ tiers: [ram(), disk({ path })] });
    await cache.set('lost', new Uint8Array(10_000).fill(1));
    rmSync(blobFiles(path)[0]);
    await cache.set('kept', new Uint8Array(10_000).fill(2));
    writeFileSync(join(path, 'blobs', 'a'.repeat(64)), 'orphan');
    expect(await cache.verify()).toEqual({ entries: 1, removedEntries: 1, orphanFiles: 1, tempFiles: 0 });
    expect(await cache.verify()).toEqual({ entries: 1, removedEntries: 0, orphanFiles: 0, tempFiles: 0 });
  });

  test('verify({ onProgress }) reports its walk as it goes, ending with every value checked', async () => {
    const path = freshFolder('verify-progress');
    await using cache = await Cache.open({ tiers: [disk({ path })] });
    const values = 3_000;
    await Promise.all(Array.from({ length: values }, (_, i) => cache.set(`k${i}`, `value ${i}`)));
    await cache.set('shared-1', 'same bytes');
    await cache.set('shared-2', 'same bytes'); // one content item for both entries
    const seen: Array<{ checked: number; total: number }> = [];
    const report = await cache.verify({ onProgress: (progress) => seen.push(progress), progressInterval: 1 });
    expect(report.entries).toBe(values + 2);
    expect(seen.at(-1)).toEqual({ checked: values + 1, total: values + 1 });
    for (const [before, after] of seen.slice(1).map((p, i) => [seen[i]!, p] as const)) {
      expect(after.checked).toBeGreaterThanOrEqual(before.checked);
      expect(`${after.checked}/${after.total}`).not.toBe(`${before.checked}/${before.total}`); // only changes
    }
    for (const { checked, total } of seen) expect(checked).toBeLessThanOrEqual(total);
    await expect(cache.verify({ onProgress: 'no' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(cache.verify({ progressInterval: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    // A listener that throws is reported, and the verify goes on to its report.
    const reported = jest.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const thrown = await cache.verify({ onProgress: () => { throw new Error('listener'); } });
      expect(thrown.removedEntries).toBe(0);
      expect(reported).toHaveBeenCalledWith('stratacache: a listener threw', expect.objectContaining({ message: 'listener' }));
    } finally {
      reported.mockRestore();
    }
  });

  // A real full disk: a 2 MiB tmpfs mounted over the folder (needs root, as in CI's container).
  const canMount = process.getuid?.() === 0;
  (canMount ? test : test.skip)('a full disk fails the set with an error event; gets keep being served', async () => {
    const path = freshFolder('full');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', path]);
    try {
      await using cache = await Cache.open({ tiers: [disk({ path })] });
      const events: CacheErrorEvent[] = [];
      cache.on('error', (event) => events.push(event));
      await cache.set('kept', valueFor('kept'));
      let failure: unknown;
      for (let i = 0; i < 100 && failure === undefined; i++) {
        await cache.set(`fill-${i}`, new Uint8Array(100_000).fill(i)).catch((error: unknown) => (failure = error));
      }
      expect(failure).toMatchObject({ code: 'ERR_QUOTA', tier: 'disk', message: expect.stringMatching(/disk full/) });
      await sleep(20); // events reach JavaScript through the event loop
      expect(events.map((e) => [e.tier, e.error.code])).toContainEqual(['disk', 'ERR_QUOTA']);
      expect(sameBytes((await cache.get('kept'))!, valueFor('kept'))).toBe(true);
      await cache.delete('fill-0');
      await cache.delete('fill-1');
      await cache.set('after', 'fits again');
      expect(text(await cache.get('after'))).toBe('fits again');
    } finally {
      execFileSync('umount', ['-l', path]);
    }
  });

  test('bad options and unusable paths are refused', async () => {
    expect(() => disk({ path: '' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    expect(() => disk({ path: '/tmp/x', policy: 'fifo' as never })).toThrow(/policy must be/);
    expect(() => disk({ path: '/tmp/x', durability: 'maybe' as never })).toThrow(/durability must be/);
    const invalid = expect.objectContaining({ code: 'ERR_INVALID_ARG' });
    expect(() => disk({ path: '/tmp/x', cacheLimit: -1 })).toThrow(invalid);
    const file = join(freshFolder('file'), 'plain-file');
    writeFileSync(file, 'not a folder');
    await expect(Cache.open({ tiers: [disk({ path: join(file, 'cache') })] })).rejects.toMatchObject({
      code: 'ERR_IO',
    });
  });

  interface WriterReport {
    written: number;
    read: number;
    bad: number;
  }

  /** Four writers (`start` runs one) share a folder: each wrote all its keys, saw others', and nothing is damaged. */
  async function shareOneFolder(label: string, start: (args: string[]) => Promise<WriterReport>): Promise<void> {
    const path = freshFolder(label);
    const limit = 3_000_000;
    const prefixes = ['p0', 'p1', 'p2', 'p3'];
    const reports = await Promise.all(
      prefixes.map((prefix) => start([path, String(limit), prefix, '300', ...prefixes.filter((p) => p !== prefix)])),
    );
    expect(reports.map((r) => r.written)).toEqual([300, 300, 300, 300]);
    expect(reports.reduce((sum, r) => sum + r.read, 0)).toBeGreaterThan(0); // they did see each other's values
    expect(reports.reduce((sum, r) => sum + r.bad, 0)).toBe(0);

    await using cache = await Cache.open({ tiers: [disk({ path, cacheLimit: limit })] });
    const { present, bad } = await audit(cache, prefixes.flatMap((p) => keysOf(p, 300)));
    expect(bad).toBe(0);
    expect(present).toBeGreaterThan(0);
    expect(cache.stats().tiers[0].bytes).toBeLessThanOrEqual(limit);
    expect(bytesOnDisk(path)).toBeLessThanOrEqual(limit);
    expect((await cache.verify()).removedEntries).toBe(0);
  }

  test('several processes write and read one folder within one budget', async () => {
    await shareOneFolder('processes', async (args) => {
      const { stdout } = await run(process.execPath, [writer, ...args]);
      return JSON.parse(stdout.trim().split('\n').pop()!);
    });
  });

  test('several worker threads, each with its own cache, write and read one folder within one budget', async () => {
    await shareOneFolder('workers', (args) => {
      const worker = new Worker(writer, { workerData: args });
      return new Promise<WriterReport>((resolve, reject) => {
        let report: WriterReport | undefined;
        worker.on('message', (message: WriterReport) => (report = message));
        worker.on('error', reject);
        worker.on('exit', (code) => (code === 0 && report ? resolve(report) : reject(new Error(`worker exit ${code}`))));
      });
    });
  });

  test('writers killed with SIGKILL mid-write never leave a torn value', async () => {
    const path = freshFolder('sigkill');
    const limit = 20_000_000;
    const next = random(5);
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, [writer, path, String(limit), `r${round}`, 'forever']);
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && resolve());
        child.on('exit', () => reject(new Error('the writer exited before it started')));
      });
      await sleep(100 + Math.floor(next() * 300));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await using cache = await Cache.open({ tiers: [disk({ path, cacheLimit: limit })] });
    const { present, bad } = await audit(cache, [0, 1, 2, 3, 4].flatMap((round) => keysOf(`r${round}`, 3000)));
    expect(present).toBeGreaterThan(0);
    expect(bad).toBe(0);
    const first = await cache.verify();
    expect(first.removedEntries).toBe(0); // every committed entry had its content intact
    expect(await cache.verify()).toEqual({ entries: first.entries, removedEntries: 0, orphanFiles: 0, tempFiles: 0 });
  });
});
