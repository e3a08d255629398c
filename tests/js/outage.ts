// A shared tier's server killed under a running cache and started again: what every such tier must do.
import { sleep } from './backends.js';
import type { LoopbackServer } from './loopback.js';

type Event = { type: string; tier: string; error?: { code: string; message: string } };
interface OpenCache {
  get(key: string): Promise<Uint8Array | undefined>;
  set(key: string, value: string): Promise<void>;
  on(type: 'error', listener: (event: unknown) => void): unknown;
}

/**
 * Kills `server` under `cache` (a RAM tier above the tier named `tier`): reads settle as misses and writes go to
 * RAM, within `boundMs`, each an ERR_UNAVAILABLE error event; then starts it again on the same port and expects
 * a write of 'after' to reach it without reopening the cache.
 */
export async function expectOutageAndRecovery(
  cache: OpenCache, server: LoopbackServer, tier: string, boundMs: number,
): Promise<void> {
  const events: Event[] = [];
  cache.on('error', (event) => events.push(event as Event));
  await cache.set('before', 'v');
  await sleep(20);
  expect(events).toEqual([]);
  await server.stop();
  const started = Date.now();
  const results = await Promise.all([
    cache.get('missing'),
    cache.set('during', 'v').then(() => 'set'),
    cache.get('other'),
  ]);
  expect(Date.now() - started).toBeLessThan(boundMs);
  expect(results).toEqual([undefined, 'set', undefined]); // the set went to RAM; the server passed over
  await sleep(20);
  expect(events.length).toBeGreaterThanOrEqual(3);
  for (const event of events) expect(event).toMatchObject({ tier, error: { code: 'ERR_UNAVAILABLE' } });
  await server.start(); // empty again, on the same port
  let recovered = false;
  for (let tries = 0; tries < 50 && !recovered; tries++) {
    events.length = 0;
    await cache.set('after', 'v');
    await sleep(20); // an error event comes after the set settles
    recovered = events.length === 0;
    if (!recovered) await sleep(50);
  }
  expect(recovered).toBe(true);
}
