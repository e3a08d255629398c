import type { TierConfig } from './tiers.js';
import type { CoreTtlRule, Tags } from './ttl-rules.js';

/** Statistics of one tier. */
export interface TierStats {
  name: string;
  hits: number;
  misses: number;
  /** Hits of lower tiers copied into this one. */
  promotions: number;
  /** Entries of a write-back cache's first tier written down into this one (as they left it, or by `flush`). */
  demotions: number;
  entries: number;
  bytes: number;
  evictions: number;
  expirations: number;
}

/** Statistics of a cache: gets answered by any tier (hits) or by none (misses), and each tier's own. */
export interface CacheStats {
  hits: number;
  misses: number;
  tiers: TierStats[];
}

/** What `cache.verify()` found and repaired, summed over the tiers that keep content beside an index (disk). */
export interface VerifyReport {
  /** Entries left, all readable. */
  entries: number;
  /** Entries dropped because their content was missing or corrupt. */
  removedEntries: number;
  /** Content files no entry used, removed. */
  orphanFiles: number;
  /** Temp files of writers that crashed, removed. */
  tempFiles: number;
}

/** How far `cache.verify()` has come: content items (values, or content shared by several entries) checked. */
export interface VerifyProgress {
  checked: number;
  /** What there is to check, counted as each tier begins; equal to `checked` once the walk is over. */
  total: number;
}

/** A verify under way in the core: its report when done, and its progress whenever asked. */
export interface VerifyRun {
  done: Promise<VerifyReport>;
  progress(): VerifyProgress;
}

/** A page of a tier's entries as the core lists them (native/core/include/stratacache/entry_listing.h). */
export type EntryPage = Array<{
  /** Where the next page starts. */
  cursor: string;
  namespace: string;
  key: string;
  size: number;
  /** Infinity: never. */
  expiresAt: number;
  writtenAt?: number;
  accessedAt?: number;
}>;

/** A cache's shape as both native backends receive it. */
export interface CoreConfig {
  tiers: TierConfig[];
  ttl: number | null | undefined;
  ttlRules?: CoreTtlRule[];
  writePolicy?: WritePolicy;
  shared?: string;
  /** Describes the options, so a shared cache opened twice with different ones is refused. */
  fingerprint?: string;
}

/** `'through'`: a write goes to every tier. `'back'`: to the first (RAM) tier, and down as it leaves. */
export type WritePolicy = 'through' | 'back';

/** A TTL in milliseconds; undefined: the rules and defaults decide; null: no expiry. */
export type Ttl = number | null | undefined;

/** A result, or a promise of it when slower tiers had to be reached. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * A caller's place in the core's single flight of a key: it leads the flight (loads, then lands or ends it), or
 * waits for the value or error of the flight another caller leads, on any thread sharing the cache.
 */
export type FlightTicket = { flight: number; waiter?: undefined } | { waiter: number; result: Promise<Uint8Array> };

/**
 * One open cache in a native backend. Keys and values arrive validated. The asynchronous operations answer
 * directly when the RAM tiers could (no promise to allocate on a hit), and with a promise otherwise.
 */
export interface CoreHandle {
  /** Keys are checked before they reach this, except getSync's, which checks its own (see withNearCache). */
  getSync(key: string): Uint8Array | undefined;
  get(key: string): MaybePromise<Uint8Array | undefined>;
  /** A read down the tiers, as get, with the instant the value expires (ms since the epoch; Infinity: never). */
  getEntry(key: string): Promise<[value: Uint8Array, expiresAt: number] | undefined>;
  setSync(key: string, value: Uint8Array | string, ttl: Ttl, tags: Tags | undefined): void;
  set(key: string, value: Uint8Array | string, ttl: Ttl, tags: Tags | undefined): MaybePromise<void>;
  /**
   * get and set of many keys in one call into the core, so that an IndexedDB tier serves them in one transaction.
   * Absent (the Node build): the cache calls get and set once per key.
   */
  getMany?(keys: string[]): Promise<Array<Uint8Array | undefined>>;
  setMany?(keys: string[], values: Array<Uint8Array | string>, ttl: Ttl, tags: Tags | undefined): Promise<void>;
  hasSync(key: string): boolean;
  has(key: string): MaybePromise<boolean>;
  deleteSync(key: string): boolean;
  delete(key: string): MaybePromise<boolean>;
  clear(): MaybePromise<void>;
  /** Settles once the background writes started so far (to the named tier; '': to any) have finished. */
  flush(tier: string): Promise<void>;
  /** Stores content under its BLAKE3 digest unless already there; resolves to the digest. */
  putContent(value: Uint8Array | string, ttl: Ttl, tags: Tags | undefined): Promise<string>;
  /** The content stored under a digest; the digest arrives unchecked (the core refuses a malformed one). */
  getContent(digest: string): MaybePromise<Uint8Array | undefined>;
  stats(): CacheStats;
  /** Frames named blobs into one value (native/core/include/stratacache/named_blobs.h). */
  encodeBlobs(names: string[], values: Array<Uint8Array | string>): Uint8Array;
  /** The names and blobs of a frame; throws ERR_CORRUPT for a value that is not one. */
  decodeBlobs(framed: Uint8Array): [names: string[], values: Uint8Array[]];
  joinFlight(key: string): FlightTicket;
  /** Stops a waiter's wait: its result rejects with ERR_ABORTED. False when the flight had already ended. */
  leaveFlight(key: string, waiter: number): boolean;
  /**
   * Stores the loaded value as set does, kept `staleMs` past its TTL in each tier, then hands it to the waiters
   * (or the write's failure).
   */
  landFlight(
    key: string, value: Uint8Array | string, ttl: Ttl, tags: Tags | undefined, flight: number, staleMs: number,
  ): Promise<void>;
  /** Hands the waiters a value found already stored, or (value undefined) the loader's failure message. */
  endFlight(key: string, flight: number, value: Uint8Array | undefined, message: string): void;
  sweep(): void;
  /**
   * A handle over the same tiers whose keys live in namespace `ns` (checked), with a near cache for a first tier
   * of `nearLimit` bytes. It is closed on its own.
   */
  namespaced(ns: string, nearLimit: number): CoreHandle;
  /** Bounds namespace `ns` in each tier named (bytes; null lifts the bound), evicting at once what is over. */
  limitNamespace(ns: string, limits: Readonly<Record<string, number | null>>): void;
  /**
   * Another process changed the entry under `digest` (a key digest, 32 hex digits; undefined: cleared every entry)
   * in the shared tier named `tier`: the RAM tiers above it drop their copies, but for write-back writes not yet
   * written down. Throws ERR_INVALID_ARG for an unknown tier, or one with a tier above that is not RAM.
   */
  forgetAbove(tier: string, digest: string | undefined): void;
  /** Frees the core's cache; a backend whose writes may still be in flight (IndexedDB) waits for them first. */
  close(): void | Promise<void>;
  /**
   * The first step of close(): the calls waiting on a remote tier (S3, HTTP) reject with ERR_CLOSED at once.
   * Only the handle Cache.open made for a cache that is not shared ends anything (other caches may share the tiers).
   */
  endRemoteCalls?(): void;
  /**
   * Delivers the core's events of `types` to `listener` from now on; a later call changes the types (the listener
   * stays the first call's). The core builds no event, and copies no key, of a type nobody listens to.
   */
  listen(listener: (event: NativeEvent) => void, types: readonly string[]): void;
  /** Removes entries of tiers that nothing else bounds; resolves to how many were removed. */
  clean?(maxAgeMs: number | undefined, maxBytes: number | undefined): Promise<number>;
  /** Checks and repairs the tiers that keep content beside an index (disk). */
  verify?(): VerifyRun;
  /**
   * One page of the live entries of the tier named `tier`, after the cursor of the previous page's last entry:
   * at most `limit`, of namespace `ns` (undefined: every namespace) whose keys start with `prefix`. Fewer than
   * `limit` entries: the tier has no more. A tier that cannot list rejects with ERR_UNSUPPORTED.
   */
  listEntries(tier: string, after: string | undefined, limit: number, ns: string | undefined, prefix: string):
    Promise<EntryPage>;
  /** Directory entries: the Node build only, where a cache without a disk tier throws ERR_INVALID_ARG. */
  directories?: DirectoryCore;
}

/**
 * The directory entries of a cache's disk tier (native/core/include/stratacache/directory_store.h): a grant is
 * [folder, fill], where fill says the caller got a temp folder to fill, then commit or abandon.
 */
export interface DirectoryCore {
  acquireDirectory(key: string): Promise<[path: string, fill: boolean]>;
  commitDirectory(key: string, tempPath: string): Promise<[path: string, fill: boolean]>;
  /** Removes the temp folder; the callers waiting for the fill get `message` as ERR_LOADER. */
  abandonDirectory(key: string, tempPath: string, message: string): Promise<void>;
  releaseDirectory(path: string): void;
}

/** An event as the core reports it; `error` is an Error with a code, for fromNative. */
export interface NativeEvent {
  type: 'error' | 'warning' | 'evict' | 'expire' | 'promote';
  tier: string;
  key?: string;
  namespace?: string;
  reason?: string;
  error?: unknown;
}

/** A runtime that opens caches: the Node-API addon or the WebAssembly module. */
export interface Backend {
  readonly name: 'node' | 'wasm';
  open(config: CoreConfig): Promise<CoreHandle>;
}
