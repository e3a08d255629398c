import { invalidArg } from './errors.js';
import { type Duration, parseSize, parseTtl, type Size } from './units.js';

/** A tier as the core receives it: validated, with sizes in bytes and TTLs in milliseconds. */
export interface TierConfig {
  readonly kind: string;
  readonly name: string;
  readonly cacheLimit: number;
  /** undefined: the cache's default applies; null: no expiry. */
  readonly ttl: number | null | undefined;
  /** What a platform's tier needs besides the above, flattened (`'credentials.accessKeyId'`) to strings. */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface RamTierOptions {
  /** Bytes this tier may hold, counting keys and per-entry overhead. Default `'128MB'`. */
  cacheLimit?: Size;
  /** Default TTL for entries in this tier. Default: the cache's `ttl`. */
  ttl?: Duration | null;
  /** Name in statistics and errors. Default `'ram'`. */
  name?: string;
}

/** A tier description to pass in `Cache.open({ tiers: [...] })`. */
export type Tier = TierConfig;

export const DEFAULT_RAM_LIMIT = '128MB';

export function tierName(name: unknown, fallback: string): string {
  if (name === undefined) return fallback;
  if (typeof name !== 'string' || name.length === 0) throw invalidArg('tier name must be a non-empty string');
  return name;
}

/** An in-memory tier: sharded, thread-safe, LRU, bounded by `cacheLimit` in real bytes. */
export function ram(options: RamTierOptions = {}): Tier {
  if (options === null || typeof options !== 'object') throw invalidArg('ram() takes an options object');
  return {
    kind: 'ram',
    name: tierName(options.name, 'ram'),
    cacheLimit: parseSize(options.cacheLimit ?? DEFAULT_RAM_LIMIT, 'cacheLimit'),
    ttl: parseTtl(options.ttl, 'ttl'),
  };
}
