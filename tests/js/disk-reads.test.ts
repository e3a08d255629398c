// Disk hits answered on the JavaScript thread (disk({ inlineReads })): getSync reaches the disk tier, and an
// awaited get whose value the index holds is answered without a trip to the reader threads. Real SQLite folders,
// real processes.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { Cache, type CacheErrorEvent, disk, ram } from '../../dist/node.js';
import { sleep, text } from './backends.js';
import { freshFolder } from './disk-folders.js';

const run = promisify(execFile);
const sameBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && Buffer.compare(a, b) === 0;
const entryPoint = new URL('../../dist/node.js', import.meta.url).href;

/** Sets `key` to `value` on the disk tier at `path` from another process. */
async function setFromAnotherProcess(path: string, key: string, value: string): Promise<void> {
  const script = `import { Cache, disk } from ${JSON.stringify(entryPoint)};
    const cache = await Cache.open({ tiers: [disk({ path: ${JSON.stringify(path)} })] });
    await cache.set(${JSON.stringify(key)}, ${JSON.stringify(value)});
    await cache.close();`;
  await run(process.execPath, ['--input-type=module', '-e', script]);
}

describe('disk reads on the calling thread', () => {
  test('getSync reads a disk-only cache: small and large values, misses, expired entries', async () => {
    const path = freshFolder('reads-sync');
    await using cache = await Cache.open({ tiers: [disk({ path })] });
    const large = new Uint8Array(100_000).fill(9);
    await cache.set('small', 'kept in the index');
    await cache.set('large', large);
    await cache.set('short', 'brief', { ttl: 150 });
    expect(text(cache.getSync('small'))).toBe('kept in the index');
    expect(sameBytes(cache.getSync('large'), large)).toBe(true);
    expect(cache.getSync('absent')).toBeUndefined();
    expect(text(cache.getSync('short'))).toBe('brief');
    await sleep(300);
    expect(cache.getSync('short')).toBeUndefined();
    expect(await cache.get('short')).toBeUndefined();
    const [tier] = cache.stats().tiers;
    expect(tier).toMatchObject({ hits: 3, misses: 3 });
  });

  test('an awaited get of a small value is answered here, a large one by the readers, alike', async () => {
    const path = freshFolder('reads-get');
    await using cache = await Cache.open({ tiers: [disk({ path })] });
    const values = Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? new Uint8Array(6_000).fill(i) : `value ${i}`));
    await Promise.all(values.map((value, i) => cache.set(`k${i}`, value)));
    const read = await Promise.all(values.map((_, i) => cache.get(`k${i}`)));
    read.forEach((value, i) => {
      const expected = values[i]!;
      if (typeof expected === 'string') expect(text(value)).toBe(expected);
      else expect(sameBytes(value, expected)).toBe(true);
    });
    expect(await cache.get('absent')).toBeUndefined();
  });

  test('getSync on [ram, disk] promotes a disk hit into RAM', async () => {
    const path = freshFolder('reads-promote');
    {
      await using cache = await Cache.open({ tiers: [disk({ path })] });
      await cache.set('k', 'from disk');
    }
    await using cache = await Cache.open({ tiers: [ram(), disk({ path })] });
    const promoted: string[] = [];
    cache.on('promote', (event) => promoted.push(`${event.key} ${event.reason} ${event.tier}`));
    expect(text(cache.getSync('k'))).toBe('from disk');
    expect(text(cache.getSync('k'))).toBe('from disk');
    const [ramTier, diskTier] = cache.stats().tiers;
    expect(diskTier).toMatchObject({ hits: 1 });
    expect(ramTier).toMatchObject({ hits: 1, entries: 1 });
    await sleep(20); // events reach JavaScript through the event loop
    expect(promoted).toEqual(['k disk ram']);
  });

  test('a value another process writes is seen by the next getSync, never a copy of the old one', async () => {
    const path = freshFolder('reads-processes');
    await using cache = await Cache.open({ tiers: [disk({ path })] });
    await cache.set('k', 'first');
    for (let i = 0; i < 3; i++) expect(text(cache.getSync('k'))).toBe('first');
    expect(cache.getSync('theirs')).toBeUndefined();
    await setFromAnotherProcess(path, 'k', 'second');
    await setFromAnotherProcess(path, 'theirs', 'written elsewhere');
    expect(text(cache.getSync('k'))).toBe('second');
    expect(text(cache.getSync('theirs'))).toBe('written elsewhere');
    expect(text(await cache.get('theirs'))).toBe('written elsewhere');
  }, 30_000);

  test('a damaged value in the index is not served here: a miss, reported, and dropped', async () => {
    const path = freshFolder('reads-corrupt');
    const value = 'a value to damage '.repeat(40);
    {
      await using cache = await Cache.open({ tiers: [disk({ path })] });
      await cache.set('damaged', value);
      await cache.set('intact', 'left alone');
    }
    // The last connection to close checkpoints the log into the index file, where the value then is. The store
    // may close its connections a little after close() settled.
    const index = join(path, 'index.sqlite');
    for (let waited = 0; existsSync(`${index}-wal`) && waited < 5_000; waited += 50) await sleep(50);
    expect(existsSync(`${index}-wal`)).toBe(false);
    const bytes = readFileSync(index);
    const at = bytes.indexOf(value);
    expect(at).toBeGreaterThan(0);
    bytes[at + 100] ^= 1;
    writeFileSync(index, bytes);

    await using cache = await Cache.open({ tiers: [disk({ path })] });
    const events: CacheErrorEvent[] = [];
    cache.on('error', (event) => events.push(event));
    expect(cache.getSync('damaged')).toBeUndefined();
    expect(await cache.get('damaged')).toBeUndefined();
    await sleep(20);
    expect(events.map((e) => [e.tier, e.error.code])).toEqual([['disk', 'ERR_CORRUPT']]);
    await cache.flush();
    expect(await cache.has('damaged')).toBe(false);
    expect(text(cache.getSync('intact'))).toBe('left alone');
  });

  test('close() racing reads: every read settles with its value or ERR_CLOSED, and later reads fail', async () => {
    const path = freshFolder('reads-close');
    for (let round = 0; round < 5; round++) {
      const cache = await Cache.open({ tiers: [ram({ cacheLimit: '16KB' }), disk({ path })] });
      const large = new Uint8Array(20_000).fill(round);
      await Promise.all(Array.from({ length: 100 }, (_, i) => cache.set(`k${i}`, i % 4 === 0 ? large : `v${i}`)));
      const reads = Array.from({ length: 300 }, (_, i) => cache.get(`k${i % 100}`));
      const closed = cache.close();
      const outcomes = await Promise.allSettled(reads);
      await closed;
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toMatchObject({ code: 'ERR_CLOSED' });
        } else if (i % 4 === 0) {
          expect(sameBytes(outcome.value, large)).toBe(true);
        } else {
          expect(text(outcome.value)).toBe(`v${i % 100}`);
        }
      }
      expect(() => cache.getSync('k1')).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
      await expect(cache.get('k1')).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    }
  });

  test('inlineReads: false keeps every disk read on the reader threads, and getSync off the disk', async () => {
    const path = freshFolder('reads-off');
    await using cache = await Cache.open({ tiers: [disk({ path, inlineReads: false })] });
    await cache.set('k', 'on disk');
    expect(cache.getSync('k')).toBeUndefined();
    const pending = cache.get('k');
    expect(text(await pending)).toBe('on disk');
    expect(() => disk({ path, inlineReads: 'yes' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
  });
});
