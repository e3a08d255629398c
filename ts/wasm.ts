// Entry point for the WebAssembly build: the browser's default, and loadable in Node (`stratacache/wasm`).
import type { Backend, CacheStats, CoreConfig, CoreHandle, EntryPage, NativeEvent, Ttl } from './backend.js';
import { Cache as BaseCache } from './cache.js';
import { invalidArg, StrataError } from './errors.js';
import type { CompleteRequest } from './driver-channel.js';
import { type IdbDriver } from './idb/driver.js';
import { openIdbTiers } from './idb/open.js';
import { openHttpDrivers } from './http-driver.js';
import { type CustomDriver, openCustomDrivers } from './custom.js';
import type { Tags } from './ttl-rules.js';
import { type CacheValue, checkKey, toStorable } from './values.js';
import { type FillInfo, NearCache, nearBytes, withNearCache } from './near-cache.js';
import { HotPath, type HotPathModule } from './wasm-hot-path.js';
import createStrataModule from './wasm/stratacache_wasm.mjs';
import gzippedWasmBase64 from './wasm/stratacache_wasm_gzip.mjs';
import { BrowserWorkspace } from './workspace/browser-workspace.js';

type Callback<T> = (error: Error | null, value: T) => void;

/** The Embind class WasmCache (wasm/bindings.cc). Errors come back as values, never thrown through wasm. */
interface WasmCache {
  openError(): Error | null;
  /** Asks every tier whether it can serve; the IndexedDB tier loads its index. */
  open(callback: (error: Error | null) => void): void;
  /** Replaces the listener of the chain's events of `types`. */
  listen(listener: (event: NativeEvent) => void, types: readonly string[]): void;
  /** The cache's handle for the hot path (wasm-hot-path.ts), which reads and writes the RAM tiers. */
  chain(): number;
  /** True when every tier is RAM: every operation then completes on the hot path. */
  allInline(): boolean;
  /** Continues a get that missed the RAM tiers. */
  getBelow(key: string, callback: Callback<Uint8Array | undefined>): void;
  set(key: string, value: Uint8Array, ttl: Ttl, tags: Tags | undefined, callback: (error: Error | null) => void): void;
  getMany(keys: string[], callback: Callback<Array<Uint8Array | undefined>>): void;
  setMany(keys: string[], values: Uint8Array[], ttl: Ttl, tags: Tags | undefined, callback: Callback<unknown>): void;
  /** setSync with tags, which the hot path does not take: null when stored. */
  setNow(key: string, value: Uint8Array, ttl: Ttl, tags: Tags | undefined): Error | null;
  putContent(value: Uint8Array, ttl: Ttl, tags: Tags | undefined, callback: Callback<string>): void;
  getContent(digest: string, callback: Callback<Uint8Array | undefined>): void;
  has(key: string, callback: Callback<boolean>): void;
  remove(key: string, callback: Callback<boolean>): void;
  clear(callback: (error: Error | null) => void): void;
  flush(tier: string, callback: (error: Error | null) => void): void;
  endRemoteCalls(): void;
  /** The flight's id when leading, else minus the waiter's id; `callback` gets the leader's outcome. */
  joinFlight(key: string, callback: Callback<Uint8Array>): number;
  leaveFlight(key: string, waiter: number): boolean;
  landFlight(
    key: string, value: Uint8Array, ttl: Ttl, tags: Tags | undefined, flight: number, staleMs: number,
    callback: (error: Error | null) => void,
  ): void;
  getEntry(key: string, callback: (error: Error | null, value?: Uint8Array, expiresAt?: number) => void): void;
  endFlight(key: string, flight: number, value: Uint8Array | undefined, message: string): void;
  sweep(): void;
  /** One page of a tier's live entries (CoreHandle.listEntries). */
  listEntries(
    tier: string, after: string | undefined, limit: number, ns: string | undefined, prefix: string,
    callback: Callback<EntryPage>,
  ): void;
  stats(): CacheStats;
  /** A WasmCache over the same chain whose keys live in namespace `ns`; delete it on its own. */
  namespaced(ns: string): WasmCache;
  limitNamespace(ns: string, limits: Readonly<Record<string, number | null>>): Error | null;
  /** CoreHandle.forgetAbove: null, or the Error to throw. */
  forgetAbove(tier: string, digest: string | undefined): Error | null;
  delete(): void;  // frees the C++ object (Embind)
}

interface StrataModule extends HotPathModule {
  WasmCache: new (config: CoreConfig & { drivers: object }) => WasmCache;
  digest(value: Uint8Array): string;
  /** A frame of named blobs, or the Error to throw. */
  encodeBlobs(names: string[], values: Uint8Array[]): Uint8Array | Error;
  /** [names, values] of a frame, or the Error (ERR_CORRUPT) to throw. */
  decodeBlobs(framed: Uint8Array): [string[], Uint8Array[]] | Error;
  /** Where the drivers (IndexedDB, fetch) answer their C++ stores' requests (wasm/driver_channel.h). */
  driverComplete: CompleteRequest;
  keyDigest(key: string): string;
}

/** Where to find a .wasm file of your own: a URL, a fetch Response, or the bytes themselves. */
export type WasmSource = URL | string | Response | ArrayBuffer | Uint8Array;

const encoder = new TextEncoder();
let modulePromise: Promise<StrataModule> | undefined;
let loadedModule: StrataModule | undefined; // for digest(), which is synchronous
let hotPath: HotPath | undefined;

/** Node's built-in modules when running in Node (20.16 and later), where they outpace atob and DecompressionStream. */
const nodeBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  ?.getBuiltinModule;
/** With Uint8Array.fromBase64 (browsers since 2024-2025), which decodes 140 KB in well under a millisecond. */
const typedArrays = Uint8Array as { fromBase64?: (text: string) => Uint8Array<ArrayBuffer> };

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  if (typedArrays.fromBase64) return typedArrays.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The module this package embeds (scripts/copy-wasm.mjs says why it is a JavaScript module). */
async function embeddedWasm(): Promise<ArrayBuffer | Uint8Array> {
  if (nodeBuiltin) {
    const { Buffer } = nodeBuiltin('node:buffer') as typeof import('node:buffer');
    const { gunzipSync } = nodeBuiltin('node:zlib') as typeof import('node:zlib');
    return gunzipSync(Buffer.from(gzippedWasmBase64, 'base64'));
  }
  const gzipped = new Blob([decodeBase64(gzippedWasmBase64)]);
  return new Response(gzipped.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
}

async function wasmBytes(source: WasmSource | undefined): Promise<ArrayBuffer | Uint8Array> {
  if (source === undefined) return embeddedWasm();
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return source;
  if (source instanceof Response) return source.arrayBuffer();
  const url = new URL(source, globalThis.location?.href);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url.href}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/**
 * Loads the WebAssembly module. Optional: the first `Cache.open()` calls it with the module this package embeds.
 * Call it first to load a build of your own instead (a URL, a Response, or the bytes).
 */
export function init(source?: WasmSource): Promise<void> {
  modulePromise ??= wasmBytes(source).then(
    async (wasmBinary) => (loadedModule = (await createStrataModule({ wasmBinary })) as StrataModule),
  );
  modulePromise.catch(() => {
    modulePromise = undefined;  // let a later call try again
  });
  return modulePromise.then(() => undefined);
}

function toBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

/**
 * Delivers the core's events once the wasm call that raised them has returned (as the Node build does, through
 * its event loop): a listener may then call the cache again without re-entering C++ mid-operation.
 */
function afterTheCall(listener: (event: NativeEvent) => void): (event: NativeEvent) => void {
  let queue: NativeEvent[] = [];
  return (event) => {
    queue.push(event);
    if (queue.length > 1) return;
    queueMicrotask(() => {
      const batch = queue;
      queue = [];
      batch.forEach(listener);
    });
  };
}

/** What the module answered, or the Error it answered with, thrown. */
function orThrow<T>(result: T | Error): T {
  if (result instanceof Error) throw result;
  return result;
}

function callback<T>(resolve: (value: T) => void, reject: (error: Error) => void): Callback<T> {
  return (error, value) => (error ? reject(error) : resolve(value));
}

/**
 * The RAM tiers answer on the hot path; the rest goes through Embind with a callback. `warnings`: what happened
 * while opening, delivered to the first listener once its caller's task is done.
 */
function adapt(
  cache: WasmCache, hot: HotPath, warnings: NativeEvent[], module: StrataModule, firstTierLimit: number,
  idbDrivers: Record<string, IdbDriver>, customDrivers: CustomDriver[],
): CoreHandle {
  // The IndexedDB writes still in flight to `tier` ('': every tier); with durability 'placed', sets that settled.
  const idbSettled = (tier: string) =>
    Promise.all(
      Object.entries(idbDrivers).filter(([name]) => tier === '' || name === tier).map(([, driver]) => driver.settled()),
    );
  const id = cache.chain();
  const ramOnly = cache.allInline();
  const near = new NearCache(hot.changeCounters(id), (keys) => hot.touch(id, keys), nearBytes(firstTierLimit));
  const read = (key: string, info: FillInfo): Uint8Array | undefined => {
    const value = hot.get(id, key, false) ?? undefined;
    if (value === undefined) return undefined;
    if (near.detached) near.rebind(hot.changeCounters(id));
    hot.nearInfo(info);
    return value;
  };
  return withNearCache({
    getSync: (key) => hot.get(id, key, false) ?? undefined,
    get: (key) => {
      const hit = hot.get(id, key, true);
      return hit !== null ? hit : new Promise((resolve, reject) => cache.getBelow(key, callback(resolve, reject)));
    },
    setSync: (key, value, ttl, tags) => {
      if (tags === undefined) return hot.set(id, key, toBytes(value), ttl);
      const error = cache.setNow(key, toBytes(value), ttl, tags);
      if (error) throw error;
    },
    set: (key, value, ttl, tags) =>
      ramOnly && tags === undefined
        ? hot.set(id, key, toBytes(value), ttl)
        : new Promise((resolve, reject) =>
            cache.set(key, toBytes(value), ttl, tags, (error) => (error ? reject(error) : resolve()))),
    getMany: (keys) => new Promise((resolve, reject) => cache.getMany(keys, callback(resolve, reject))),
    setMany: (keys, values, ttl, tags) =>
      new Promise((resolve, reject) =>
        cache.setMany(keys, values.map(toBytes), ttl, tags, (error) => (error ? reject(error) : resolve()))),
    hasSync: (key) => hot.has(id, key),
    has: (key) =>
      hot.has(id, key) || (ramOnly ? false : new Promise((resolve, reject) => cache.has(key, callback(resolve, reject)))),
    deleteSync: (key) => hot.delete(id, key),
    delete: (key) =>
      ramOnly ? hot.delete(id, key) : new Promise((resolve, reject) => cache.remove(key, callback(resolve, reject))),
    clear: () => new Promise((resolve, reject) => cache.clear((error) => (error ? reject(error) : resolve()))),
    flush: async (tier) => {
      await new Promise<void>((resolve, reject) => cache.flush(tier, (error) => (error ? reject(error) : resolve())));
      await idbSettled(tier);
    },
    putContent: (value, ttl, tags) =>
      new Promise((resolve, reject) => cache.putContent(toBytes(value), ttl, tags, callback(resolve, reject))),
    getContent: (digest) => new Promise((resolve, reject) => cache.getContent(digest, callback(resolve, reject))),
    stats: () => cache.stats(),
    encodeBlobs: (names, values) => orThrow(module.encodeBlobs(names, values.map(toBytes))),
    decodeBlobs: (framed) => orThrow(module.decodeBlobs(framed)),
    sweep: () => cache.sweep(),
    listEntries: (tier, after, limit, ns, prefix) =>
      new Promise((resolve, reject) => cache.listEntries(tier, after, limit, ns, prefix, callback(resolve, reject))),
    namespaced: (ns, nearLimit) => adapt(cache.namespaced(ns), hot, [], module, nearLimit, idbDrivers, customDrivers),
    limitNamespace: (ns, limits) => orThrow(cache.limitNamespace(ns, limits)),
    forgetAbove: (tier, digest) => orThrow(cache.forgetAbove(tier, digest)),
    joinFlight: (key) => {
      let settle: Callback<Uint8Array> = () => {};
      const result = new Promise<Uint8Array>((resolve, reject) => (settle = callback(resolve, reject)));
      const ticket = cache.joinFlight(key, (error, value) => settle(error, value));
      return ticket > 0 ? { flight: ticket } : { waiter: -ticket, result };
    },
    leaveFlight: (key, waiter) => cache.leaveFlight(key, waiter),
    landFlight: (key, value, ttl, tags, flight, staleMs) =>
      new Promise((resolve, reject) =>
        cache.landFlight(key, toBytes(value), ttl, tags, flight, staleMs, (error) => (error ? reject(error) : resolve()))),
    getEntry: (key) =>
      new Promise((resolve, reject) =>
        cache.getEntry(key, (error, value, expiresAt) => {
          if (error) reject(error);
          else resolve(value === undefined ? undefined : [value, expiresAt!]);
        })),
    endFlight: (key, flight, value, message) => cache.endFlight(key, flight, value, message),
    close: async () => {
      // Deleting the cache drops its stores' pending answers: let the calls in flight settle first.
      await Promise.all([idbSettled(''), ...customDrivers.map((driver) => driver.settled())]);
      cache.delete();
    },
    endRemoteCalls: () => cache.endRemoteCalls(),
    listen: (listener, types) => {
      cache.listen(afterTheCall(listener), types);
      const opened = warnings.splice(0);
      if (opened.length > 0) queueMicrotask(() => opened.forEach(listener));
    },
  }, near, read);
}

const wasmBackend: Backend = {
  name: 'wasm',
  async open(config) {
    if (config.shared !== undefined) {
      throw invalidArg('shared caches need the Node build; WebAssembly instances cannot share memory');
    }
    await init();
    const module = (await modulePromise) as StrataModule;
    const { tiers, drivers: idbDrivers, warnings } = await openIdbTiers(config.tiers, module.driverComplete);
    const customDrivers = openCustomDrivers(tiers, module.driverComplete);
    const drivers = { ...idbDrivers, ...openHttpDrivers(tiers, module.driverComplete), ...customDrivers };
    const cache = new module.WasmCache({ ...config, tiers, drivers });
    const error =
      cache.openError() ?? (await new Promise<Error | null>((resolve) => cache.open((failure) => resolve(failure))));
    if (error) {
      cache.delete();
      for (const driver of Object.values(drivers)) driver.close();
      throw error;
    }
    hotPath ??= new HotPath(module);
    const firstTierLimit = config.tiers[0]!.cacheLimit;
    return adapt(cache, hotPath, warnings, module, firstTierLimit, idbDrivers, Object.values(customDrivers));
  },
};

/**
 * The BLAKE3-256 digest of the bytes (a string as UTF-8) as 64 hex characters: the key `putContent` uses. Needs
 * the module: after `await init()` or a first `Cache.open()`; before, it throws `ERR_UNAVAILABLE`.
 */
export function digest(value: CacheValue): string {
  const bytes = toBytes(toStorable(value));
  if (loadedModule === undefined) {
    throw new StrataError('ERR_UNAVAILABLE', 'digest() needs the WebAssembly module: await init() first');
  }
  return loadedModule.digest(bytes);
}

/**
 * The 32 hex digits that name `key`'s entry in the `http()` tier (the key's digest, as the Node build's `s3()`
 * names objects). Needs the module, as `digest()` does.
 */
export function keyDigest(key: string): string {
  checkKey(key);
  if (loadedModule === undefined) {
    throw new StrataError('ERR_UNAVAILABLE', 'keyDigest() needs the WebAssembly module: await init() first');
  }
  return loadedModule.keyDigest(key);
}

/** A tiered cache running in the WebAssembly core. */
export class Cache extends BaseCache {
  static override backend: Backend | undefined = wasmBackend;
}

/** Resources mounted under virtual paths, behind an index cache and a file cache held in a WebAssembly Cache. */
export class Workspace extends BrowserWorkspace {
  static override cacheClass: typeof BaseCache | undefined = Cache;
}

export * from './common.js';
export { indexedDb, type IndexedDbDurability, type IndexedDbTierOptions } from './idb/tier.js';
export { http, type HttpTierOptions } from './http.js';
export type { CacheWarningEvent } from './events.js';
