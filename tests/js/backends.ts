// The backends every contract test runs against: the Node-API addon and the WebAssembly build, both in Node.
import { Cache as NodeCache, type Duration, ram, type Tier } from '../../dist/node.js';
import { Cache as WasmCache } from '../../dist/wasm.js';

export type CacheClass = typeof NodeCache | typeof WasmCache;

export const backends: Array<[name: string, Cache: CacheClass]> = [
  ['node addon', NodeCache],
  ['wasm', WasmCache],
];

/** A cache shape to run the contract over: a backend and the tiers each cache of a test gets. */
export interface TierSetup {
  Cache: CacheClass;
  /** Fresh tiers (a fresh S3 prefix, ...) for one cache, each with `ttl` as its default when given. */
  tiers(options?: { ttl?: Duration | null }): Tier[];
}

export const ramSetups: Array<[name: string, setup: TierSetup]> = backends.map(([name, Cache]) => [
  `${name} [ram]`,
  { Cache, tiers: (options = {}) => [ram(options)] },
]);

export const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Deterministic pseudo-random numbers, so a failing run can be replayed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
