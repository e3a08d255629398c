// keyv() tiers on a real memcached (started here on a free loopback port) through @keyv/memcache, in both
// builds: bytes round-trip, TTLs, promotions, a Keyv instance as well as an adapter, and memcached killed and
// restarted under a running cache.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

import KeyvMemcache from '@keyv/memcache';
import Keyv from 'keyv';

import { keyv, ram } from '../../dist/node.js';
import { backends, sleep, text } from './backends.js';

type Event = { type: string; tier: string; error?: { code: string; message: string } };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A memcached of its own on 127.0.0.1:port, ready once it accepts connections. */
class Memcached {
  #process: ChildProcess | undefined;
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    const asRoot = process.getuid?.() === 0 ? ['-u', 'root'] : []; // memcached refuses root without it
    this.#process = spawn('memcached', ['-l', '127.0.0.1', '-p', String(this.port), '-U', '0', ...asRoot], {
      stdio: 'ignore',
    });
    for (let tries = 0; tries < 100; tries++) {
      if (await this.#accepts()) return;
      await sleep(20);
    }
    throw new Error('memcached did not start');
  }

  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  #accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
  }
}

let memcached: Memcached;
const adapters: KeyvMemcache[] = [];
/** An adapter on the test's memcached, with a short per-request timeout and no retries. */
function adapter(): KeyvMemcache {
  const store = new KeyvMemcache(`127.0.0.1:${memcached.port}`, { timeout: 0.3, retries: 0, logger: { log() {} } });
  store.on('error', () => {}); // the tier reports failures; the adapter's own events are not needed
  adapters.push(store);
  return store;
}

beforeAll(async () => {
  memcached = new Memcached(await freePort());
  await memcached.start();
});
afterAll(async () => {
  for (const store of adapters) store.client.close();
  await memcached.stop();
});

describe.each(backends)('keyv() on memcached (%s)', (_name, Cache) => {
  test('bytes of every value round-trip, small and large, and a hit is promoted into RAM', async () => {
    const store = adapter();
    await using writer = await Cache.open({ tiers: [keyv(store, { name: 'memcached' })] });
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const large = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
    await writer.set('every', every);
    await writer.set('large', large);
    await writer.set('text', 'héllo');
    await using reader = await Cache.open({ tiers: [ram(), keyv(store, { name: 'memcached' })] });
    expect(Array.from((await reader.get('every'))!)).toEqual(Array.from(every));
    expect(Buffer.compare(Buffer.from((await reader.get('large'))!), Buffer.from(large))).toBe(0);
    expect(text(await reader.get('text'))).toBe('héllo');
    expect(text(reader.getSync('text'))).toBe('héllo'); // promoted
    expect(reader.stats().tiers.map((tier) => tier.promotions)).toEqual([3, 0]);
    expect(await reader.delete('text')).toBe(true);
    expect(await writer.get('text')).toBeUndefined();
  });

  test('a TTL under memcached\'s one second is still exact, and a Keyv instance over the adapter works too', async () => {
    await using cache = await Cache.open({ tiers: [keyv(new Keyv({ store: adapter() }), { name: 'memcached' })] });
    await cache.set('short', 'v', { ttl: 200 });
    await cache.set('long', 'v', { ttl: '1h' });
    expect(text(await cache.get('short'))).toBe('v');
    await sleep(300);
    expect(await cache.get('short')).toBeUndefined();
    expect(text(await cache.get('long'))).toBe('v');
    expect(await cache.has('long')).toBe(true);
  });

  test('memcached killed mid-run: calls settle as misses and error events, and the tier recovers when it returns', async () => {
    await using cache = await Cache.open({ tiers: [ram(), keyv(adapter(), { name: 'memcached', timeout: 500 })] });
    const events: Event[] = [];
    cache.on('error', (event) => events.push(event as Event));
    await cache.set('before', 'v');
    await memcached.stop();
    const started = Date.now();
    const results = await Promise.all([
      cache.get('missing'),
      cache.set('during', 'v').then(() => 'set'),
      cache.get('other'),
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(results).toEqual([undefined, 'set', undefined]); // the set went to RAM; memcached passed over
    await sleep(20);
    expect(events.length).toBeGreaterThanOrEqual(3);
    for (const event of events) expect(event).toMatchObject({ tier: 'memcached', error: { code: 'ERR_UNAVAILABLE' } });
    await memcached.start(); // empty again, on the same port
    let recovered = false;
    for (let tries = 0; tries < 50 && !recovered; tries++) {
      events.length = 0;
      await cache.set('after', 'v');
      recovered = events.length === 0;
      if (!recovered) await sleep(50);
    }
    expect(recovered).toBe(true);
    await using other = await Cache.open({ tiers: [keyv(adapter(), { name: 'memcached' })] });
    expect(text(await other.get('after'))).toBe('v');
  }, 20_000);
});
