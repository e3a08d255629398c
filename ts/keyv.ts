// keyv(): any Keyv storage adapter (@keyv/memcache, @keyv/redis, ...) or Keyv instance as a custom() tier.
// Values go as base64 text, which every adapter round-trips (some keep only strings); to an adapter, inside the
// record a Keyv instance would write ({ value, expires } as JSON), so a Keyv over the same adapter reads them too.
import { custom, type CustomTierOptions } from './custom.js';
import { invalidArg } from './errors.js';
import type { Tier } from './tiers.js';

/** What keyv() uses of a Keyv storage adapter or of a Keyv instance. */
export interface KeyvLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, ttl?: number): Promise<unknown>;
  delete(key: string): Promise<boolean>;
  clear(): Promise<void>;
}

export type KeyvTierOptions = Pick<CustomTierOptions, 'timeout' | 'ttl'> & {
  /** Name in statistics, errors and events. Default `'keyv'`. */
  name?: string;
};

const nodeBuffer = (globalThis as { Buffer?: typeof import('node:buffer').Buffer }).Buffer;

function toBase64(bytes: Uint8Array): string {
  if (nodeBuffer) return nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  if (nodeBuffer) return new Uint8Array(nodeBuffer.from(text, 'base64'));
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

/** A Keyv instance rather than one of its storage adapters: it has hooks and keeps its adapter in opts.store. */
function isKeyvInstance(store: object): boolean {
  const { hooks, opts } = store as { hooks?: unknown; opts?: { store?: unknown } };
  return typeof hooks === 'object' && hooks !== null && typeof opts?.store === 'object';
}

/** Whole seconds, rounded up: memcached keeps TTLs in seconds, and @keyv/memcache rounds down (to 0: never). */
const wholeSeconds = (ttl: number | undefined) => (ttl === undefined ? undefined : Math.ceil(ttl / 1000) * 1000);

/**
 * A tier over a Keyv storage adapter (`new KeyvMemcache('127.0.0.1:11211')`) or a Keyv instance, as `custom()`
 * makes one: its failures (an adapter that rejects; a Keyv instance hides read failures as misses unless made
 * with `throwOnErrors`) are misses for reads and `error` events for writes. TTLs reach the store rounded up to
 * whole seconds; expiry stays exact to the millisecond. `cache.clear()` calls the store's `clear()`, which for
 * some adapters (@keyv/memcache) empties the whole server.
 */
export function keyv(store: KeyvLike, options: KeyvTierOptions = {}): Tier {
  if (store === null || typeof store !== 'object') throw invalidArg('keyv() takes a Keyv storage adapter or a Keyv');
  if (options === null || typeof options !== 'object') throw invalidArg('keyv() options must be an object');
  const functions = isKeyvInstance(store)
    ? {
        get: async (key: string) => {
          const value = await store.get(key);
          return typeof value === 'string' ? fromBase64(value) : undefined;
        },
        set: async (key: string, value: Uint8Array, ttl: number | undefined) => {
          if ((await store.set(key, toBase64(value), wholeSeconds(ttl))) === false) {
            throw new Error('the Keyv store did not take the value');
          }
        },
      }
    : {
        get: async (key: string) => {
          const raw = await store.get(key);
          const record = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { value?: unknown } | undefined | null;
          return typeof record?.value === 'string' ? fromBase64(record.value) : undefined;
        },
        set: async (key: string, value: Uint8Array, ttl: number | undefined) => {
          const expires = ttl === undefined ? null : Date.now() + ttl;
          await store.set(key, JSON.stringify({ value: toBase64(value), expires }), wholeSeconds(ttl));
        },
      };
  return custom({
    name: options.name ?? 'keyv',
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...(options.ttl === undefined ? {} : { ttl: options.ttl }),
    ...functions,
    delete: (key) => store.delete(key),
    clear: () => store.clear(),
  });
}
