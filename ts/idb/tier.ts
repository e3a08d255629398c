// The indexedDb() tier (WebAssembly build): entries persist in the origin's IndexedDB, bounded by cacheLimit.
import { invalidArg } from '../errors.js';
import { oneOf, type Tier, tierName } from '../tiers.js';
import { type Duration, MAX_TIMER_MS, parseDuration, parseSize, parseTtl, type Size } from '../units.js';

export interface IndexedDbTierOptions {
  /** The tier's name in statistics, events and `tier` options. Default `'indexeddb'`. */
  name?: string;
  /** The IndexedDB database's name; tabs of an origin that use one database share its entries. Default `'stratacache'`. */
  database?: string;
  /** Bytes this tier may store: values, keys twice (record and metadata index), and record overhead. Default `'256MB'`. */
  cacheLimit?: Size;
  /** Default TTL for entries in this tier. Default: the cache's `ttl`. */
  ttl?: Duration | null;
  /** Which entries go first when over budget. Only least recently used (`'lru'`) today. */
  policy?: 'lru';
  /** How long `Cache.open` waits for IndexedDB before going on with RAM in its place. Default `'5s'`. */
  openTimeout?: Duration;
  /**
   * When a `set` settles. `'committed'` (default): once its IndexedDB transaction committed; a full quota fails
   * it with `ERR_QUOTA`. `'placed'`: once its write is placed in a live transaction, which IndexedDB then commits
   * unless the page dies first or the transaction fails; a failure is then an `error` event, not a failed set. At
   * most 1 MiB of such writes wait for their commit; a set that would go past that settles at its commit.
   * `flush()` and `close()` wait for the commits either way.
   */
  durability?: IndexedDbDurability;
}

export type IndexedDbDurability = 'committed' | 'placed';
const DURABILITIES: readonly string[] = ['committed', 'placed'];

export const DEFAULT_INDEXEDDB_LIMIT = '256MB';
const DEFAULT_OPEN_TIMEOUT = '5s';

/**
 * A persistent tier in the browser's IndexedDB, usually placed below `ram()`. When IndexedDB cannot be used
 * (private mode, blocked storage, no answer within `openTimeout`), the cache opens with a RAM tier in its
 * place and emits a `warning` event. WebAssembly build only.
 */
export function indexedDb(options: IndexedDbTierOptions = {}): Tier {
  if (options === null || typeof options !== 'object') throw invalidArg('indexedDb() takes an options object');
  const database = options.database ?? 'stratacache';
  if (typeof database !== 'string' || database.length === 0) throw invalidArg('database must be a non-empty string');
  if (options.policy !== undefined && options.policy !== 'lru') throw invalidArg("policy must be 'lru'");
  const openTimeout = parseDuration(options.openTimeout ?? DEFAULT_OPEN_TIMEOUT, 'openTimeout', MAX_TIMER_MS);
  const durability = oneOf(options.durability, DURABILITIES, 'durability') ?? 'committed';
  return {
    kind: 'indexeddb',
    name: tierName(options.name, 'indexeddb'),
    cacheLimit: parseSize(options.cacheLimit ?? DEFAULT_INDEXEDDB_LIMIT, 'cacheLimit'),
    ttl: parseTtl(options.ttl, 'ttl'),
    settings: { database, openTimeout: String(openTimeout), durability },
  };
}
