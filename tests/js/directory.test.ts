// Directory entries on the disk tier: real folders filled by a callback, counted, evicted as a unit (never while
// leased), removed with their entry, kept across reopening, and checked by verify().
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { Cache, disk, ram, StrataError } from '../../dist/node.js';
import { Cache as WasmCache } from '../../dist/wasm.js';
import { sleep } from './backends.js';
import { freshFolder } from './disk-folders.js';

/** A fill that writes `files` (name → contents) and counts its calls. */
function filler(files: Record<string, string>) {
  const fill = async (dir: string) => {
    fill.calls++;
    for (const [name, contents] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), contents);
    }
  };
  fill.calls = 0;
  return fill;
}

const diskTier = (path: string, cacheLimit?: number) => disk(cacheLimit === undefined ? { path } : { path, cacheLimit });

describe('directory entries', () => {
  test('fill runs on a miss; a hit returns the same folder with its files, counted in stats', async () => {
    const path = freshFolder('dir-fill');
    await using cache = await Cache.open({ tiers: [ram(), diskTier(path)] });
    const fill = filler({ 'out.txt': 'artefact', 'lib/a.o': 'x'.repeat(5000) });
    const dir = await cache.directory('build', fill);
    expect(dir.startsWith(join(path, 'dirs'))).toBe(true);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('artefact');

    const again = await cache.directory('build', filler({}));
    expect(again).toBe(dir);
    expect(fill.calls).toBe(1);
    expect(readFileSync(join(again, 'lib/a.o'), 'utf8')).toHaveLength(5000);
    // One entry, charged the blocks of its two files (4 KiB + 8 KiB) and its key.
    expect(cache.stats().tiers[1]).toMatchObject({ name: 'disk', entries: 1 });
    expect(cache.stats().tiers[1]!.bytes).toBeGreaterThanOrEqual(3 * 4096);
    expect(await cache.get('build')).toBeUndefined(); // a directory entry is no value
  });

  test('concurrent callers of one key run the fill once and get its folder', async () => {
    const path = freshFolder('dir-flight');
    await using cache = await Cache.open({ tiers: [diskTier(path)] });
    let calls = 0;
    const fill = async (dir: string) => {
      calls++;
      await sleep(50);
      writeFileSync(join(dir, 'once'), 'made once');
    };
    const dirs = await Promise.all(Array.from({ length: 8 }, () => cache.directory('shared', fill)));
    expect(calls).toBe(1);
    expect(new Set(dirs).size).toBe(1);
    expect(readFileSync(join(dirs[0]!, 'once'), 'utf8')).toBe('made once');
  });

  test('worker threads sharing the cache run the fill once', async () => {
    const path = freshFolder('dir-workers');
    const counters = new Int32Array(new SharedArrayBuffer(8)); // [fill calls, workers started]
    const workerFile = new URL('./fixtures/directory-worker.mjs', import.meta.url);
    const workerData = { name: 'dir-workers', path, key: 'shared', counters, workers: 3 };
    const dirs = await Promise.all(
      Array.from({ length: workerData.workers }, () => {
        const worker = new Worker(workerFile, { workerData });
        return new Promise<string>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        }).finally(() => worker.terminate());
      }),
    );
    expect(Atomics.load(counters, 0)).toBe(1);
    expect(new Set(dirs).size).toBe(1);
    expect(readFileSync(join(dirs[0]!, 'made-by'), 'utf8')).toBe('a worker');
  });

  test('a failing fill leaves nothing behind and rejects with ERR_LOADER, its error as the cause', async () => {
    const path = freshFolder('dir-fail');
    await using cache = await Cache.open({ tiers: [diskTier(path)] });
    const failure = new Error('the compiler crashed');
    let filledIn = '';
    const rejected = await cache
      .directory('other', async (dir) => {
        filledIn = dir;
        writeFileSync(join(dir, 'half'), 'half written');
        throw failure;
      })
      .catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(StrataError);
    expect(rejected).toMatchObject({ code: 'ERR_LOADER', message: 'the compiler crashed', cause: failure });
    expect(existsSync(filledIn)).toBe(false);
    expect(readdirSync(join(path, 'dirs'))).toHaveLength(0);
    expect(await cache.directory('other', filler({ ok: 'now' }))).toContain(join(path, 'dirs'));
  });

  test('waiters of a failing fill get ERR_LOADER too', async () => {
    const path = freshFolder('dir-fail-waiters');
    await using cache = await Cache.open({ tiers: [diskTier(path)] });
    const fill = async () => {
      await sleep(30);
      throw new Error('no artefact');
    };
    const outcomes = await Promise.allSettled([cache.directory('k', fill), cache.directory('k', fill)]);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'ERR_LOADER', message: 'no artefact' } });
    }
    expect(cache.stats().tiers[0]!.entries).toBe(0);
  });

  test('closing the cache during a fill rejects the caller and removes the folder', async () => {
    const path = freshFolder('dir-close');
    const cache = await Cache.open({ tiers: [diskTier(path)] });
    let filledIn = '';
    const closedThenDone = cache.directory('k', async (dir) => {
      filledIn = dir;
      await cache.close();
    });
    await expect(closedThenDone).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    expect(existsSync(filledIn)).toBe(false);

    const reopened = await Cache.open({ tiers: [diskTier(path)] });
    const failure = new Error('the tool failed');
    const closedThenFailed = reopened.directory('k', async () => {
      await reopened.close();
      throw failure;
    });
    await expect(closedThenFailed).rejects.toMatchObject({ code: 'ERR_LOADER', cause: failure });
    expect(readdirSync(join(path, 'tmp'))).toHaveLength(0);
    expect(readdirSync(join(path, 'dirs'))).toHaveLength(0);
  });

  test('over cacheLimit a new directory evicts an older one as a unit, but never a leased one', async () => {
    const path = freshFolder('dir-evict');
    await using cache = await Cache.open({ tiers: [diskTier(path, 20_000)] });
    const big = () => filler({ 'blob.bin': 'x'.repeat(9000) }); // 12 KiB charged
    const first = await cache.directory('first', big());
    await sleep(5);
    const second = await cache.directory('second', big());
    expect(existsSync(first)).toBe(false); // evicted, folder and all
    expect(existsSync(second)).toBe(true);
    expect(cache.stats().tiers[0]).toMatchObject({ entries: 1, evictions: 1 });

    {
      await using held = await cache.leaseDirectory('second', big());
      expect(held.path).toBe(second);
      await sleep(5);
      const third = await cache.leaseDirectory('third', big());
      // Both held: nothing can go, and the tier runs over budget.
      expect(existsSync(second)).toBe(true);
      expect(existsSync(third.path)).toBe(true);
      expect(cache.stats().tiers[0]!.bytes).toBeGreaterThan(20_000);
      third.release();
      await cache.set('nudge', 'x'); // queued after the release, whose batch evicts
      // The policy prefers the older folder, but it is held: the newer one goes.
      expect(existsSync(third.path)).toBe(false);
      expect(existsSync(second)).toBe(true);
      expect(cache.stats().tiers[0]!.bytes).toBeLessThanOrEqual(20_000);
    }
  });

  test('delete removes the folder; a leased one once released', async () => {
    const path = freshFolder('dir-delete');
    await using cache = await Cache.open({ tiers: [diskTier(path)] });
    const free = await cache.directory('free', filler({ f: '1' }));
    expect(await cache.delete('free')).toBe(true);
    expect(existsSync(free)).toBe(false);

    const lease = await cache.leaseDirectory('held', filler({ f: '2' }));
    expect(await cache.delete('held')).toBe(true);
    expect(readFileSync(join(lease.path, 'f'), 'utf8')).toBe('2');
    lease.release();
    await cache.set('nudge', 'x'); // queued after the release, so done after it
    expect(existsSync(lease.path)).toBe(false);
  });

  test('entries survive reopening', async () => {
    const path = freshFolder('dir-reopen');
    let dir: string;
    {
      await using cache = await Cache.open({ tiers: [diskTier(path)] });
      dir = await cache.directory('kept', filler({ 'a.txt': 'kept' }));
    }
    await using cache = await Cache.open({ tiers: [diskTier(path)] });
    const fill = filler({});
    expect(await cache.directory('kept', fill)).toBe(dir);
    expect(fill.calls).toBe(0);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('kept');
    expect(cache.stats().tiers[0]!.entries).toBe(1);
  });

  test('verify drops an entry whose folder is gone and removes a folder no entry names', async () => {
    const path = freshFolder('dir-verify');
    await using cache = await Cache.open({ tiers: [diskTier(path)] });
    const lost = await cache.directory('lost', filler({ f: '1' }));
    const kept = await cache.directory('kept', filler({ f: '2' }));
    rmSync(lost, { recursive: true });
    mkdirSync(join(path, 'dirs', 'stray'));
    const report = await cache.verify();
    expect(report).toMatchObject({ entries: 1, removedEntries: 1, orphanFiles: 1 });
    expect(existsSync(join(path, 'dirs', 'stray'))).toBe(false);
    expect(existsSync(kept)).toBe(true);
    const fill = filler({ f: 'again' });
    await cache.directory('lost', fill);
    expect(fill.calls).toBe(1);
  });

  test('a cache without a disk tier, and the wasm build, refuse with ERR_INVALID_ARG', async () => {
    await using ramOnly = await Cache.open({ tiers: [ram()] });
    await expect(ramOnly.directory('k', filler({}))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
      message: expect.stringContaining('disk tier'),
    });
    await using wasm = await WasmCache.open();
    await expect(wasm.directory('k', filler({}))).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
      message: expect.stringContaining("Node build's disk tier"),
    });
  });
});
