// The setups of the contract suite over custom() tiers on a Map, in both builds.
import { custom, ram } from '../../dist/node.js';
import { backends, type TierSetup } from './backends.js';
import { mapStore } from './map-store.js';

/** [custom] and [ram, custom] over a fresh Map for each cache, in each build. */
export function customSetups(): Array<[name: string, setup: TierSetup]> {
  const tier = (options: { ttl?: number | string | null }) => custom({ name: 'map', ...mapStore(), ...options });
  return backends.flatMap(([name, Cache]): Array<[string, TierSetup]> => [
    [`${name} [custom]`, { Cache, tiers: (options = {}) => [tier(options)] }],
    [`${name} [ram, custom]`, { Cache, tiers: (options = {}) => [ram(options), tier(options)] }],
  ]);
}
