// The backends every contract test runs against: the Node-API addon and the WebAssembly build, both in Node.
import { Cache as NodeCache } from '../../dist/node.js';
import { Cache as WasmCache } from '../../dist/wasm.js';

export type CacheClass = typeof NodeCache | typeof WasmCache;

export const backends: Array<[name: string, Cache: CacheClass]> = [
  ['node addon', NodeCache],
  ['wasm', WasmCache],
];

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
