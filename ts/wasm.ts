// Entry point for the WebAssembly build: the browser's default, and loadable in Node (`stratacache/wasm`).
import type { Backend, CacheStats, CoreConfig, CoreHandle, NativeEvent } from './backend.js';
import { Cache as BaseCache } from './cache.js';
import { invalidArg } from './errors.js';
import { type CompleteRequest } from './idb/driver.js';
import { openIdbTiers } from './idb/open.js';
import createStrataModule from './wasm/stratacache_wasm.mjs';

type Callback<T> = (error: Error | null, value: T) => void;

/** The Embind class WasmCache (wasm/bindings.cc). Errors come back as values, never thrown through wasm. */
interface WasmCache {
  openError(): Error | null;
  /** Asks every tier whether it can serve; the IndexedDB tier loads its index. */
  open(callback: (error: Error | null) => void): void;
  listen(listener: (event: NativeEvent) => void): void;
  getSync(key: string): Uint8Array | undefined | Error;
  get(key: string, callback: Callback<Uint8Array | undefined>): void;
  setSync(key: string, value: Uint8Array, ttl: number | null | undefined): Error | null;
  set(key: string, value: Uint8Array, ttl: number | null | undefined, callback: (error: Error | null) => void): void;
  hasSync(key: string): boolean | Error;
  has(key: string, callback: Callback<boolean>): void;
  removeSync(key: string): boolean | Error;
  remove(key: string, callback: Callback<boolean>): void;
  clear(callback: (error: Error | null) => void): void;
  sweep(): void;
  stats(): CacheStats;
  delete(): void;  // frees the C++ object (Embind)
}

interface StrataModule {
  WasmCache: new (config: CoreConfig & { drivers: object }) => WasmCache;
  /** Where the IndexedDB driver answers the C++ store's requests. */
  idbComplete: CompleteRequest;
}

/** Where to find the .wasm file: a URL, a fetch Response, or the bytes themselves. */
export type WasmSource = URL | string | Response | ArrayBuffer | Uint8Array;

const encoder = new TextEncoder();
let modulePromise: Promise<StrataModule> | undefined;

async function wasmBytes(source: WasmSource | undefined): Promise<ArrayBuffer | Uint8Array> {
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return source;
  if (typeof Response !== 'undefined' && source instanceof Response) return source.arrayBuffer();
  const url =
    source === undefined
      ? new URL('./wasm/stratacache_wasm.wasm', import.meta.url)
      : new URL(source as string | URL, globalThis.location?.href);
  if (url.protocol === 'file:') {
    // Node: fetch() cannot read files, so read it directly. The specifier is not a literal so that bundlers
    // building for browsers, where this branch never runs, do not try to resolve a Node module.
    const fsModule = 'node:fs/promises';
    const { readFile } = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
    return readFile(url);
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url.href}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/**
 * Loads the WebAssembly module. Optional: the first `Cache.open()` calls it with the `.wasm` file beside this
 * module. Call it first to load the file from elsewhere (a URL, a Response, or bytes you host yourself).
 */
export function init(source?: WasmSource): Promise<void> {
  modulePromise ??= wasmBytes(source).then(
    (wasmBinary) => createStrataModule({ wasmBinary }) as Promise<StrataModule>,
  );
  modulePromise.catch(() => {
    modulePromise = undefined;  // let a later call try again
  });
  return modulePromise.then(() => undefined);
}

function unwrap<T>(result: T | Error): T {
  if (result instanceof Error) throw result;
  return result;
}

function toBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

function callback<T>(resolve: (value: T) => void, reject: (error: Error) => void): Callback<T> {
  return (error, value) => (error ? reject(error) : resolve(value));
}

/** `warnings`: what happened while opening, delivered to the first listener once its caller's task is done. */
function adapt(cache: WasmCache, warnings: NativeEvent[]): CoreHandle {
  return {
    getSync: (key) => unwrap(cache.getSync(key)),
    get: (key) => new Promise((resolve, reject) => cache.get(key, callback(resolve, reject))),
    setSync: (key, value, ttl) => {
      const error = cache.setSync(key, toBytes(value), ttl);
      if (error) throw error;
    },
    set: (key, value, ttl) =>
      new Promise((resolve, reject) =>
        cache.set(key, toBytes(value), ttl, (error) => (error ? reject(error) : resolve()))),
    hasSync: (key) => unwrap(cache.hasSync(key)),
    has: (key) => new Promise((resolve, reject) => cache.has(key, callback(resolve, reject))),
    deleteSync: (key) => unwrap(cache.removeSync(key)),
    delete: (key) => new Promise((resolve, reject) => cache.remove(key, callback(resolve, reject))),
    clear: () => new Promise((resolve, reject) => cache.clear((error) => (error ? reject(error) : resolve()))),
    stats: () => cache.stats(),
    sweep: () => cache.sweep(),
    close: () => cache.delete(),
    listen: (listener) => {
      cache.listen(listener);
      const opened = warnings.splice(0);
      if (opened.length > 0) queueMicrotask(() => opened.forEach(listener));
    },
  };
}

const wasmBackend: Backend = {
  name: 'wasm',
  async open(config) {
    if (config.shared !== undefined) {
      throw invalidArg('shared caches need the Node build; WebAssembly instances cannot share memory');
    }
    await init();
    const module = (await modulePromise) as StrataModule;
    const { tiers, drivers, warnings } = await openIdbTiers(config.tiers, module.idbComplete);
    const cache = new module.WasmCache({ ...config, tiers, drivers });
    const error =
      cache.openError() ?? (await new Promise<Error | null>((resolve) => cache.open((failure) => resolve(failure))));
    if (error) {
      cache.delete();
      for (const driver of Object.values(drivers)) driver.close();
      throw error;
    }
    return adapt(cache, warnings);
  },
};

/** A tiered cache running in the WebAssembly core. */
export class Cache extends BaseCache {
  static override backend: Backend | undefined = wasmBackend;
}

export * from './common.js';
export { indexedDb, type IndexedDbTierOptions } from './idb/tier.js';
export type { CacheWarningEvent } from './events.js';
