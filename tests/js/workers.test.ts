// One native cache shared by the worker threads of a process (Node build).
import { Worker } from 'node:worker_threads';

import { Cache, ram } from '../../dist/node.js';

const workerFile = new URL('./fixtures/shared-worker.mjs', import.meta.url);

/** A worker with a shared cache open, driven by request/response messages. */
class CacheWorker {
  readonly #worker: Worker;
  readonly ready: Promise<void>;
  #next = 0;

  constructor(name: string, cacheLimit: string) {
    this.#worker = new Worker(workerFile, { workerData: { name, cacheLimit } });
    this.ready = new Promise((resolve, reject) => {
      this.#worker.once('message', () => resolve());
      this.#worker.once('error', reject);
    });
  }

  call(op: string, key?: string, value?: unknown): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const onMessage = (message: { id: number; result?: unknown; error?: { code: string; message: string } }) => {
        if (message.id !== id) return;
        this.#worker.off('message', onMessage);
        if (message.error) reject(Object.assign(new Error(message.error.message), message.error));
        else resolve(message.result);
      };
      this.#worker.on('message', onMessage);
      this.#worker.postMessage({ id, op, key, value });
    });
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

describe('shared caches across worker threads', () => {
  test("a namespace's entries and limit are the same in every thread", async () => {
    const options = { shared: 'namespaced', tiers: [ram({ cacheLimit: '16MB' })] };
    await using main = await Cache.open(options);
    const worker = new CacheWorker('namespaced', '16MB');
    await worker.ready;
    for (let i = 0; i < 100; i++) main.setSync(`k:${i}`, new Uint8Array(1000));
    const before = main.stats().tiers[0]!.bytes;
    // Ten times the limit, written by the worker into the namespace it bounds.
    await worker.call('fillNamespace', 'k', { ns: 'jobs', cacheLimit: '100KB', count: 1000, size: 1000 });
    const jobs = main.namespace('jobs');
    expect(jobs.getSync('k:999')?.length).toBe(1000);
    expect(jobs.hasSync('k:0')).toBe(false);
    expect(main.stats().tiers[0]!.bytes - before).toBeLessThanOrEqual(100_000);
    expect(main.stats().tiers[0]!.bytes - before).toBeGreaterThan(80_000);
    for (let i = 0; i < 100; i++) expect(main.hasSync(`k:${i}`)).toBe(true);
    await worker.terminate();
  });

  test('entries set in one thread are visible in the others', async () => {
    const options = { shared: 'visible', tiers: [ram({ cacheLimit: '16MB' })] };
    await using main = await Cache.open(options);
    const workers = [new CacheWorker('visible', '16MB'), new CacheWorker('visible', '16MB')];
    await Promise.all(workers.map((w) => w.ready));

    await workers[0]!.call('set', 'from-worker-0', 'zero');
    main.setSync('from-main', 'main');
    expect(await workers[1]!.call('get', 'from-worker-0')).toBe('zero');
    expect(await workers[0]!.call('get', 'from-main')).toBe('main');
    expect(new TextDecoder().decode(main.getSync('from-worker-0'))).toBe('zero');

    // Concurrent writers on two threads, one budget.
    await Promise.all([workers[0]!.call('fill', 'a', 5000), workers[1]!.call('fill', 'b', 5000)]);
    const [tier] = main.stats().tiers;
    expect(tier!.entries).toBe(2 + 10_000);
    expect(new TextDecoder().decode(main.getSync('b:4999'))).toBe('b:4999');
    await Promise.all(workers.map((w) => w.terminate()));
  });

  test('misses of one key in every thread run the loader once in all', async () => {
    const options = { shared: 'single-flight', tiers: [ram({ cacheLimit: '1MB' })] };
    await using main = await Cache.open(options);
    const workers = [new CacheWorker('single-flight', '1MB'), new CacheWorker('single-flight', '1MB')];
    await Promise.all(workers.map((w) => w.ready));
    const shared = new Int32Array(new SharedArrayBuffer(8)); // [loader calls, gate open]
    await Promise.all(workers.map((w) => w.call('startGetOrSet', 'k', shared.buffer)));
    const inMain = main.getOrSet('k', async () => {
      Atomics.add(shared, 0, 1);
      return 'loaded';
    });
    await new Promise((resolve) => setImmediate(resolve)); // every thread has joined the flight
    Atomics.store(shared, 1, 1);
    Atomics.notify(shared, 1);
    const results = await Promise.all([...workers.map((w) => w.call('awaitGetOrSet')), inMain]);
    expect(results.map((r) => (typeof r === 'string' ? r : new TextDecoder().decode(r as Uint8Array)))).toEqual([
      'loaded',
      'loaded',
      'loaded',
    ]);
    expect(Atomics.load(shared, 0)).toBe(1);
    expect(new TextDecoder().decode(main.getSync('k'))).toBe('loaded');
    await Promise.all(workers.map((w) => w.terminate()));
  });

  test('opening a shared name with other options is refused', async () => {
    await using first = await Cache.open({ shared: 'options', tiers: [ram({ cacheLimit: '1MB' })] });
    await expect(Cache.open({ shared: 'options', tiers: [ram({ cacheLimit: '2MB' })] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
    });
    expect(first.stats().tiers[0]!.entries).toBe(0);
  });

  test('the last close frees the cache; a new open starts empty', async () => {
    const options = { shared: 'lifetime', tiers: [ram({ cacheLimit: '1MB' })] };
    const a = await Cache.open(options);
    const b = await Cache.open(options);
    await a.set('k', 'v');
    await a.close();
    expect(await b.has('k')).toBe(true); // still held by b
    await b.close();
    await using c = await Cache.open({ shared: 'lifetime', tiers: [ram({ cacheLimit: '2MB' })] });
    expect(await c.has('k')).toBe(false);
  });

  test('a worker that exits without closing releases its handle', async () => {
    const worker = new CacheWorker('abandoned', '1MB');
    await worker.ready;
    await worker.call('set', 'k', 'v');
    await worker.terminate();
    // The worker's environment is torn down with it, which frees its handle: the name can be opened afresh,
    // even with other options.
    await using cache = await Cache.open({ shared: 'abandoned', tiers: [ram({ cacheLimit: '2MB' })] });
    expect(await cache.has('k')).toBe(false);
  });
});
