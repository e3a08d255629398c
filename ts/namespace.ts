// Namespaces: views of a cache whose keys live apart from every other namespace's on the same tiers (the core
// hashes each key with its namespace), optionally with a byte limit of their own that the core enforces per tier.
import type { CoreHandle } from './backend.js';
import type { Cache } from './cache.js';
import type { GetOrSetOptions, Loader, SetOptions } from './cache-options.js';
import type { Entry } from './entry.js';
import type { CacheEntryInfo, ListOptions } from './listing.js';
import { invalidArg, settleSync } from './errors.js';
import type { TierConfig } from './tiers.js';
import { parseSize, type Size } from './units.js';
import { type CacheValue, checkName } from './values.js';

/** The longest namespace name, in UTF-8 bytes (the core's kMaxNamespaceBytes). */
export const MAX_NAMESPACE_BYTES = 256;
// putContent's own namespace (native/core/include/stratacache/content.h): a view over it would alias its entries.
const RESERVED = new Set(['content']);
// The tier kinds that bound a namespace; the others (S3 and HTTP, which nothing bounds) ignore a cache-wide
// namespace limit.
const BOUNDING_KINDS = new Set(['ram', 'disk', 'indexeddb']);

export interface NamespaceOptions {
  /**
   * Bytes this namespace's entries may take, charged as the tier's own `cacheLimit` charges them: one size for
   * every tier that bounds namespaces (RAM, disk, IndexedDB), or sizes by tier name, as `{ ram: '16MB', disk: '1GB' }`.
   * Past it, that tier evicts this namespace's entries by its policy ('evict' events with reason 'namespace');
   * the tier's own `cacheLimit` still bounds all namespaces together. Opening a namespace again with a
   * `cacheLimit` replaces its limits (the latest wins); without one, they stay as they are.
   */
  cacheLimit?: Size | Readonly<Record<string, Size>>;
}

/** A namespace's limit in bytes by tier name. */
type Limits = Record<string, number>;

/**
 * A view of a cache whose keys live apart from other namespaces' (and the cache's own) on the same tiers: the
 * same key API, scoped. Get one with `cache.namespace(name)`; it closes with its cache.
 */
export class Namespace {
  readonly name: string;
  readonly #cache: Cache;

  /** @internal Use `cache.namespace(name)`. */
  constructor(name: string, cache: Cache) {
    this.name = name;
    this.#cache = cache;
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#cache.get(key);
  }
  set(key: string, value: CacheValue, options?: SetOptions): Promise<void> {
    return this.#cache.set(key, value, options);
  }
  has(key: string): Promise<boolean> {
    return this.#cache.has(key);
  }
  delete(key: string): Promise<boolean> {
    return this.#cache.delete(key);
  }
  getOrSet(key: string, loader: Loader, options?: GetOrSetOptions): Promise<Uint8Array> {
    return this.#cache.getOrSet(key, loader, options);
  }
  getSync(key: string): Uint8Array | undefined {
    return this.#cache.getSync(key);
  }
  setSync(key: string, value: CacheValue, options?: SetOptions): void {
    this.#cache.setSync(key, value, options);
  }
  hasSync(key: string): boolean {
    return this.#cache.hasSync(key);
  }
  deleteSync(key: string): boolean {
    return this.#cache.deleteSync(key);
  }
  entry(key: string): Entry {
    return this.#cache.entry(key);
  }
  /** This namespace's live entries: see Cache.entries. */
  entries(options?: ListOptions): AsyncIterableIterator<CacheEntryInfo> {
    return this.#cache.entries(options);
  }
  keys(options?: ListOptions): AsyncIterableIterator<string> {
    return this.#cache.keys(options);
  }

  /** @internal */
  close(): Promise<void> {
    return this.#cache.close();
  }
}

/** A cache's namespaces, by name: opening a name again gives the same view. */
export class Namespaces {
  readonly #handle: CoreHandle;
  readonly #tiers: readonly TierConfig[];
  readonly #wrap: (handle: CoreHandle, name: string) => Cache;
  readonly #views = new Map<string, Namespace>();

  /** `wrap` makes the cache a namespace's view delegates to, over its handle. */
  constructor(handle: CoreHandle, tiers: readonly TierConfig[], wrap: (handle: CoreHandle, name: string) => Cache) {
    this.#handle = handle;
    this.#tiers = tiers;
    this.#wrap = wrap;
  }

  open(name: unknown, options: NamespaceOptions | undefined): Namespace {
    checkNamespaceName(name);
    const limits = limitsOf(options, this.#tiers);
    let view = this.#views.get(name);
    if (view === undefined) {
      const first = this.#tiers[0]!;
      const nearLimit = Math.min(first.cacheLimit, limits?.[first.name] ?? Infinity);
      const handle = settleSync(() => this.#handle.namespaced(name, nearLimit));
      view = new Namespace(name, this.#wrap(handle, name));
      this.#views.set(name, view);
    }
    if (limits !== undefined) {
      // The latest limits replace the earlier ones: tiers no longer named lose theirs.
      const all: Record<string, number | null> = {};
      for (const tier of this.#tiers) if (BOUNDING_KINDS.has(tier.kind)) all[tier.name] = limits[tier.name] ?? null;
      settleSync(() => this.#handle.limitNamespace(name, all));
    }
    return view;
  }

  /** Closes every view: see Cache.close. */
  async close(): Promise<void> {
    const views = [...this.#views.values()];
    this.#views.clear();
    await Promise.all(views.map((view) => view.close()));
  }
}

function checkNamespaceName(name: unknown): asserts name is string {
  checkName(name, "a namespace's name", MAX_NAMESPACE_BYTES);
  if (RESERVED.has(name)) throw invalidArg(`the namespace '${name}' is reserved (putContent uses it)`);
}

/** The limits `options` set, by tier name, or undefined when they set none. */
function limitsOf(options: NamespaceOptions | undefined, tiers: readonly TierConfig[]): Limits | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw invalidArg('namespace options must be an object');
  const { cacheLimit } = options;
  if (cacheLimit === undefined) return undefined;
  const limits: Limits = {};
  if (typeof cacheLimit === 'number' || typeof cacheLimit === 'string') {
    const bytes = parseSize(cacheLimit, 'cacheLimit');
    for (const tier of tiers) if (BOUNDING_KINDS.has(tier.kind)) limits[tier.name] = bytes;
    return limits;
  }
  if (cacheLimit === null || typeof cacheLimit !== 'object' || Array.isArray(cacheLimit)) {
    throw invalidArg("cacheLimit must be a size, or sizes by tier name as { ram: '16MB' }");
  }
  for (const [name, size] of Object.entries(cacheLimit)) {
    const tier = tiers.find((t) => t.name === name);
    if (tier === undefined) throw invalidArg(`cacheLimit names a tier '${name}' the cache does not have`);
    if (!BOUNDING_KINDS.has(tier.kind)) {
      throw invalidArg(`tier '${name}' (${tier.kind}) cannot bound a namespace; RAM, disk and IndexedDB tiers can`);
    }
    limits[name] = parseSize(size, `cacheLimit.${name}`);
  }
  return limits;
}
