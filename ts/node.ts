// Entry point for Node: caches run in the Node-API addon.
import type {
  Backend,
  CacheStats,
  CoreConfig,
  CoreHandle,
  EntryPage,
  MaybePromise,
  NativeEvent,
  VerifyReport,
} from './backend.js';
import { Cache as BaseCache } from './cache.js';
import { NodeWorkspace } from './workspace/node-workspace.js';
import { settleSync } from './errors.js';
import { type FillInfo, NearCache, nearBytes, withNearCache } from './near-cache.js';
import type { Tags } from './ttl-rules.js';
import { type CacheValue, checkKey, toStorable } from './values.js';
import { addonLoad } from './native-addon.js';
import { type CustomDriver, openCustomDrivers } from './custom.js';
import type { CompleteRequest } from './driver-channel.js';
import { type DirectRead, directReadOf } from './direct-reads.js';
import { loadedWasm, wasmFallback } from './wasm-fallback.js';

/** An open native cache, opaque to JavaScript. */
type NativeHandle = { readonly __brand: 'NativeHandle' };
type NativeVerifyProgress = { readonly __brand: 'NativeVerifyProgress' };
/** How the addon answers a read at once: -1 for a miss, a slab position (see decode), or a lent Buffer. */
type Reply = number | Uint8Array;
type Ttl = number | null | undefined;

/** The addon's functions (native/node/native_cache.cc). */
interface Addon {
  /** A promise when slower tiers must first check they can serve (an S3 bucket exists). */
  open(config: CoreConfig & { drivers: Record<string, CustomDriver> }): NativeHandle | Promise<NativeHandle>;
  /** Where the custom tiers' drivers answer their C++ stores' requests (native/node/custom_tier.h). */
  driverComplete: CompleteRequest;
  close(handle: NativeHandle): void;
  endRemoteCalls(handle: NativeHandle): void;
  getSync(handle: NativeHandle, key: string): Reply;
  /** getSync that, on a hit, writes what the near cache needs into `info` (see FillInfo). */
  getSyncNear(handle: NativeHandle, key: string, info: FillInfo): Reply;
  /** The chain's change counters, in place. */
  changeCounters(handle: NativeHandle): ArrayBuffer;
  touch(handle: NativeHandle, keys: string[]): void;
  get(handle: NativeHandle, key: string): Reply | Promise<Uint8Array | undefined>;
  setSync(handle: NativeHandle, key: string, value: Uint8Array | string, ttl: Ttl, tags: Tags | undefined): void;
  set(handle: NativeHandle, key: string, value: Uint8Array | string, ttl: Ttl, tags: Tags | undefined): MaybePromise<void>;
  hasSync(handle: NativeHandle, key: string): boolean;
  has(handle: NativeHandle, key: string): MaybePromise<boolean>;
  deleteSync(handle: NativeHandle, key: string): boolean;
  delete(handle: NativeHandle, key: string): MaybePromise<boolean>;
  clear(handle: NativeHandle): Promise<void>;
  flush(handle: NativeHandle, tier: string): Promise<void>;
  putContent(handle: NativeHandle, value: Uint8Array | string, ttl: Ttl, tags: Tags | undefined): Promise<string>;
  getContent(handle: NativeHandle, digest: string): Reply | Promise<Uint8Array | undefined>;
  digest(value: Uint8Array | string): string;
  keyDigest(key: string): string;
  encodeBlobs(names: string[], values: Array<Uint8Array | string>): Uint8Array;
  decodeBlobs(framed: Uint8Array): [string[], Uint8Array[]];
  stats(handle: NativeHandle): CacheStats;
  sweep(handle: NativeHandle): void;
  joinFlight(handle: NativeHandle, key: string): number | [number, Promise<Uint8Array>];
  leaveFlight(handle: NativeHandle, key: string, waiter: number): boolean;
  landFlight(
    handle: NativeHandle, key: string, value: Uint8Array | string, ttl: Ttl, tags: Tags | undefined, flight: number,
    staleMs: number,
  ): Promise<void>;
  getEntry(handle: NativeHandle, key: string): Promise<[Uint8Array, number] | undefined>;
  /** A read whose tier call JavaScript makes (direct-reads.ts): a RAM tier's reply, or the entry name to read. */
  beginRead(handle: NativeHandle, key: string): Reply | [name: string, ticket: number];
  /** The tier's answer to a read beginRead began: a reply, or a promise when tiers below it must be read. */
  answerRead(
    handle: NativeHandle, key: string, ticket: number, error: string | null, stored: Uint8Array | null,
  ): Reply | Promise<Uint8Array | undefined>;
  endFlight(handle: NativeHandle, key: string, flight: number, value: Uint8Array | undefined, message: string): void;
  slab(handle: NativeHandle): Uint8Array;
  listen(handle: NativeHandle, listener: (event: NativeEvent) => void, types: readonly string[]): void;
  clean(handle: NativeHandle, maxAgeMs: number | undefined, maxBytes: number | undefined): Promise<number>;
  verify(handle: NativeHandle): [Promise<VerifyReport>, NativeVerifyProgress];
  verifyProgress(progress: NativeVerifyProgress): [checked: number, total: number];
  listEntries(
    handle: NativeHandle, tier: string, after: string | undefined, limit: number, ns: string | undefined,
    prefix: string,
  ): Promise<EntryPage>;
  acquireDirectory(handle: NativeHandle, key: string): Promise<[string, boolean]>;
  commitDirectory(handle: NativeHandle, key: string, tempPath: string): Promise<[string, boolean]>;
  abandonDirectory(handle: NativeHandle, key: string, tempPath: string, message: string): Promise<void>;
  releaseDirectory(handle: NativeHandle, path: string): void;
  namespaced(handle: NativeHandle, ns: string): NativeHandle;
  limitNamespace(handle: NativeHandle, ns: string, limits: Readonly<Record<string, number | null>>): void;
  forgetAbove(handle: NativeHandle, tier: string, digest: string | undefined): void;
}

// Used only when it loaded: otherwise the backend, digest() and keyDigest() go to the WebAssembly build.
const addon = addonLoad.addon as Addon;

// Small hits come back as views of a slab the addon copies them into, with no native-backed Buffer to create
// per hit. The reply packs (new slab << 29 | offset << 13 | length); a new slab is fetched once when the addon
// starts one. Each handle has its own slab, so two copies of this module in one thread cannot mix them up. A view keeps its slab alive, as a Buffer keeps Node's Buffer pool alive. Larger values are lent
// from the core without a copy.
const NEW_SLAB = 1 << 29;
const LENGTH_BITS = 13;
const LENGTH_MASK = (1 << LENGTH_BITS) - 1;
const OFFSET_MASK = (1 << 16) - 1;

function handleOf(native: NativeHandle, firstTierLimit: number, direct: DirectRead | undefined): CoreHandle {
  let slab: Uint8Array = new Uint8Array(0); // this handle's, as the addon keeps one per handle
  const near = new NearCache(new Uint32Array(addon.changeCounters(native)), (keys) => addon.touch(native, keys), nearBytes(firstTierLimit));

  const decode = (reply: Reply): Uint8Array | undefined => {
    if (typeof reply !== 'number') return reply;
    if (reply < 0) return undefined;
    if (reply & NEW_SLAB) slab = addon.slab(native);
    const offset = (reply >>> LENGTH_BITS) & OFFSET_MASK;
    return slab.subarray(offset, offset + (reply & LENGTH_MASK));
  };

  const answer = (reply: Reply | Promise<Uint8Array | undefined>) => (reply instanceof Promise ? reply : decode(reply));
  const readThrough = (key: string) => answer(addon.get(native, key));
  const readDirect = (read: DirectRead) => (key: string) => {
    const begun = addon.beginRead(native, key);
    if (!Array.isArray(begun)) return decode(begun);
    const [name, ticket] = begun;
    return read(name).then(([error, stored]) => answer(addon.answerRead(native, key, ticket, error, stored ?? null)));
  };

  return withNearCache({
    getSync: (key) => decode(addon.getSync(native, key)),
    get: direct === undefined ? readThrough : readDirect(direct),
    setSync: (key, value, ttl, tags) => addon.setSync(native, key, value, ttl, tags),
    set: (key, value, ttl, tags) => addon.set(native, key, value, ttl, tags),
    hasSync: (key) => addon.hasSync(native, key),
    has: (key) => addon.has(native, key),
    deleteSync: (key) => addon.deleteSync(native, key),
    delete: (key) => addon.delete(native, key),
    clear: () => addon.clear(native),
    flush: (tier) => addon.flush(native, tier),
    putContent: (value, ttl, tags) => addon.putContent(native, value, ttl, tags),
    getContent: (digest) => {
      const reply = addon.getContent(native, digest);
      return reply instanceof Promise ? reply : decode(reply);
    },
    stats: () => addon.stats(native),
    encodeBlobs: (names, values) => addon.encodeBlobs(names, values),
    decodeBlobs: (framed) => addon.decodeBlobs(framed),
    sweep: () => addon.sweep(native),
    namespaced: (ns, nearLimit) => handleOf(addon.namespaced(native, ns), nearLimit, direct),
    limitNamespace: (ns, limits) => addon.limitNamespace(native, ns, limits),
    forgetAbove: (tier, digest) => addon.forgetAbove(native, tier, digest),
    joinFlight: (key) => {
      const ticket = addon.joinFlight(native, key);
      return typeof ticket === 'number' ? { flight: ticket } : { waiter: ticket[0], result: ticket[1] };
    },
    leaveFlight: (key, waiter) => addon.leaveFlight(native, key, waiter),
    landFlight: (key, value, ttl, tags, flight, staleMs) =>
      addon.landFlight(native, key, value, ttl, tags, flight, staleMs),
    getEntry: (key) => addon.getEntry(native, key),
    endFlight: (key, flight, value, message) => addon.endFlight(native, key, flight, value, message),
    close: () => addon.close(native),
    endRemoteCalls: () => addon.endRemoteCalls(native),
    listen: (listener, types) => addon.listen(native, listener, types),
    clean: (maxAgeMs, maxBytes) => addon.clean(native, maxAgeMs, maxBytes),
    verify: () => {
      const [done, progress] = addon.verify(native);
      return {
        done,
        progress: () => {
          const [checked, total] = addon.verifyProgress(progress);
          return { checked, total };
        },
      };
    },
    listEntries: (tier, after, limit, ns, prefix) => addon.listEntries(native, tier, after, limit, ns, prefix),
    directories: {
      acquireDirectory: (key) => addon.acquireDirectory(native, key),
      commitDirectory: (key, tempPath) => addon.commitDirectory(native, key, tempPath),
      abandonDirectory: (key, tempPath, message) => addon.abandonDirectory(native, key, tempPath, message),
      releaseDirectory: (path) => addon.releaseDirectory(native, path),
    },
  }, near, (key, info) => decode(addon.getSyncNear(native, key, info)));
}

const nodeBackend: Backend =
  addonLoad.reason === undefined
    ? {
        name: 'node',
        async open(config) {
          const drivers = openCustomDrivers(config.tiers, addon.driverComplete);
          const native = await addon.open({ ...config, drivers });
          return handleOf(native, config.tiers[0]!.cacheLimit, directReadOf(config.tiers));
        },
      }
    : wasmFallback(addonLoad.reason);

/** The BLAKE3-256 digest of the bytes (a string as UTF-8) as 64 hex characters: the key `putContent` uses. */
export function digest(value: CacheValue): string {
  if (addonLoad.reason !== undefined) return loadedWasm('digest()').digest(value);
  return settleSync(() => addon.digest(toStorable(value)));
}

/** The 32 hex digits that name `key`'s entry in the `s3()` and `http()` tiers (the key's digest). */
export function keyDigest(key: string): string {
  if (addonLoad.reason !== undefined) return loadedWasm('keyDigest()').keyDigest(key);
  checkKey(key);
  return addon.keyDigest(key);
}

/** A tiered cache running in the native addon. */
export class Cache extends BaseCache {
  static override backend: Backend | undefined = nodeBackend;
}

/** Remote resources mounted under virtual paths, behind an index cache and a file cache held in a native Cache. */
export class Workspace extends NodeWorkspace {
  static override cacheClass: typeof BaseCache | undefined = Cache;
}

export * from './common.js';
export { localResource, type LocalResourceOptions } from './workspace/local-resource.js';
export { s3, type S3Credentials, type S3TierOptions } from './s3.js';
export { http, type HttpTierOptions } from './http.js';
export { disk, type DiskTierOptions, type Durability, type EvictionPolicy } from './disk.js';
export { redis, type RedisClientLike, type RedisTier, type RedisTierOptions } from './redis.js';
export type { RedisLeaseOptions } from './redis-lease.js';
export { s3Resource, type S3ResourceOptions } from './workspace/s3-resource.js';
