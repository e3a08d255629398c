// Coherent RAM tiers through redis() (issue 14 item 3), on redis-servers the tests start on loopback: processes
// each with [ram(), redis()] (both builds) see a set, delete, clear() or write-back demotion made in another within
// the bound, and so they do when the subscription is killed, the server stalls or dies. Also: a Cluster, the
// options, a close racing the subscriber, and examples/replicas run as a user runs it.
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { Cluster, Redis } from 'ioredis';

import { Cache, disk, ram, redis } from '../../dist/node.js';
import { sleep, text } from './backends.js';
import { freePort, LoopbackServer, redisServer } from './loopback.js';

const run = promisify(execFile);
const BOUND = 500; // the coherenceBound every cache here gets, in ms
const SLACK = 250; // timers firing late with four processes on two shared cores

const folder = mkdtempSync(join(tmpdir(), 'strata-coherence-'));
const redisOn = (port: number, extra: string[] = []) => redisServer(folder, port, extra);

const servers: LoopbackServer[] = [];
const clients: Array<Redis | Cluster> = [];
const peers: Peer[] = [];
let prefixes = 0;
const freshPrefix = () => `coherence${++prefixes}:`;

/** A process with a cache of [ram(), redis()] (tests/js/fixtures/coherence-peer.mjs). */
class Peer {
  readonly #child: ChildProcess;
  readonly #answers = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly ready: Promise<void>;
  #next = 0;

  constructor(build: 'node' | 'wasm', url: string, prefix: string, writePolicy = 'through') {
    const script = new URL('./fixtures/coherence-peer.mjs', import.meta.url).pathname;
    this.#child = fork(script, [build, url, prefix, String(BOUND), writePolicy], { stdio: 'inherit' });
    this.ready = new Promise((resolve) => {
      this.#child.on('message', (message: { ready?: true; id?: number; result?: unknown; error?: string }) => {
        if (message.ready) return resolve();
        const answer = this.#answers.get(message.id!)!;
        this.#answers.delete(message.id!);
        if (message.error !== undefined) answer.reject(new Error(message.error));
        else answer.resolve(message.result);
      });
    });
    peers.push(this);
  }

  ask<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#answers.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ id, op, ...args });
    });
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    await this.ask('close');
    expect(await exited).toBe(0); // nothing left keeping it alive
  }
}

async function peersOn(url: string, builds: Array<'node' | 'wasm'>, writePolicy?: string): Promise<Peer[]> {
  const prefix = freshPrefix();
  const started = builds.map((build) => new Peer(build, url, prefix, writePolicy));
  await Promise.all(started.map((peer) => peer.ready));
  await sleep(BOUND); // the first heartbeats are back: the subscriptions work
  return started;
}

/** Each of `readers` sees `key` no longer as `stale`, but as `fresh`, within the bound of `changedAt`. */
async function expectSeen(readers: Peer[], key: string, stale: string | null, fresh: string | null, changedAt: number) {
  const seen = await Promise.all(
    readers.map((peer) => peer.ask<[number, string | null]>('seen', { key, stale, ms: BOUND * 4 })),
  );
  for (const [when, value] of seen) {
    expect(value).toBe(fresh);
    expect(when).toBeGreaterThanOrEqual(changedAt - 5);
    expect(when - changedAt).toBeLessThan(BOUND);
  }
  return seen.map(([when]) => when - changedAt);
}

/** Each of `readers` reads `key` into its RAM tier. */
async function expectInRam(readers: Peer[], key: string, value: string) {
  for (const peer of readers) {
    expect(await peer.ask('get', { key })).toBe(value);
    expect(await peer.ask('ram', { key })).toBe(value);
  }
}

let single: LoopbackServer;
let url: string;
let direct: Redis;

beforeAll(async () => {
  single = redisOn(await freePort(), ['--enable-debug-command', 'local']);
  servers.push(single);
  await single.start();
  url = `redis://127.0.0.1:${single.port}`;
  direct = new Redis(single.port, '127.0.0.1');
  clients.push(direct);
});

afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close().catch(() => undefined)));
});

afterAll(async () => {
  for (const each of clients) each.disconnect();
  await Promise.all(servers.map((server) => server.stop()));
  rmSync(folder, { recursive: true, force: true });
});

describe('four processes on one server, two of each build', () => {
  test('a set, a delete and a clear() in one are seen in the others, not their RAM copies, within the bound', async () => {
    const all = await peersOn(url, ['node', 'wasm', 'node', 'wasm']);
    const others = (writer: Peer) => all.filter((peer) => peer !== writer);
    const [a, b, c, d] = all as [Peer, Peer, Peer, Peer];
    await a.ask('set', { key: 'k', value: 'v1' });
    await expectInRam(others(a), 'k', 'v1');
    let changedAt = await a.ask<number>('set', { key: 'k', value: 'v2' });
    await expectSeen(others(a), 'k', 'v1', 'v2', changedAt);
    await expectInRam(others(a), 'k', 'v2');
    expect(await a.ask('ram', { key: 'k' })).toBe('v2'); // the writer keeps what it wrote

    changedAt = await b.ask<number>('delete', { key: 'k' });
    await expectSeen(others(b), 'k', 'v2', null, changedAt);

    await c.ask('set', { key: 'k', value: 'v3' });
    await c.ask('set', { key: 'other', value: 'o' });
    await expectInRam(others(c), 'k', 'v3');
    await expectInRam(others(c), 'other', 'o');
    changedAt = await d.ask<number>('clear');
    await expectSeen(others(d), 'k', 'v3', null, changedAt);
    await expectSeen(others(d), 'other', 'o', null, changedAt);
  });

  test("write-back: a write is seen by the others once it is written down (a demotion), within the bound", async () => {
    const [writer, ...readers] = await peersOn(url, ['node', 'wasm', 'node', 'wasm'], 'back');
    await writer!.ask('set', { key: 'k', value: 'v1' });
    await writer!.ask('flush');
    await expectInRam(readers, 'k', 'v1');
    await writer!.ask('set', { key: 'k', value: 'v2' }); // in the writer's RAM only, for now
    await sleep(BOUND);
    for (const peer of readers) expect(await peer.ask('ram', { key: 'k' })).toBe('v1');
    const changedAt = await writer!.ask<number>('flush');
    await expectSeen(readers, 'k', 'v1', 'v2', changedAt);
  });
});

describe('a lost connection', () => {
  test('the subscriber killed (CLIENT KILL TYPE pubsub) as another process writes: no stale copy past the bound', async () => {
    const [writer, reader] = await peersOn(url, ['node', 'wasm']);
    for (let round = 0; round < 5; round++) {
      await writer!.ask('set', { key: 'k', value: `v${round}` });
      await expectInRam([reader!], 'k', `v${round}`);
      await direct.client('KILL', 'TYPE', 'pubsub');
      const changedAt = await writer!.ask<number>('set', { key: 'k', value: `v${round + 1}` });
      await expectSeen([reader!], 'k', `v${round}`, `v${round + 1}`, changedAt);
      await sleep(BOUND); // subscribed again, and a heartbeat back
    }
  });

  test.each(['node', 'wasm'] as const)(
    'a stalled server (DEBUG SLEEP): heartbeats stop coming back and the RAM tier empties within the bound (%s)',
    async (build) => {
      const [reader] = await peersOn(url, [build]);
      await reader!.ask('set', { key: 'k', value: 'v' });
      const stalled = new Redis(single.port, '127.0.0.1');
      clients.push(stalled);
      const sleeping = stalled.call('DEBUG', 'SLEEP', '2');
      const stalledAt = Date.now();
      const dropped = await reader!.ask<number>('dropped', { key: 'k', ms: 1500 });
      expect(dropped).toBeGreaterThan(0);
      expect(dropped - stalledAt).toBeLessThan(BOUND + SLACK);
      await sleeping;
      await sleep(BOUND); // heartbeats back
      expect(await reader!.ask('get', { key: 'k' })).toBe('v');
      await sleep(2 * BOUND);
      expect(await reader!.ask('ram', { key: 'k' })).toBe('v'); // kept again while the subscription works
    },
  );

  test('the server killed: RAM tiers hold nothing older than the bound while it is down, and serve again once back', async () => {
    const server = redisOn(await freePort());
    servers.push(server);
    await server.start();
    const [writer, reader] = await peersOn(`redis://127.0.0.1:${server.port}`, ['node', 'wasm']);
    await writer!.ask('set', { key: 'k', value: 'v' });
    await expectInRam([reader!], 'k', 'v');
    await server.stop();
    const killedAt = Date.now();
    const dropped = await reader!.ask<number>('dropped', { key: 'k', ms: 1500 });
    expect(dropped).toBeGreaterThan(0);
    expect(dropped - killedAt).toBeLessThan(BOUND + SLACK);
    // A write while it is down lands in RAM only, and is not kept there past the bound either (whether it is
    // still there when the set resolves depends on how late the timers run: not checked).
    const wroteAt = await reader!.ask<number>('set', { key: 'during', value: 'v' });
    const forgotten = await reader!.ask<number>('dropped', { key: 'during', ms: 1500 });
    expect(forgotten - wroteAt).toBeLessThan(BOUND + SLACK);
    await server.start(); // empty again
    await sleep(1500); // reconnected, subscribed, a heartbeat back
    await writer!.ask('set', { key: 'after', value: 'a' });
    await expectInRam([reader!], 'after', 'a');
    await sleep(2 * BOUND);
    expect(await reader!.ask('ram', { key: 'after' })).toBe('a');
  }, 20_000);
});

test('a Cluster of three masters: caches of separate tier objects see each other\'s changes within the bound', async () => {
  const masters: LoopbackServer[] = [];
  for (let i = 0; i < 3; i++) {
    masters.push(redisOn(await freePort(), ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']));
  }
  servers.push(...masters);
  await Promise.all(masters.map((master) => master.start()));
  await run('redis-cli', ['--cluster', 'create', ...masters.map((m) => `127.0.0.1:${m.port}`), '--cluster-yes']);
  const cluster = new Cluster(masters.map((master) => ({ host: '127.0.0.1', port: master.port })));
  clients.push(cluster);
  for (let tries = 0; tries < 100 && (await cluster.set('probe', '1').catch(() => 'no')) !== 'OK'; tries++) {
    await sleep(50);
  }
  const prefix = freshPrefix();
  const tiers = [redis({ client: cluster, prefix, coherenceBound: BOUND }), redis({ client: cluster, prefix, coherenceBound: BOUND })];
  await using a = await Cache.open({ tiers: [ram(), tiers[0]!] });
  await using b = await Cache.open({ tiers: [ram(), tiers[1]!] });
  await sleep(BOUND);
  const seenBy = async (key: string, stale: string | undefined, since: number) => {
    while (text(await b.get(key)) === stale) {
      expect(Date.now() - since).toBeLessThan(BOUND);
      await sleep(1);
    }
  };
  for (let i = 0; i < 20; i++) await a.set(`k${i}`, 'v1'); // over every master
  for (let i = 0; i < 20; i++) expect(text(await b.get(`k${i}`))).toBe('v1');
  for (let i = 0; i < 20; i++) {
    await a.set(`k${i}`, 'v2');
    await seenBy(`k${i}`, 'v1', Date.now());
  }
  await a.delete('k0');
  await seenBy('k0', 'v2', Date.now());
  expect(text(b.getSync('k1'))).toBe('v2');
  await a.clear();
  await seenBy('k1', 'v2', Date.now());
});

describe('options', () => {
  test('coherent and coherenceBound are checked; a tier above other than ram() is refused at open', async () => {
    const bad = [{ coherent: 'yes' }, { coherenceBound: 10 }, { coherenceBound: 'soon' }] as const;
    for (const options of bad) {
      expect(() => redis({ url, ...(options as object) })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    }
    const path = mkdtempSync(join(folder, 'disk-'));
    await expect(Cache.open({ tiers: [ram(), disk({ path }), redis({ client: direct })] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG',
      message: expect.stringContaining("tier 'disk' cannot sit above 'redis'"),
    });
    await using free = await Cache.open({ tiers: [ram(), disk({ path }), redis({ client: direct, coherent: false })] });
    await free.set('k', 'v');
    expect(text(await free.get('k'))).toBe('v');
  });

  test('coherent: false announces nothing: another cache keeps its RAM copy', async () => {
    const prefix = freshPrefix();
    await using writer = await Cache.open({ tiers: [redis({ client: direct, prefix, coherent: false })] });
    await using reader = await Cache.open({ tiers: [ram(), redis({ client: direct, prefix, coherenceBound: BOUND })] });
    await sleep(BOUND); // its first heartbeat back: until then it empties its RAM tier every half bound
    await writer.set('k', 'v1');
    expect(text(await reader.get('k'))).toBe('v1');
    await writer.set('k', 'v2');
    await sleep(2 * BOUND);
    expect(text(reader.getSync('k'))).toBe('v1');
  });

  test('a server that forgot the scripts (SCRIPT FLUSH, as a restart does) is sent them again: writes still land announced', async () => {
    const prefix = freshPrefix();
    await using writer = await Cache.open({ tiers: [redis({ client: direct, prefix })] });
    await using reader = await Cache.open({ tiers: [ram(), redis({ client: direct, prefix, coherenceBound: BOUND })] });
    await sleep(BOUND); // its first heartbeat back: until then it empties its RAM tier every half bound
    await writer.set('k', 'v1');
    expect(text(await reader.get('k'))).toBe('v1');
    await direct.script('FLUSH');
    await writer.set('k', 'v2');
    await sleep(2 * BOUND);
    expect(reader.getSync('k')).toBeUndefined();
    expect(text(await reader.get('k'))).toBe('v2');
    await direct.script('FLUSH');
    expect(await writer.delete('k')).toBe(true);
    await sleep(2 * BOUND);
    expect(reader.getSync('k')).toBeUndefined();
    expect(await reader.get('k')).toBeUndefined();
  });

  test.each([
    ['up', true],
    ['down', false],
  ])('a close racing the subscriber leaves nothing keeping the process alive (server %s)', async (_, up) => {
    const target = up ? url : `redis://127.0.0.1:${await freePort()}`;
    const script = `
      import { Cache, ram, redis } from '${new URL('../../dist/node.js', import.meta.url).pathname}';
      const tier = redis({ url: '${target}', timeout: 200 });
      const cache = await Cache.open({ tiers: [ram(), tier] });
      const closing = cache.close();
      await tier.close();
      await closing;
      const again = await Cache.open({ tiers: [ram(), tier] });
      setTimeout(() => again.close(), 30);
      setTimeout(() => tier.close(), 31);`;
    const started = Date.now();
    await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 5000 });
    expect(Date.now() - started).toBeLessThan(1800); // ioredis would linger 2 s after a disconnect while retrying
  });
});

test('the example (examples/replicas) runs as a user runs it', async () => {
  const script = new URL('../../examples/replicas/index.mjs', import.meta.url).pathname;
  const env = { ...process.env, REDIS_URL: url };
  const { stdout } = await run(process.execPath, [script], { env, timeout: 15_000 });
  expect(stdout.split('\n')).toEqual([
    'replica 2 reads: v1 (now in its RAM: v1)',
    'replica 1 writes v2',
    'replica 2 reads: v2, its RAM copy dropped within the 1000 ms bound: true',
    'replica 1 deletes it',
    'replica 2 reads: miss, within the bound: true',
    '',
  ]);
  expect(await direct.keys('stratacache-replicas:*')).toEqual([]);
});
