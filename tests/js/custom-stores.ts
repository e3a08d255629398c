// Stores for custom() tiers in tests: a Map that honours the TTLs it is given, as a real store would, and the
// setups of the contract suite over it in both builds.
import { custom, type CustomStoreFunctions, ram } from '../../dist/node.js';
import { backends, type TierSetup } from './backends.js';

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

/** [custom] and [ram, custom] over a fresh Map for each cache, in each build. */
export function customSetups(): Array<[name: string, setup: TierSetup]> {
  const tier = (options: { ttl?: number | string | null }) => custom({ name: 'map', ...mapStore(), ...options });
  return backends.flatMap(([name, Cache]): Array<[string, TierSetup]> => [
    [`${name} [custom]`, { Cache, tiers: (options = {}) => [tier(options)] }],
    [`${name} [ram, custom]`, { Cache, tiers: (options = {}) => [ram(options), tier(options)] }],
  ]);
}
