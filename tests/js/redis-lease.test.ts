// getOrSet's single flight across processes over a redis() tier (ts/redis-lease.ts), against a redis-server the
// test starts. Processes of both builds (fixtures/lease-worker.mjs) missing the same keys at once; a lease holder
// killed; and, in this process, caches on tiers of their own (each its own client and leases, as another
// process's would be): a loader that throws, one that outlives its lease, Redis down or stalled, a racing close.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { inspect } from 'node:util';

import { Redis } from 'ioredis';

import { Cache, ram, redis, type RedisTier, type RedisTierOptions } from '../../dist/node.js';
import { leaseName } from '../../dist/redis-lease.js';
import { Cache as WasmCache } from '../../dist/wasm.js';
import { sleep, text } from './backends.js';
import { freePort, LoopbackServer } from './loopback.js';

const folder = mkdtempSync(join(tmpdir(), 'strata-lease-'));
const TIMEOUT_MS = 300; // the tiers' timeout: how long one Redis command may take
const SLACK = 500; // timers firing late while other suites load the two cores
let server: LoopbackServer;
let url: string;
let direct: Redis;
let prefixes = 0;
const freshPrefix = () => `lease${++prefixes}:`;
const tiers: RedisTier[] = [];
const caches: Cache[] = [];

beforeAll(async () => {
  const port = await freePort();
  server = new LoopbackServer(port, 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder,
    '--enable-debug-command', 'local',
  ]);
  await server.start();
  url = `redis://127.0.0.1:${port}`;
  direct = new Redis(port, '127.0.0.1');
});

afterEach(async () => {
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
  await Promise.all(tiers.splice(0).map((tier) => tier.close()));
});

afterAll(async () => {
  direct.disconnect();
  await server.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** A redis() tier of its own (client, leases) under `prefix`, closed after the test. */
function tierOn(prefix: string, options: Partial<RedisTierOptions> = {}): RedisTier {
  const tier = redis({ url, prefix, timeout: TIMEOUT_MS, ...options });
  tiers.push(tier);
  return tier;
}

/** A [ram, redis] cache under `prefix`. */
const cacheOn = (prefix: string, options: Partial<RedisTierOptions> = {}) =>
  Cache.open({ tiers: [ram(), tierOn(prefix, options)] });

/**
 * Two caches under `prefix`, as two processes: the first holds key k's lease for a load of `holdMs` ('from a'),
 * the second's getOrSet of k ('from b') waits on it. Both closed after the test.
 */
async function holderAndWaiter(prefix: string, lease: { timeout: number }, holdMs: number) {
  const [a, b] = await Promise.all([cacheOn(prefix, { lease }), cacheOn(prefix, { lease })]);
  caches.push(a, b);
  const held = a.getOrSet('k', async () => (await sleep(holdMs), 'from a'));
  await sleep(50);
  const waiting = b.getOrSet('k', () => 'from b');
  await sleep(50);
  return { held, waiting };
}

/** A fixtures/lease-worker.mjs process, its stdout a line at a time. */
class LeaseProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly #lines: string[] = [];
  readonly #waiting: Array<() => void> = [];

  constructor(args: string[]) {
    const script = new URL('./fixtures/lease-worker.mjs', import.meta.url).pathname;
    this.child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.#lines.push(line);
      this.#waiting.splice(0).forEach((wake) => wake());
    });
  }

  /** The first line `accept` takes, once printed. */
  async line(accept: (line: string) => boolean): Promise<string> {
    for (;;) {
      const found = this.#lines.find(accept);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  go(): void {
    this.child.stdin!.write('go\n');
  }

  /** Its report, once it has ended by itself. */
  async result(): Promise<{ right: number; ms: number }> {
    const report = await this.line((line) => line.startsWith('{'));
    expect(await this.exited).toBe(0);
    return JSON.parse(report) as { right: number; ms: number };
  }
}

/** Runs `count` processes on the same keys at once (every other one on the WebAssembly build): reports, loads per key. */
async function burst(count: number, args: string[]) {
  const prefix = freshPrefix();
  const build = (i: number) => (i % 2 === 0 ? 'node' : 'wasm');
  const workers = Array.from({ length: count }, (_, i) => new LeaseProcess([build(i), url, prefix, ...args]));
  await Promise.all(workers.map((worker) => worker.line((line) => line === 'ready')));
  workers.forEach((worker) => worker.go());
  const results = await Promise.all(workers.map((worker) => worker.result()));
  const loads = Object.values(await direct.hgetall(`${prefix}loads`));
  expect(await direct.keys(`${prefix}lease:*`)).toEqual([]); // every lease let go
  return { results, loads };
}

describe('across processes', () => {
  test('8 processes (both builds) missing the same 100 keys at once run each key\'s loader once in all', async () => {
    const { results, loads } = await burst(8, ['100', '100', '5000']);
    for (const result of results) expect(result.right).toBe(100);
    expect(loads).toHaveLength(100);
    expect(loads.every((count) => count === '1')).toBe(true);
    // The control: the same burst without leases loads keys more than once, so the processes did miss together.
    const unled = await burst(8, ['100', '100', 'off']);
    const unledLoads = unled.loads.reduce((sum, count) => sum + Number(count), 0);
    expect(unledLoads).toBeGreaterThan(100);
    const times = (each: typeof results) => each.map((result) => result.ms).join(', ');
    console.log(`8 processes x 100 keys, ms each: leased ${times(results)}; unleased (${unledLoads} loads) ${times(unled.results)}`);
  }, 30_000);

  test('a holder killed (SIGKILL) mid-load: a waiting process loads once its lease times out, within the bound', async () => {
    const prefix = freshPrefix();
    const leaseMs = 1000;
    const holder = new LeaseProcess(['node', url, prefix, '1', '0', String(leaseMs), 'hold']);
    await holder.line((line) => line === 'ready');
    holder.go();
    await holder.line((line) => line === 'loading');
    await using cache = await cacheOn(prefix, { lease: { timeout: leaseMs } });
    let loadedAt = 0;
    const waiting = cache.getOrSet('key:0', () => {
      loadedAt = Date.now();
      return 'loaded here';
    });
    await sleep(leaseMs * 1.5); // longer than the lease: the live holder renews it
    expect(loadedAt).toBe(0);
    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    await holder.exited;
    expect(text(await waiting)).toBe('loaded here');
    // Renewed each third of the lease: between two thirds and all of it was left, then one reread and one EVAL.
    expect(loadedAt - killedAt).toBeGreaterThanOrEqual(leaseMs / 2);
    expect(loadedAt - killedAt).toBeLessThan(leaseMs + 2 * TIMEOUT_MS);
    expect(await direct.hget(`${prefix}loads`, 'key:0')).toBe('1'); // the holder's
  }, 20_000);
});

describe('within one process, caches as other processes', () => {
  test('a loader that throws: its caller gets ERR_LOADER; a waiting cache (the other build) is told and loads', async () => {
    const prefix = freshPrefix();
    await using a = await cacheOn(prefix);
    await using b = await WasmCache.open({ tiers: [ram(), tierOn(prefix)] });
    let failedAt = 0;
    const loadedAt: number[] = [];
    const failing = a.getOrSet('k', async () => {
      await sleep(300);
      failedAt = Date.now();
      throw new Error('origin down');
    });
    await sleep(50); // a holds the lease
    const waiting = b.getOrSet('k', () => {
      loadedAt.push(Date.now());
      return 'loaded by b';
    });
    await expect(failing).rejects.toMatchObject({ code: 'ERR_LOADER' });
    expect(text(await waiting)).toBe('loaded by b');
    expect(loadedAt).toHaveLength(1);
    expect(loadedAt[0]).toBeGreaterThanOrEqual(failedAt);
    expect(loadedAt[0]! - failedAt).toBeLessThan(500); // told by the release, not the lease's 5 s expiry
    expect(text(await a.get('k'))).toBe('loaded by b');
  });

  test('a loader outliving the lease timeout renews it: the others wait for its value and load nothing', async () => {
    const prefix = freshPrefix();
    const lease = { timeout: 300 };
    await using a = await cacheOn(prefix, { lease });
    await using b = await cacheOn(prefix, { lease });
    await using c = await cacheOn(prefix, { lease });
    let loads = 0;
    const loader = async () => {
      loads++;
      await sleep(1200);
      return 'slow value';
    };
    const first = a.getOrSet('k', loader);
    await sleep(50);
    const values = await Promise.all([first, b.getOrSet('k', loader), c.getOrSet('k', loader)]);
    expect(values.map(text)).toEqual(['slow value', 'slow value', 'slow value']);
    expect(loads).toBe(1);
  });

  test('leases are per namespace and key; lease: false leaves each cache to load on its own', async () => {
    const prefix = freshPrefix();
    await using a = await cacheOn(prefix);
    await using b = await cacheOn(prefix);
    const held = a.namespace('x').getOrSet('k', async () => (await sleep(2000), 'x'));
    await sleep(50);
    const started = Date.now();
    expect(text(await b.namespace('y').getOrSet('k', () => 'y'))).toBe('y');
    expect(text(await b.getOrSet('k', () => 'own'))).toBe('own');
    expect(Date.now() - started).toBeLessThan(500); // neither waited on namespace x's lease
    await held;
    const unled = freshPrefix();
    await using c = await cacheOn(unled, { lease: false });
    await using d = await cacheOn(unled, { lease: false });
    let loads = 0;
    const loader = async () => (loads++, await sleep(100), 'v');
    await Promise.all([c.getOrSet('k', loader), d.getOrSet('k', loader)]);
    expect(loads).toBe(2);
  });

  test('Redis down: getOrSet loads here at once, and no credential reaches an error or event', async () => {
    const port = await freePort(); // nothing listens
    const tier = redis({ url: `redis://user:secret-word@127.0.0.1:${port}`, timeout: TIMEOUT_MS });
    tiers.push(tier);
    await using cache = await Cache.open({ tiers: [ram(), tier] });
    const events: unknown[] = [];
    cache.on('error', (event) => events.push(event));
    const started = Date.now();
    expect(text(await cache.getOrSet('k', () => 'local'))).toBe('local');
    expect(Date.now() - started).toBeLessThan(4 * TIMEOUT_MS);
    await sleep(20);
    expect(events.length).toBeGreaterThan(0);
    expect(inspect(events, { depth: 8 })).not.toContain('secret-word');
  });

  test('Redis stalled (DEBUG SLEEP) under a waiting cache: the wait ends within the bound and it loads itself', async () => {
    const prefix = freshPrefix();
    const lease = { timeout: 600 };
    const { held, waiting } = await holderAndWaiter(prefix, lease, 2500);
    const staller = new Redis(server.port, '127.0.0.1');
    const stall = staller.call('DEBUG', 'SLEEP', '3');
    try {
      await sleep(20);
      const stalledAt = Date.now();
      expect(text(await waiting)).toBe('from b');
      // The lease's time left (at most its timeout), then a reread, an EVAL and the value's write, each bounded.
      expect(Date.now() - stalledAt).toBeLessThan(lease.timeout + 3 * TIMEOUT_MS + SLACK);
    } finally {
      await stall; // the next test needs the server awake
      staller.disconnect();
    }
    expect(text(await held)).toBe('from a');
  }, 20_000);

  test('a lease without an expiry (not one of ours) gets one: a waiter loads once it ends', async () => {
    const prefix = freshPrefix();
    await using cache = await cacheOn(prefix, { lease: { timeout: 300 } });
    await direct.set(`${prefix}lease:${leaseName('', 'k')}`, 'someone else');
    const started = Date.now();
    expect(text(await cache.getOrSet('k', () => 'loaded'))).toBe('loaded');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(300 + 2 * TIMEOUT_MS);
  });

  test('Redis killed and restarted under a holder and a waiter: both settle within the bound', async () => {
    const prefix = freshPrefix();
    const lease = { timeout: 600 };
    const { held, waiting } = await holderAndWaiter(prefix, lease, 1000);
    const killedAt = Date.now();
    await server.stop();
    await sleep(100);
    await server.start(); // empty: the lease is gone
    expect(text(await waiting)).toBe('from b');
    expect(Date.now() - killedAt).toBeLessThan(lease.timeout + 3 * TIMEOUT_MS + SLACK);
    expect(text(await held)).toBe('from a');
  });

  test('close() while waiting on another\'s lease: ERR_CLOSED at once, no load, and tier.close() unsubscribes', async () => {
    const prefix = freshPrefix();
    const lease = { timeout: 400 };
    await using a = await cacheOn(prefix, { lease });
    const bTier = redis({ url, prefix, timeout: TIMEOUT_MS, lease });
    const b = await Cache.open({ tiers: [ram(), bTier] });
    const held = a.getOrSet('k', async () => (await sleep(1500), 'from a'));
    await sleep(50);
    let loads = 0;
    const waiting = b.getOrSet('k', () => (loads++, 'from b'));
    const outcome = waiting.then(() => 'resolved', (error: { code?: string }) => error.code);
    await sleep(100);
    expect(await direct.call('PUBSUB', 'NUMSUB', `${prefix}lease`)).toEqual([`${prefix}lease`, 1]);
    const closedAt = Date.now();
    const closing = b.close();
    expect(await outcome).toBe('ERR_CLOSED');
    expect(Date.now() - closedAt).toBeLessThan(100);
    await closing;
    await bTier.close();
    await sleep(50);
    expect(await direct.call('PUBSUB', 'NUMSUB', `${prefix}lease`)).toEqual([`${prefix}lease`, 0]);
    expect(text(await held)).toBe('from a');
    await sleep(lease.timeout); // past a lease b would have waited out
    expect(loads).toBe(0);
  });
  test('the tier closed under a waiting cache: the wait ends at once and the cache loads itself', async () => {
    const prefix = freshPrefix();
    await using a = await cacheOn(prefix);
    const bTier = tierOn(prefix); // closed again after the test: b's calls after the close reconnect it
    await using b = await Cache.open({ tiers: [ram(), bTier] });
    const held = a.getOrSet('k', async () => (await sleep(1500), 'from a'));
    await sleep(50);
    const waiting = b.getOrSet('k', () => 'from b');
    await sleep(100);
    const closedAt = Date.now();
    await bTier.close();
    expect(text(await waiting)).toBe('from b');
    expect(Date.now() - closedAt).toBeLessThan(4 * TIMEOUT_MS); // not the lease's 5 s
    expect(text(await held)).toBe('from a');
  });
});

test('lease options are checked: ERR_INVALID_ARG naming the option', () => {
  const invalid = (message: string | RegExp) =>
    expect.objectContaining({ code: 'ERR_INVALID_ARG', message: expect.stringMatching(message) });
  expect(() => redis({ client: direct, lease: 5 as never })).toThrow(
    invalid(/^lease must be an options object, as in \{ timeout: '5s' \}, or false$/),
  );
  expect(() => redis({ client: direct, lease: { timeout: -1 } })).toThrow(invalid(/^lease.timeout must be a positive duration/));
  expect(() => redis({ client: direct, lease: { timeout: 'soon' } })).toThrow(invalid(/^lease.timeout 'soon' is not/));
});
