// redis() tiers on real servers the tests start on free loopback ports: one redis-server, and a Redis Cluster
// of three masters. Bytes round-trip, server-side TTLs, prefixes, clear(), promotions, the cache contract, keys
// spread over the masters, and a server killed and restarted under a running cache.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { Cluster, Redis } from 'ioredis';

import { Cache, keyDigest, ram, redis, type RedisTier } from '../../dist/node.js';
import { backends, sleep, text } from './backends.js';
import { tierContract } from './contract-cases.js';
import { freePort, LoopbackServer, redisServer } from './loopback.js';
import { expectOutageAndRecovery } from './outage.js';

const run = promisify(execFile);

const folder = mkdtempSync(join(tmpdir(), 'strata-redis-'));
const redisOn = (port: number, extra: string[] = []) => redisServer(folder, port, extra);

const servers: LoopbackServer[] = [];
const clients: Array<Redis | Cluster> = [];
let single: LoopbackServer;
let client: Redis;
let cluster: Cluster;
let prefixes = 0;
const freshPrefix = () => `test${++prefixes}:`;

/** Waits until every master of the cluster reports it can serve all slots. */
async function untilClusterOk(port: number): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
    if (stdout.includes('cluster_state:ok')) return;
    await sleep(50);
  }
  throw new Error('the cluster did not come up');
}

beforeAll(async () => {
  single = redisOn(await freePort());
  const masters: LoopbackServer[] = [];
  for (let i = 0; i < 3; i++) {
    masters.push(redisOn(await freePort(), ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']));
  }
  servers.push(single, ...masters);
  await Promise.all(servers.map((server) => server.start()));
  const addresses = masters.map((master) => `127.0.0.1:${master.port}`);
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
  await Promise.all(masters.map((master) => untilClusterOk(master.port)));
  client = new Redis(single.port, '127.0.0.1');
  cluster = new Cluster(masters.map((master) => ({ host: '127.0.0.1', port: master.port })));
  clients.push(client, cluster);
  await cluster.ping();
}, 20_000);

afterAll(async () => {
  for (const each of clients) each.disconnect();
  await Promise.all(servers.map((server) => server.stop()));
  rmSync(folder, { recursive: true, force: true });
});

const onSingle = (options: { prefix?: string; ttl?: number | string | null } = {}) =>
  redis({ client, prefix: freshPrefix(), ...options });
const onCluster = (options: { prefix?: string } = {}) =>
  redis({ client: cluster, prefix: freshPrefix(), ...options });

/** Retries `write` (rejecting while the tier's client reconnects) until it succeeds, for up to two seconds. */
async function expectWhenReady(write: () => Promise<unknown>): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      return void (await write());
    } catch (error) {
      if (tries === 40) throw error;
      await sleep(50);
    }
  }
}

describe.each(backends)('redis() values (%s)', (name, Cache) => {
  test('all 256 byte values and 1 MB round-trip exactly, stored as bytes under the prefix', async () => {
    const prefix = `bytes-${name}:`;
    await using cache = await Cache.open({ tiers: [onSingle({ prefix })] });
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const large = new Uint8Array(1_000_000).map((_, i) => (i * 7) & 0xff);
    await cache.set('every', every);
    await cache.set('large', large);
    expect(Array.from((await cache.get('every'))!)).toEqual(Array.from(every));
    expect(Buffer.compare(Buffer.from((await cache.get('large'))!), Buffer.from(large))).toBe(0);
    const stored = await client.getBuffer(`${prefix}${keyDigest('large')}`);
    expect(stored!.length).toBeGreaterThan(1_000_000); // the entry's frame around the value
    expect(await cache.has('every')).toBe(true);
    expect(await cache.delete('every')).toBe(true);
    expect(await client.exists(`${prefix}${keyDigest('every')}`)).toBe(0);
  });
});

describe('redis() on one server', () => {
  test('the server enforces the TTL (PTTL) and drops the entry itself', async () => {
    await using cache = await Cache.open({ tiers: [onSingle({ prefix: 'ttl:' })] });
    await cache.set('short', 'v', { ttl: 300 });
    await cache.set('forever', 'v', { ttl: null });
    const pttl = await client.pttl(`ttl:${keyDigest('short')}`);
    expect(pttl).toBeGreaterThan(200);
    expect(pttl).toBeLessThanOrEqual(300);
    expect(await client.pttl(`ttl:${keyDigest('forever')}`)).toBe(-1);
    await sleep(400);
    expect(await client.exists(`ttl:${keyDigest('short')}`)).toBe(0);
    expect(await cache.get('short')).toBeUndefined();
  });

  test('two prefixes are two caches; clear() removes only its own prefix', async () => {
    await client.set('unrelated', 'x');
    await using one = await Cache.open({ tiers: [onSingle({ prefix: 'one:' })] });
    await using two = await Cache.open({ tiers: [onSingle({ prefix: 'two:' })] });
    for (let i = 0; i < 2500; i++) await one.set(`k${i}`, 'one'); // more than one SCAN page
    await two.set('k0', 'two');
    expect(text(await one.get('k0'))).toBe('one');
    expect(text(await two.get('k0'))).toBe('two');
    await one.clear();
    expect(await client.keys('one:*')).toEqual([]);
    expect(text(await two.get('k0'))).toBe('two');
    expect(await client.get('unrelated')).toBe('x');
  });

  test('a hit is promoted into the RAM tier above', async () => {
    const tier = onSingle();
    await using writer = await Cache.open({ tiers: [tier] });
    await writer.set('k', 'v');
    await using reader = await Cache.open({ tiers: [ram(), tier] });
    expect(text(await reader.get('k'))).toBe('v');
    expect(text(reader.getSync('k'))).toBe('v');
    expect(reader.stats().tiers.map((each) => each.promotions)).toEqual([1, 0]);
  });

  test('reads past RAM decode the stored frame: another key\'s entry or bytes that are no frame are misses and error events; a hit keeps its remaining TTL', async () => {
    const prefix = freshPrefix();
    const tier = redis({ client, prefix });
    await using writer = await Cache.open({ tiers: [tier] });
    await writer.set('a', 'A', { ttl: 400 });
    await using reader = await Cache.open({ tiers: [ram({ ttl: null }), tier] });
    const codes: string[] = [];
    reader.on('error', (event) => codes.push((event as { error: { code: string } }).error.code));
    const frameOfA = await client.getBuffer(prefix + keyDigest('a'));
    await client.set(prefix + keyDigest('b'), frameOfA!); // as a digest collision would
    expect(await reader.get('b')).toBeUndefined();
    await client.set(prefix + keyDigest('c'), Buffer.from([1, 2, 3]));
    expect(await reader.get('c')).toBeUndefined();
    for (let tries = 0; tries < 100 && codes.length < 2; tries++) await sleep(10); // events arrive a tick later
    expect(codes).toEqual(['ERR_CORRUPT', 'ERR_CORRUPT']);
    expect(text(await reader.get('a'))).toBe('A'); // promoted into RAM with under 400 ms left, not "never"
    expect(reader.stats().tiers.map((each) => [each.hits, each.misses, each.promotions])).toEqual([[0, 3, 1], [1, 2, 0]]);
    expect(reader.stats()).toMatchObject({ hits: 1, misses: 2 });
    await sleep(500);
    expect(reader.getSync('a')).toBeUndefined();
    await client.set(prefix + keyDigest('a'), frameOfA!); // the server kept a frame whose expiry has passed
    expect(await reader.get('a')).toBeUndefined();
    await sleep(50);
    expect(codes).toHaveLength(2);
  });

  test('a namespace view reads its own keys past RAM, promoted into RAM', async () => {
    const tier = onSingle();
    await using writer = await Cache.open({ tiers: [tier] });
    await writer.namespace('ns').set('k', 'in ns');
    await writer.set('k', 'outside');
    await using reader = await Cache.open({ tiers: [ram(), tier] });
    const view = reader.namespace('ns');
    expect(text(await view.get('k'))).toBe('in ns');
    expect(text(view.getSync('k'))).toBe('in ns');
    expect(text(await reader.get('k'))).toBe('outside');
    expect(await view.get('missing')).toBeUndefined();
  });

  test('coherence and leases share the tier\'s one subscriber connection', async () => {
    const prefix = freshPrefix();
    const tier = redis({ client, prefix });
    await using one = await Cache.open({ tiers: [ram(), tier] });
    await using two = await Cache.open({ tiers: [ram(), tier] });
    const subscribers = async (channel: string) => ((await client.pubsub('NUMSUB', channel)) as [string, number])[1];
    const until = async (done: () => Promise<boolean>) => {
      for (let tries = 0; tries < 200 && !(await done()); tries++) await sleep(10);
    };
    await until(async () => (await subscribers(`${prefix}changes`)) === 1); // coherence, at open
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = one.getOrSet('k', async () => (loads++, await gate, 'v'));
    await sleep(50); // its lease taken
    const second = two.getOrSet('k', async () => (loads++, 'w'));
    await until(async () => (await subscribers(`${prefix}lease`)) === 1); // a wait on the lease
    const connections = String(await client.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).trim().split('\n');
    // the changes, this tier's heartbeats and the leases, on one connection (each alone: 2 and 1)
    expect(connections.filter((line) => / sub=3 /.test(line))).toHaveLength(1);
    release();
    expect(text(await first)).toBe('v');
    expect(text(await second)).toBe('v');
    expect(loads).toBe(1);
  });

  test('the commands of calls made together leave in one write to the socket', async () => {
    const own = new Redis(single.port, '127.0.0.1');
    clients.push(own);
    await own.ping();
    type Writes = (this: unknown, ...args: unknown[]) => void;
    const socket = own.stream as unknown as { _write: Writes; _writev: Writes };
    const writes = { one: 0, many: 0 };
    const { _write: one, _writev: many } = socket;
    socket._write = function (...args) { writes.one++; one.apply(this, args); };
    socket._writev = function (...args) { writes.many++; many.apply(this, args); };
    await using cache = await Cache.open({ tiers: [redis({ client: own, prefix: freshPrefix() })] });
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((key) => cache.set(key, key)));
    expect(writes).toEqual({ one: 0, many: 1 });
    expect((await Promise.all(keys.map((key) => cache.get(key)))).map(text)).toEqual(keys);
    expect(writes).toEqual({ one: 0, many: 2 });
    await cache.get('k0'); // alone: a write of its own, in the same tick
    expect(writes).toEqual({ one: 1, many: 2 });
  });

  test('a call through a closed tier fails (a miss, a rejected write) and opens no connection', async () => {
    const tier = redis({ url: `redis://127.0.0.1:${single.port}`, prefix: freshPrefix(), coherent: false, lease: false });
    await using cache = await Cache.open({ tiers: [tier] });
    await cache.set('k', 'v');
    const connections = async () => String(await client.client('LIST')).trim().split('\n').length;
    const open = await connections();
    await tier.close();
    for (let tries = 0; tries < 100 && (await connections()) !== open - 1; tries++) await sleep(10);
    expect(await cache.get('k')).toBeUndefined();
    await expect(cache.set('k', 'w')).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE', tier: 'redis' });
    expect(await connections()).toBe(open - 1);
  });

  test('redis() needs exactly one of url and client', () => {
    expect(() => redis({})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    expect(() => redis({ url: 'redis://127.0.0.1', client })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG' }),
    );
  });

  test('without ioredis installed, redis({ url }) fails at once with ERR_MISSING_LIBRARY naming the install', async () => {
    const alone = join(folder, 'no-ioredis'); // no node_modules above it
    cpSync('dist', alone, { recursive: true });
    const script = `import('./redis.js').then((m) => m.redis({ url: 'redis://127.0.0.1:1' }))
      .catch((error) => console.log(JSON.stringify({ code: error.code, message: error.message })));`;
    const { stdout } = await run(process.execPath, ['-e', script], { cwd: alone });
    expect(JSON.parse(stdout)).toEqual({
      code: 'ERR_MISSING_LIBRARY', message: 'redis({ url }) needs ioredis: npm install ioredis',
    });
  });

  test('stalled (DEBUG SLEEP) or down at open: each call settles within the timeout, then the tier works', async () => {
    const server = redisOn(await freePort(), ['--enable-debug-command', 'local']);
    servers.push(server);
    const tier: RedisTier = redis({ url: `redis://127.0.0.1:${server.port}`, timeout: 300 });
    try {
      await using cache = await Cache.open({ tiers: [tier] });
      const codes: string[] = [];
      cache.on('error', (event) => codes.push((event as { error: { code: string } }).error.code));
      let started = Date.now();
      expect(await cache.get('k')).toBeUndefined(); // nothing listens yet
      expect(Date.now() - started).toBeLessThan(600);
      await server.start();
      await expectWhenReady(() => cache.set('k', 'v'));
      const staller = new Redis(server.port, '127.0.0.1');
      clients.push(staller);
      const stall = staller.call('DEBUG', 'SLEEP', '1.5');
      await sleep(50);
      started = Date.now();
      expect(await cache.get('k')).toBeUndefined();
      await expect(cache.set('k2', 'v')).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE', tier: 'redis' });
      expect(Date.now() - started).toBeLessThan(1000);
      await stall;
      expect(text(await cache.get('k'))).toBe('v');
      expect(codes.length).toBeGreaterThanOrEqual(2);
      expect(new Set(codes)).toEqual(new Set(['ERR_UNAVAILABLE']));
    } finally {
      await tier.close();
    }
  }, 20_000);

  test('a read past RAM in flight when its cache closes (server stalled) settles with ERR_CLOSED within the timeout', async () => {
    const server = redisOn(await freePort(), ['--enable-debug-command', 'local']);
    servers.push(server);
    await server.start();
    const tier: RedisTier = redis({ url: `redis://127.0.0.1:${server.port}`, timeout: 300, coherent: false });
    try {
      const cache = await Cache.open({ tiers: [ram(), tier] });
      await cache.set('k', 'v');
      const other = await Cache.open({ tiers: [ram(), tier] }); // its RAM misses, so its read goes to Redis
      const staller = new Redis(server.port, '127.0.0.1');
      clients.push(staller);
      const stall = staller.call('DEBUG', 'SLEEP', '1');
      await sleep(50);
      const started = Date.now();
      const reading = other.get('k');
      await other.close();
      await expect(reading).rejects.toMatchObject({ code: 'ERR_CLOSED' });
      expect(Date.now() - started).toBeLessThan(900);
      await stall;
      expect(text(await cache.get('k'))).toBe('v'); // the tier and the other cache on it go on
      await cache.close();
    } finally {
      await tier.close();
    }
  }, 20_000);

  test('killed mid-run: calls settle within the timeout as misses and error events, and it recovers', async () => {
    const server = redisOn(await freePort());
    servers.push(server);
    await server.start();
    const tier: RedisTier = redis({ url: `redis://127.0.0.1:${server.port}`, timeout: 300 });
    try {
      await using cache = await Cache.open({ tiers: [ram(), tier] });
      await expectOutageAndRecovery(cache, server, 'redis', 1000);
      const direct = new Redis(server.port, '127.0.0.1');
      clients.push(direct);
      expect(await direct.exists(`strata:${keyDigest('after')}`)).toBe(1);
    } finally {
      await tier.close();
    }
  }, 20_000);
});

test('the example (examples/redis) runs as a user runs it', async () => {
  const script = new URL('../../examples/redis/index.mjs', import.meta.url).pathname;
  const env = { ...process.env, REDIS_URL: `redis://127.0.0.1:${single.port}` };
  const { stdout } = await run(process.execPath, [script], { env, timeout: 10_000 });
  expect(stdout.split('\n')).toEqual([
    'machine B reads: hello from machine A',
    'machine B again, from its RAM: hello from machine A',
    'machine B: 1 RAM hit, 1 Redis hit, 1 promotion',
    'after clear, a third cache reads: miss',
    '',
  ]);
  expect(await client.keys('stratacache-example:*')).toEqual([]);
});

describe('redis() on a Cluster of three masters', () => {
  test('keys spread over every master and all read back; clear() empties the prefix on each', async () => {
    const prefix = freshPrefix();
    await using cache = await Cache.open({ tiers: [onCluster({ prefix })] });
    for (let i = 0; i < 60; i++) await cache.set(`k${i}`, `v${i}`);
    for (let i = 0; i < 60; i++) expect(text(await cache.get(`k${i}`))).toBe(`v${i}`);
    const perMaster = await Promise.all(cluster.nodes('master').map((node) => node.keys(`${prefix}*`)));
    expect(perMaster).toHaveLength(3);
    for (const keys of perMaster) expect(keys.length).toBeGreaterThan(0);
    expect(perMaster.flat()).toHaveLength(60);
    await cluster.set('other:key', 'x');
    await cache.clear();
    const after = await Promise.all(cluster.nodes('master').map((node) => node.keys(`${prefix}*`)));
    expect(after.flat()).toEqual([]);
    expect(await cluster.get('other:key')).toBe('x');
  });

  test('getOrSet leases work there too: a cache waiting on another\'s lease is told when it lands', async () => {
    const prefix = freshPrefix();
    await using a = await Cache.open({ tiers: [ram(), onCluster({ prefix })] });
    await using b = await Cache.open({ tiers: [ram(), onCluster({ prefix })] }); // leases of its own
    let loads = 0;
    const loader = async () => (loads++, await sleep(300), 'once');
    const first = a.getOrSet('k', loader);
    await sleep(50);
    const started = Date.now();
    expect(text(await b.getOrSet('k', loader))).toBe('once');
    expect(Date.now() - started).toBeLessThan(1000); // the release's message, not the lease's 5 s expiry
    expect(text(await first)).toBe('once');
    expect(loads).toBe(1);
  });
});

describe('Cache contract ([redis])', () => {
  tierContract({ Cache, tiers: (options = {}) => [onSingle(options)] });
});
describe('Cache contract ([ram, redis])', () => {
  tierContract({ Cache, tiers: (options = {}) => [ram(options), onSingle(options)] });
});
