import './async-dispose.js';
import type {
  Backend,
  CacheStats,
  CoreConfig,
  CoreHandle,
  MaybePromise,
  NativeEvent,
  Ttl,
  VerifyProgress,
  VerifyReport,
  VerifyRun,
} from './backend.js';
import { fromNative, invalidArg, messageOf, settleSync, StrataError } from './errors.js';
import { type CacheEvents, type CacheEventType, type CacheListener, Emitter, reportListenerError } from './events.js';
import { type DirectoryFill, type DirectoryLease, leaseDirectory } from './directory.js';
import { Entry } from './entry.js';
import { coordinatorOf, type FlightLease, type LoadCoordinator, type Reread } from './flight-lease.js';
import { type CacheEntryInfo, listEntries, type ListOptions } from './listing.js';
import { formatMetrics } from './metrics.js';
import { type Namespace, type NamespaceOptions, Namespaces } from './namespace.js';
import { closedError, OpenCalls } from './open-calls.js';
import { checkSharedTiers, watchSharedTiers } from './shared-tiers.js';
import { ram, type TierConfig } from './tiers.js';
import { MAX_TIMER_MS, parseDuration, parseSize, parseTtl } from './units.js';
import { checkTags, parseTtlRules, type Tags } from './ttl-rules.js';
import { type CacheValue, checkKey, toStorable } from './values.js';
import type { CacheOptions, CleanOptions, GetOrSetOptions, Loader, SetOptions, VerifyOptions } from './cache-options.js';

const DEFAULT_INTERVAL = '30s';

function toCoreConfig(options: CacheOptions): CoreConfig {
  if (options === null || typeof options !== 'object') throw invalidArg('Cache.open takes an options object');
  const tiers = options.tiers ?? [ram()];
  if (!Array.isArray(tiers) || tiers.length === 0) throw invalidArg('tiers must be a non-empty array, as in [ram()]');
  for (const tier of tiers) {
    if (tier === null || typeof tier !== 'object' || typeof tier.kind !== 'string') {
      throw invalidArg('each tier must come from a tier function such as ram()');
    }
  }
  const names = new Set<string>();
  for (const { name } of tiers) {
    if (names.has(name)) throw invalidArg(`two tiers are named '${name}'; give each a distinct name`);
    names.add(name);
  }
  checkSharedTiers(tiers);
  const config: CoreConfig = { tiers: tiers.map((t) => ({ ...t })), ttl: parseTtl(options.ttl, 'ttl') };
  const ttlRules = parseTtlRules(options.ttlRules);
  if (ttlRules !== undefined) config.ttlRules = ttlRules;
  const writePolicy = options.writePolicy ?? 'through';
  if (writePolicy !== 'through' && writePolicy !== 'back') throw invalidArg("writePolicy is 'through' or 'back'");
  if (writePolicy === 'back') {
    if (tiers.length < 2 || tiers[0].kind !== 'ram') {
      throw invalidArg("writePolicy 'back' needs a ram() tier first and a tier below it, as in [ram(), disk(...)]");
    }
    config.writePolicy = writePolicy;
  }
  if (options.shared !== undefined) {
    if (typeof options.shared !== 'string' || options.shared.length === 0) {
      throw invalidArg('shared must be a non-empty name');
    }
    if (tiers.some((tier) => tier.kind === 'custom')) {
      throw invalidArg("a shared cache cannot have a custom() tier: its functions live in one thread's JavaScript");
    }
    config.shared = options.shared;
    config.fingerprint = JSON.stringify({ tiers: config.tiers, ttl: config.ttl ?? 'unset', ttlRules, writePolicy });
  }
  return config;
}

/**
 * A tiered key → bytes cache. Open one with `Cache.open()` from `stratacache` (Node: RAM, and more tiers to come)
 * or `stratacache/wasm` (WebAssembly, for browsers and for Node tests).
 */
export class Cache implements AsyncDisposable {
  /** @internal The runtime this class opens caches on, set by each entry point's subclass. */
  static backend: Backend | undefined;

  readonly #handle: CoreHandle;
  readonly #sweeper: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined; // set by the first close()
  readonly #open = new OpenCalls(); // getOrSet calls waiting on a load
  #tiers: readonly TierConfig[] = [];
  #namespace = ''; // a namespace view's name; '' for the cache's own keys
  #leases: LoadCoordinator | undefined; // a tier's, when getOrSet loads once across processes
  #namespaces: Namespaces | undefined; // created on the first namespace()
  #events: Emitter | undefined; // created on the first listener
  #deliver: ((event: NativeEvent) => void) | undefined; // what the core calls with its events
  #unwatch: (() => void) | undefined; // ends the registrations with shared tiers (shared-tiers.ts)

  /**
   * @internal Use `Cache.open()`. Without `intervalMs`, another handle on the tiers sweeps them.
   */
  constructor(handle: CoreHandle, intervalMs: number | undefined) {
    this.#handle = handle;
    if (intervalMs === undefined) return;
    this.#sweeper = setInterval(() => {
      if (!this.#closed) this.#handle.sweep();
    }, intervalMs);
    // A cache must not keep a Node process alive by itself.
    (this.#sweeper as { unref?: () => void }).unref?.();
  }

  /** Opens a cache. Rejects with `ERR_INVALID_ARG` before touching anything when an option is wrong. */
  static async open<T extends typeof Cache>(this: T, options: CacheOptions = {}): Promise<InstanceType<T>> {
    const backend = this.backend;
    if (backend === undefined) throw invalidArg("import Cache from 'stratacache' or 'stratacache/wasm'");
    const config = toCoreConfig(options);
    const sweepMs = parseDuration(options.interval ?? DEFAULT_INTERVAL, 'interval', MAX_TIMER_MS);
    let handle: CoreHandle;
    try {
      handle = await backend.open(config);
    } catch (error) {
      throw fromNative(error);
    }
    const cache = new this(handle, sweepMs) as InstanceType<T>;
    cache.#tiers = config.tiers;
    // Write-back lands a value in RAM only, where no other process would find it.
    if (config.writePolicy !== 'back') cache.#leases = coordinatorOf(config.tiers);
    cache.#unwatch = watchSharedTiers(config.tiers, (tier, digest) => {
      if (!cache.#closed) handle.forgetAbove(tier, digest);
    });
    return cache;
  }

  /** The value, read down the tiers (a lower hit is promoted), or undefined on a miss. */
  get(key: string): Promise<Uint8Array | undefined> {
    return settle(() => this.#handleFor(key).get(key));
  }

  /** Stores the value in every tier (write-through), or in the first tier only (`writePolicy: 'back'`). */
  set(key: string, value: CacheValue, options?: SetOptions): Promise<void> {
    return settle(() => {
      const handle = this.#handleFor(key);
      return handle.set(key, toStorable(value), parseTtl(options?.ttl), checkTags(options?.tags));
    });
  }

  /**
   * The values of `keys` in their order (undefined for a miss), as `get` reads each. In the browser build one call
   * into the core reads them all, and an IndexedDB tier in one transaction; the Node build calls `get` per key.
   */
  getMany(keys: readonly string[]): Promise<Array<Uint8Array | undefined>> {
    return settle(() => {
      const handle = this.#handleForMany(keys);
      return handle.getMany?.([...keys]) ?? Promise.all(keys.map((key) => handle.get(key)));
    });
  }

  /**
   * Stores each `[key, value]` as `set` does, all with `options`; settles once every one is stored, and rejects
   * with the first failure (the others are still written). In the browser build one call into the core writes
   * them all, and an IndexedDB tier in one transaction; the Node build calls `set` per entry.
   */
  setMany(entries: ReadonlyArray<readonly [key: string, value: CacheValue]>, options?: SetOptions): Promise<void> {
    return settle(() => {
      if (!Array.isArray(entries)) throw invalidArg('setMany takes an array of [key, value] pairs');
      for (const entry of entries) {
        if (!Array.isArray(entry) || entry.length !== 2) throw invalidArg('setMany takes an array of [key, value] pairs');
      }
      const handle = this.#handleForMany(entries.map(([key]) => key));
      const values = entries.map(([, value]) => toStorable(value));
      const [ttl, tags] = [parseTtl(options?.ttl), checkTags(options?.tags)];
      const keys = entries.map(([key]) => key);
      if (handle.setMany !== undefined) return handle.setMany(keys, values, ttl, tags);
      return Promise.all(keys.map((key, i) => handle.set(key, values[i]!, ttl, tags))).then(() => undefined);
    });
  }

  /**
   * Read-through: the value, or on a miss the loader's value, stored with `ttl`. Concurrent misses of one key, from
   * every caller and every worker thread sharing the cache, run the loader once: the others get its value, or its
   * failure as `ERR_LOADER` (the loader's error is the leader's `cause`).
   */
  async getOrSet(key: string, loader: Loader, options?: GetOrSetOptions): Promise<Uint8Array> {
    const handle = this.#handleFor(key);
    if (typeof loader !== 'function') throw invalidArg('getOrSet needs a loader function');
    const stale = parseStaleWindows(options);
    const write = { ttl: parseTtl(options?.ttl), tags: checkTags(options?.tags), staleMs: stale?.keptMs ?? 0 };
    const signal = options?.signal;
    if (signal?.aborted) throw abortedError();
    const leases = this.#leases;
    const namespace = this.#namespace;
    const lease = leases === undefined ? undefined : () => leases.lease(namespace, key);
    const flight = { handle, open: this.#open, key, loader, write, lease };
    if (stale !== undefined) return getOrSetStale(flight, stale, signal);
    const hit = await this.get(key);
    if (hit !== undefined) return hit;
    if (signal?.aborted) throw abortedError(); // while the miss was read from slower tiers
    return load(flight, signal, () => handle.get(key));
  }

  /**
   * Stores bytes under their content digest (BLAKE3-256, as `digest()` computes it) in a namespace apart from
   * ordinary keys, and resolves to the digest. Identical content is stored once: when a tier already holds it,
   * nothing is written. `ttl` and `tags` apply as for `set`.
   */
  putContent(value: CacheValue, options?: SetOptions): Promise<string> {
    return settle(() => {
      const handle = this.#live();
      return handle.putContent(toStorable(value), parseTtl(options?.ttl), checkTags(options?.tags));
    });
  }

  /** The content `putContent` stored under `digest`, read down the tiers, or undefined. */
  getContent(digest: string): Promise<Uint8Array | undefined> {
    return settle(() => {
      const handle = this.#live();
      if (typeof digest !== 'string') throw invalidArg('a content digest is a string of 64 hex characters');
      return handle.getContent(digest);
    });
  }

  /**
   * Several named blobs under one key (`output`, `stdout`, `stderr`, `exit_code`, ...), read and written by name
   * and stored as one value in a documented frame, so that they are counted, expire and are evicted together.
   */
  entry(key: string): Entry {
    const handle = this.#handleFor(key);
    return new Entry({
      read: () => this.get(key),
      write: (framed, options) => this.set(key, framed, options),
      remove: () => this.delete(key),
      encode: (names, values) => settleSync(() => handle.encodeBlobs(names, values)),
      decode: (framed) => settleSync(() => handle.decodeBlobs(framed)),
    });
  }

  /**
   * A directory entry: a real folder on the disk tier for files other tools make. Resolves to the folder of
   * `key`'s entry; on a miss `fill(dir)` writes it first, once per key however many callers (and worker threads
   * sharing the cache) miss together. The folder is only held while the call runs, so a later eviction may take it:
   * hold it with `leaseDirectory` while reading it. Node build, with a `disk()` tier (else ERR_INVALID_ARG).
   */
  async directory(key: string, fill: DirectoryFill): Promise<string> {
    const lease = await this.leaseDirectory(key, fill);
    lease.release();
    return lease.path;
  }

  /**
   * As `directory`, holding the folder until the lease is released (`await using dir = await
   * cache.leaseDirectory(key, fill)`): the disk tier's eviction passes over it, and a `delete` removes the entry at
   * once but its folder only once released. A failed fill leaves nothing and rejects with ERR_LOADER (its error as
   * `cause`). Directory entries have no TTL; they go by eviction, `delete`, `clear` and `verify`.
   */
  async leaseDirectory(key: string, fill: DirectoryFill): Promise<DirectoryLease> {
    const core = this.#handleFor(key).directories;
    if (core === undefined) {
      throw invalidArg("directory entries need the Node build's disk tier ('stratacache'); this build has none");
    }
    if (typeof fill !== 'function') throw invalidArg('a directory entry needs a fill function');
    const release = (path: string) => {
      if (!this.#closed) settleSync(() => core.releaseDirectory(path));
    };
    try {
      return await leaseDirectory(core, key, fill, release);
    } catch (error) {
      throw error instanceof StrataError ? error : fromNative(error);
    }
  }

  /**
   * A view whose keys live apart from other namespaces' and the cache's own on the same tiers, with the key API
   * (get, set, has, delete, getOrSet, the *Sync methods, entry). The same name gives the same view.
   * `options.cacheLimit` bounds the namespace's bytes in the RAM and disk tiers (see NamespaceOptions). A name is
   * 1 to 256 UTF-8 bytes; 'content' is reserved. The view closes with the cache.
   */
  namespace(name: string, options?: NamespaceOptions): Namespace {
    const handle = this.#live();
    this.#namespaces ??= new Namespaces(handle, this.#tiers, (scoped, name) => {
      const view = new Cache(scoped, undefined);
      view.#tiers = this.#tiers;
      view.#namespace = name;
      view.#leases = this.#leases;
      return view;
    });
    return this.#namespaces.open(name, options);
  }

  /**
   * The live entries, as an async iterable (`for await (const entry of cache.entries())`), with their namespace,
   * tier, size and expiry: of every tier that can list, each key once, or of `options.tier`. Read from what the
   * tiers keep about their entries (their index), never from the values, and not counted as uses. Nothing is
   * locked between pages: an entry present for the whole walk is listed exactly once, while one written or
   * removed during it may or may not be. A tier that cannot list (S3, HTTP) named in `tier`: ERR_UNSUPPORTED.
   */
  entries(options?: ListOptions): AsyncIterableIterator<CacheEntryInfo> {
    return listEntries({ handle: () => this.#live(), tiers: this.#tiers, namespace: this.#namespace }, options);
  }

  /** The keys `entries()` lists, with the same options. */
  async *keys(options?: ListOptions): AsyncIterableIterator<string> {
    for await (const entry of this.entries(options)) yield entry.key;
  }

  /** Whether any tier holds a live entry for the key; does not count as a use. */
  has(key: string): Promise<boolean> {
    return settle(() => this.#handleFor(key).has(key));
  }

  /** Removes the key from every tier; true when some tier held it. */
  delete(key: string): Promise<boolean> {
    return settle(() => this.#handleFor(key).delete(key));
  }

  /** Removes every entry from every tier. */
  clear(): Promise<void> {
    return settle(() => this.#live().clear());
  }

  /**
   * Resolves once the writes the cache sent to slower tiers in the background (`setSync`, `deleteSync`,
   * promotions, demotions) before this call have finished: to every tier (`'all'`, the default) or to the tier of
   * this name. A write-back cache first writes down every entry only its RAM tier holds, and an IndexedDB tier
   * also waits for every write in flight to commit (the sets that settled early with durability `'placed'`).
   * Failures went to `'error'` listeners. At once when there is nothing to wait for, as with RAM tiers only.
   */
  flush(tier = 'all'): Promise<void> {
    return settle(() => {
      const handle = this.#live();
      if (typeof tier !== 'string' || tier.length === 0) throw invalidArg("flush takes 'all' or a tier's name");
      return handle.flush(tier === 'all' ? '' : tier);
    });
  }

  /**
   * Reads the RAM tiers, and the disk tiers below them that read on the calling thread (`inlineReads`),
   * synchronously; a value only in a slower tier is a miss here.
   */
  getSync(key: string): Uint8Array | undefined {
    // The handle checks the key (only when its near cache misses). Written out rather than through settleSync:
    // this is the hot path.
    const handle = this.#live();
    try {
      return handle.getSync(key);
    } catch (error) {
      throw fromNative(error);
    }
  }

  /** Stores synchronously in the RAM tiers; slower tiers are written in the background. */
  setSync(key: string, value: CacheValue, options?: SetOptions): void {
    const handle = this.#handleFor(key);
    settleSync(() => handle.setSync(key, toStorable(value), parseTtl(options?.ttl), checkTags(options?.tags)));
  }

  /** Whether a RAM tier holds a live entry for the key. */
  hasSync(key: string): boolean {
    const handle = this.#handleFor(key);
    return settleSync(() => handle.hasSync(key));
  }

  /** Removes the key from the RAM tiers at once and from slower tiers in the background. */
  deleteSync(key: string): boolean {
    const handle = this.#handleFor(key);
    return settleSync(() => handle.deleteSync(key));
  }

  /** The cache's hits and misses, and each tier's hits, misses, promotions, entries, bytes, evictions, expirations. */
  stats(): CacheStats {
    return this.#live().stats();
  }

  /**
   * The statistics in the Prometheus text format, for a `/metrics` endpoint: `stratacache_cache_hits_total` and
   * `_misses_total`, and per tier (label `tier`) `stratacache_hits_total`, `_misses_total`, `_promotions_total`,
   * `_evictions_total`, `_expirations_total` (counters) and `stratacache_bytes`, `stratacache_entries` (gauges).
   */
  metrics(): string {
    return formatMetrics(this.stats());
  }

  /**
   * Listens to the cache's events, each with the tier's name and the key. `'error'`: a tier failed and the cache
   * carried on without it (S3 unreachable, a promotion or background write that failed), with a StrataError.
   * `'evict'`, `'expire'`, `'promote'`: an entry left a tier by its policy or its TTL, or was copied up into a
   * tier, with a `reason`. The core only reports the types someone listens to. A listener that throws does not
   * disturb the cache or the other listeners.
   */
  on<T extends CacheEventType>(type: T, listener: CacheListener<T>): this {
    const handle = this.#live();
    if (typeof listener !== 'function') throw invalidArg('an event listener must be a function');
    if (!EVENT_TYPES.includes(type)) throw invalidArg(`unknown event type '${String(type)}'`);
    const events = (this.#events ??= new Emitter());
    events.on(type, listener);
    this.#deliver ??= (event) => events.emit(fromNativeEvent(event));
    handle.listen(this.#deliver, events.types());
    return this;
  }

  /** Stops calling a listener added with `on`. */
  off<T extends CacheEventType>(type: T, listener: CacheListener<T>): this {
    const events = this.#events;
    if (events === undefined || this.#closed) return this;
    events.off(type, listener);
    this.#handle.listen(this.#deliver!, events.types());
    return this;
  }

  /**
   * Removes entries from the tiers that nothing else bounds (`s3()`), by listing them: first those written more
   * than `maxAge` ago, then the oldest until the rest fit in `maxSize`. Resolves to how many were removed.
   */
  clean(options: CleanOptions): Promise<number> {
    return settle(() => {
      const handle = this.#live();
      if (options === null || typeof options !== 'object') throw invalidArg('clean takes { maxAge, maxSize }');
      const maxAge = options.maxAge === undefined ? undefined : parseDuration(options.maxAge, 'maxAge');
      const maxSize = options.maxSize === undefined ? undefined : parseSize(options.maxSize, 'maxSize');
      if (maxAge === undefined && maxSize === undefined) throw invalidArg('clean needs maxAge, maxSize or both');
      return handle.clean?.(maxAge, maxSize) ?? 0;
    });
  }

  /**
   * Checks the tiers that keep content beside an index (`disk()`) while they keep serving: drops entries whose
   * content is missing or corrupt, removes files no entry uses and temp files of crashed writers, and fixes the
   * byte totals. Resolves to what it found; tiers with nothing to check report zeros. `onProgress` follows it.
   */
  verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    return settle(() => {
      const { onProgress } = options;
      if (onProgress !== undefined && typeof onProgress !== 'function') throw invalidArg('onProgress must be a function');
      const interval = parseDuration(options.progressInterval ?? DEFAULT_PROGRESS_INTERVAL, 'progressInterval');
      const run = this.#live().verify?.();
      if (run === undefined) return { entries: 0, removedEntries: 0, orphanFiles: 0, tempFiles: 0 };
      return onProgress === undefined ? run.done : followProgress(run, onProgress, interval);
    });
  }

  /**
   * Closes the cache. Calls made from now on reject with `ERR_CLOSED` (a write accepted now might not be kept);
   * getOrSet calls still waiting on a load, and calls waiting on an S3 or HTTP tier, reject with `ERR_CLOSED` at
   * once (those of a `shared` cache go on); then every write accepted before (`setSync`,
   * `deleteSync`, what a write-back cache holds only in RAM, IndexedDB writes in flight) is written down before the
   * promise resolves. Closing again returns the same promise.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#unwatch?.();
    this.#open.close();
    this.#handle.endRemoteCalls?.();
    try {
      await this.#namespaces?.close();
      await this.#handle.flush('');
    } finally {
      await this.#handle.close();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #live(): CoreHandle {
    if (this.#closed) throw closedError();
    return this.#handle;
  }

  #handleFor(key: unknown): CoreHandle {
    const handle = this.#live();
    checkKey(key);
    return handle;
  }

  #handleForMany(keys: readonly unknown[]): CoreHandle {
    const handle = this.#live();
    if (!Array.isArray(keys)) throw invalidArg('expected an array of keys');
    for (const key of keys) checkKey(key);
    return handle;
  }
}

/** One getOrSet of a key: what it loads with, and how it stores the value. */
interface Flight {
  handle: CoreHandle;
  /** The cache's open calls, which close() settles. */
  open: OpenCalls;
  key: string;
  loader: Loader;
  write: CoreWrite;
  /** The key's lease in a tier that runs the loader once across processes, when the cache has one. */
  lease: (() => FlightLease) | undefined;
}

/** A write's validated options. */
interface CoreWrite {
  ttl: Ttl;
  tags: Tags | undefined;
  /** How long each tier keeps the value past its TTL (the longer stale window). */
  staleMs: number;
}

/** getOrSet's stale windows in milliseconds, counted from the end of the value's TTL. */
interface StaleWindows {
  serveMs: number; // staleTtl
  ifErrorMs: number; // staleIfError
  keptMs: number; // the longer: how long past its TTL the entry must be kept
}

function parseStaleWindows(options: GetOrSetOptions | undefined): StaleWindows | undefined {
  if (options?.staleTtl === undefined && options?.staleIfError === undefined) return undefined;
  const serveMs = options.staleTtl === undefined ? 0 : parseDuration(options.staleTtl, 'staleTtl');
  const ifErrorMs = options.staleIfError === undefined ? 0 : parseDuration(options.staleIfError, 'staleIfError');
  return { serveMs, ifErrorMs, keptMs: Math.max(serveMs, ifErrorMs) };
}

/** Joins the key's flight: leads it (rereads, else loads and stores) or waits for the leader's outcome. */
function load(flight: Flight, signal: AbortSignal | undefined, reread: Reread): Promise<Uint8Array> {
  const { handle, key } = flight;
  const ticket = settleSync(() => handle.joinFlight(key));
  if (ticket.waiter === undefined) return abortable(lead(flight, ticket.flight, reread), signal);
  const { waiter } = ticket;
  const leave = () => handle.leaveFlight(key, waiter);
  return abortable(flight.open.track(ticket.result.catch(rejectNative), leave), signal, leave);
}

/**
 * getOrSet with stale windows. The entry expires `keptMs` after its TTL, so its TTL ended at `expiresAt - keptMs`:
 * before that the value is fresh; within `serveMs` after it, it is returned while one background load replaces it;
 * later, within `ifErrorMs`, it is returned only if the load fails.
 */
async function getOrSetStale(flight: Flight, stale: StaleWindows, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const { handle, key } = flight;
  const staleFor = (expiresAt: number) => Date.now() - (expiresAt - stale.keptMs); // negative while fresh
  const fresh: Reread = async () => {
    const entry = await settle(() => handle.getEntry(key));
    return entry !== undefined && staleFor(entry[1]) < 0 ? entry[0] : undefined;
  };
  const entry = await settle(() => handle.getEntry(key));
  if (signal?.aborted) throw abortedError();
  if (entry === undefined) return load(flight, signal, fresh);
  const [value, expiresAt] = entry;
  const age = staleFor(expiresAt);
  if (age < 0) return value;
  if (age < stale.serveMs) {
    refresh(flight, fresh);
    return value;
  }
  try {
    return await load(flight, signal, fresh);
  } catch (error) {
    if (age < stale.ifErrorMs && error instanceof StrataError && error.code === 'ERR_LOADER') return value;
    throw error;
  }
}

/**
 * Starts the background load of a stale value unless one is running already. Its failure is dropped: the stale
 * value is served until its window ends, and then a caller loads and sees the failure.
 */
function refresh(flight: Flight, reread: Reread): void {
  const { handle, key } = flight;
  const ticket = settleSync(() => handle.joinFlight(key));
  if (ticket.waiter !== undefined) {
    ticket.result.catch(() => undefined);
    handle.leaveFlight(key, ticket.waiter);
    return;
  }
  lead(flight, ticket.flight, reread).catch(() => undefined);
}

/**
 * Leads a key's flight: reads the key again (a flight that landed between the caller's miss and its join stored
 * it), else loads and stores the value; either way the flight's waiters get the outcome. Closing the cache ends
 * the flight at once: the waiters in other threads get ERR_LOADER, this caller ERR_CLOSED.
 */
function lead(flight: Flight, id: number, reread: Reread): Promise<Uint8Array> {
  const { handle, key } = flight;
  const lease = flight.lease?.();
  const closed = () => {
    lease?.end();
    handle.endFlight(key, id, undefined, 'the cache that led the load was closed');
  };
  if (lease === undefined) return flight.open.track(loadAndLand(flight, id, reread), closed);
  // Led across processes too: the lease taken (or another's value read) before loading, let go once landed.
  const landed = loadAndLand(flight, id, () => lease.acquire(reread)).finally(() => lease.end());
  return flight.open.track(landed, closed);
}

async function loadAndLand({ handle, key, loader, write }: Flight, flight: number, reread: Reread) {
  let value: Uint8Array | string;
  try {
    const hit = await reread();
    if (hit !== undefined) {
      handle.endFlight(key, flight, hit, '');
      return hit;
    }
    value = toStorable(await loader());
  } catch (error) {
    const reason = messageOf(error);
    handle.endFlight(key, flight, undefined, reason);
    throw new StrataError('ERR_LOADER', reason, { cause: error });
  }
  await settle(() => handle.landFlight(key, value, write.ttl, write.tags, flight, write.staleMs));
  return typeof value === 'string' ? new TextEncoder().encode(value) : value.slice();
}

const EVENT_TYPES: readonly string[] = ['error', 'warning', 'evict', 'expire', 'promote', 'demote'];

/** The event a listener gets: an error event's error as a StrataError. */
function fromNativeEvent(event: NativeEvent): CacheEvents[CacheEventType] {
  const converted = event.error === undefined ? event : { ...event, error: fromNative(event.error) };
  return converted as CacheEvents[CacheEventType];
}

function abortedError(): StrataError {
  return new StrataError('ERR_ABORTED', 'the wait was aborted');
}

/** `work`, or ERR_ABORTED as soon as `signal` aborts (after `leave`, which withdraws the caller's wait). */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, leave?: () => void): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      leave?.();
      reject(abortedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Runs a native operation as a promise: a result answered at once becomes a resolved promise, and whatever
 * fails, synchronously or not, rejects with a StrataError.
 */
const DEFAULT_PROGRESS_INTERVAL = '100ms';

/** Reports a verify's progress each `intervalMs` while it changes, then once more when the verify is done. */
async function followProgress(
  run: VerifyRun,
  onProgress: (progress: VerifyProgress) => void,
  intervalMs: number,
): Promise<VerifyReport> {
  let last = '';
  const report = () => {
    const progress = run.progress();
    const seen = `${progress.checked}/${progress.total}`;
    if (seen === last) return;
    last = seen;
    try {
      onProgress(progress);
    } catch (error) {
      reportListenerError(error);
    }
  };
  const timer = setInterval(report, Math.min(Math.max(intervalMs, 1), MAX_TIMER_MS));
  timer.unref?.();
  try {
    const result = await run.done;
    report();
    return result;
  } finally {
    clearInterval(timer);
  }
}

function settle<T>(operation: () => MaybePromise<T>): Promise<T> {
  try {
    const result = operation();
    return result instanceof Promise ? result.catch(rejectNative) : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(fromNative(error));
  }
}

function rejectNative(error: unknown): never {
  throw fromNative(error);
}

