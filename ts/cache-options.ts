// The options of a Cache's calls, in a module of their own so that the modules Cache is built from (entry,
// namespace) take them without importing the Cache itself.
import type { WritePolicy } from './backend.js';
import type { Tier } from './tiers.js';
import type { Tags, TtlRule } from './ttl-rules.js';
import type { Duration, Size } from './units.js';
import type { CacheValue } from './values.js';

export interface CacheOptions {
  /** Tiers from hottest to last resort. Default: `[ram()]`. */
  tiers?: Tier[];
  /** Default TTL for every tier that sets none. Default: no expiry. */
  ttl?: Duration | null;
  /**
   * TTLs by tags, per tier: `[{ tags: { type: 'thumbnail' }, ttl: { ram: '1h', disk: '6h' } }]`. A write's TTL in
   * a tier is its own `ttl`, else the first rule matching its `tags`, else the tier's `ttl`, else the cache's.
   */
  ttlRules?: TtlRule[];
  /**
   * How often the background sweep runs: it removes expired entries from every tier (and so demotes those of a
   * write-back cache). Budgets do not wait for it: each write evicts what it must. Default `'30s'`; at most
   * 2^31 - 1 ms (about 24.8 days).
   */
  interval?: Duration;
  /**
   * `'through'` (default): a write goes to every tier before it settles. `'back'`: to the first tier (a RAM tier)
   * only; an entry leaves it for the tiers below in the background when it is evicted or expires there, and
   * `flush()` and `close()` write down every entry still only in RAM. Faster writes; a crash loses what was not yet
   * written down.
   */
  writePolicy?: WritePolicy;
  /**
   * Share one cache between the worker threads of a process: every `open` with this name gets a handle to the
   * same entries (Node build only). The last handle to close frees it.
   */
  shared?: string;
}

export interface CleanOptions {
  /** Remove entries written longer ago than this. */
  maxAge?: Duration;
  /** Then remove the oldest entries until the rest take at most this many bytes (values only). */
  maxSize?: Size;
}

export interface SetOptions {
  /** TTL for this entry: milliseconds, a string such as `'30s'`, or `null` for no expiry. */
  ttl?: Duration | null;
  /** Labels that `ttlRules` match on, as `{ type: 'thumbnail' }`. */
  tags?: Tags;
}

export interface GetOrSetOptions extends SetOptions {
  /**
   * Aborts this caller's wait: it rejects with `ERR_ABORTED`. The load carries on for the other callers and its
   * value is still stored.
   */
  signal?: AbortSignal;
  /**
   * Stale-while-revalidate: for this long after its TTL has run out, the value is still returned at once while one
   * background load (for all callers) replaces it. The entry is kept that much longer in every tier.
   */
  staleTtl?: Duration;
  /**
   * Stale-if-error: for this long after its TTL has run out, a caller whose load fails gets the old value instead
   * of the failure. The entry is kept that much longer in every tier.
   */
  staleIfError?: Duration;
}

/** Produces the value of a key that missed; runs once per key however many callers (and threads) miss together. */
export type Loader = () => CacheValue | Promise<CacheValue>;
