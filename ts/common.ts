// What both entry points export besides their own Cache class.
export { StrataError, type StrataErrorCode, type StrataErrorOptions } from './errors.js';
export { ram, type RamPolicy, type RamTierOptions, type Tier } from './tiers.js';
export type { CacheOptions, CleanOptions, GetOrSetOptions, Loader, SetOptions } from './cache.js';
export type {
  CacheErrorEvent,
  CacheEvents,
  CacheEventType,
  CacheEvictEvent,
  CacheExpireEvent,
  CacheListener,
  CachePromoteEvent,
} from './events.js';
export type { CacheStats, TierStats, VerifyReport } from './backend.js';
export type { CacheValue } from './values.js';
export { parseDuration, parseSize, type Duration, type Size } from './units.js';
export type { Tags, TtlRule } from './ttl-rules.js';
export type { Blobs, Entry, EntrySetOptions } from './entry.js';
