// keyv() tiers on a real memcached (started here on a free loopback port) through @keyv/memcache, in both
// builds: bytes round-trip, TTLs, promotions, a Keyv instance as well as an adapter, and memcached killed and
// restarted under a running cache.
import KeyvMemcache from '@keyv/memcache';
import Keyv from 'keyv';

import { keyv, ram } from '../../dist/node.js';
import { backends, sleep, text } from './backends.js';
import { freePort, LoopbackServer } from './loopback.js';
import { expectOutageAndRecovery } from './outage.js';

/** A memcached of its own on 127.0.0.1:port. */
function memcachedOn(port: number): LoopbackServer {
  const asRoot = process.getuid?.() === 0 ? ['-u', 'root'] : []; // memcached refuses root without it
  return new LoopbackServer(port, 'memcached', ['-l', '127.0.0.1', '-p', String(port), '-U', '0', ...asRoot]);
}

let memcached: LoopbackServer;
const adapters: KeyvMemcache[] = [];
/** An adapter on the test's memcached, with a short per-request timeout and no retries. */
function adapter(): KeyvMemcache {
  const store = new KeyvMemcache(`127.0.0.1:${memcached.port}`, { timeout: 0.3, retries: 0, logger: { log() {} } });
  store.on('error', () => {}); // the tier reports failures; the adapter's own events are not needed
  adapters.push(store);
  return store;
}

beforeAll(async () => {
  memcached = memcachedOn(await freePort());
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
    await expectOutageAndRecovery(cache, memcached, 'memcached', 2000);
    await using other = await Cache.open({ tiers: [keyv(adapter(), { name: 'memcached' })] });
    expect(text(await other.get('after'))).toBe('v');
  }, 20_000);
});
