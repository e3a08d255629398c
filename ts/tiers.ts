import { invalidArg } from './errors.js';
import type { LoadCoordinator } from './flight-lease.js';
import type { SharedTierWatch } from './shared-tiers.js';
import { type Duration, MAX_TIMER_MS, parseDuration, parseSize, parseTtl, type Size } from './units.js';

/** A tier as the core receives it: validated, with sizes in bytes and TTLs in milliseconds. */
export interface TierConfig {
  readonly kind: string;
  readonly name: string;
  readonly cacheLimit: number;
  /** undefined: the cache's default applies; null: no expiry. */
  readonly ttl: number | null | undefined;
  /** What a platform's tier needs besides the above, flattened (`'credentials.accessKeyId'`) to strings. */
  readonly settings?: Readonly<Record<string, string>>;
  /** What the tier does for the cache besides storing entries (the redis() tier's). */
  readonly hooks?: TierHooks;
}

/**
 * The ways a tier reaches the cache it is in, each optional. The backends ignore them: only the TypeScript cache
 * (cache.ts) and the Node backend (node.ts) call them.
 */
export interface TierHooks {
  /** The tier is shared across processes and keeps the RAM tiers above it coherent (shared-tiers.ts). */
  readonly watch?: SharedTierWatch;
  /** getOrSet runs each key's loader once across processes, under the tier's leases (flight-lease.ts). */
  readonly lease?: LoadCoordinator;
  /**
   * The bytes the tier's store keeps under an entry's name, read by the Node build itself rather than through the
   * core's call to the tier's driver (direct-reads.ts); null when there are none.
   */
  readonly read?: (name: string) => Promise<Uint8Array | null>;
}

export interface RamTierOptions {
  /** Bytes this tier may hold, counting keys and per-entry overhead. Default `'128MB'`. */
  cacheLimit?: Size;
  /** Default TTL for entries in this tier. Default: the cache's `ttl`. */
  ttl?: Duration | null;
  /**
   * Which entries go first when over budget: `'lru'` (default, least recently used), `'lfu'` (least used,
   * recency breaking ties), `'sized-lru'` (old and large), `'s3-fifo'` (scan-resistant: entries used once leave first).
   */
  policy?: RamPolicy;
  /** Name in statistics and errors. Default `'ram'`. */
  name?: string;
}

export type RamPolicy = 'lru' | 'lfu' | 'sized-lru' | 's3-fifo';
const RAM_POLICIES: readonly string[] = ['lru', 'lfu', 'sized-lru', 's3-fifo'];

/** `value` if it is one of `allowed`, undefined if absent; ERR_INVALID_ARG otherwise. */
export function oneOf(value: unknown, allowed: readonly string[], what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw invalidArg(`${what} must be ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
  return value;
}

/** A tier description to pass in `Cache.open({ tiers: [...] })`. */
export type Tier = TierConfig;

export const DEFAULT_RAM_LIMIT = '128MB';

/** How long a remote tier (s3(), http()) or mount waits on one call by default; see `parseTimeout`. */
export const DEFAULT_REMOTE_TIMEOUT = '10s';
/**
 * A remote tier's or mount's `timeout` in milliseconds: how long one call may wait on the server in all
 * (connecting, silence, a stalled or trickling body, retries), plus one second for each whole MiB of body sent
 * or announced. Positive and at most about 24 days, else ERR_INVALID_ARG.
 */
export function parseTimeout(value: Duration | undefined): number {
  return parseDuration(value ?? DEFAULT_REMOTE_TIMEOUT, 'timeout', MAX_TIMER_MS);
}

export function tierName(name: unknown, fallback: string): string {
  if (name === undefined) return fallback;
  if (typeof name !== 'string' || name.length === 0) throw invalidArg('tier name must be a non-empty string');
  return name;
}

/** An in-memory tier: sharded, thread-safe, bounded by `cacheLimit` in real bytes, evicting by `policy`. */
export function ram(options: RamTierOptions = {}): Tier {
  if (options === null || typeof options !== 'object') throw invalidArg('ram() takes an options object');
  return {
    kind: 'ram',
    name: tierName(options.name, 'ram'),
    cacheLimit: parseSize(options.cacheLimit ?? DEFAULT_RAM_LIMIT, 'cacheLimit'),
    ttl: parseTtl(options.ttl, 'ttl'),
    settings: { policy: oneOf(options.policy, RAM_POLICIES, 'policy') ?? 'lru' },
  };
}
