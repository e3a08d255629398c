// A store for custom() tiers in tests, in Node and in the browser page: a Map that honours the TTLs it is given,
// as a real store would.
import type { CustomStoreFunctions } from '../../dist/wasm.js';

export interface MapStore extends Required<CustomStoreFunctions> {
  /** What the store holds, by the names the tier gives entries. */
  readonly entries: Map<string, { value: Uint8Array; expiresAt: number }>;
}

export function mapStore(): MapStore {
  const entries = new Map<string, { value: Uint8Array; expiresAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expiresAt <= Date.now()) entries.delete(key);
    return entries.get(key);
  };
  return {
    entries,
    get: async (key) => live(key)?.value,
    set: async (key, value, ttl) => {
      entries.set(key, { value: value.slice(), expiresAt: ttl === undefined ? Infinity : Date.now() + ttl });
    },
    delete: async (key) => live(key) !== undefined && entries.delete(key),
    has: async (key) => live(key) !== undefined,
    clear: async () => entries.clear(),
  };
}
