// What both entry points export besides their own Cache class.
export { StrataError, type StrataErrorCode, type StrataErrorOptions } from './errors.js';
export { ram, type RamPolicy, type RamTierOptions, type Tier } from './tiers.js';
export { custom, type CustomStoreFunctions, type CustomTierOptions } from './custom.js';
export { keyv, type KeyvLike, type KeyvTierOptions } from './keyv.js';
export type { CacheOptions, CleanOptions, GetOrSetOptions, Loader, SetOptions } from './cache-options.js';
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
export type { CacheEntryInfo, ListOptions } from './listing.js';
export type { CacheValue } from './values.js';
export { parseDuration, parseSize, type Duration, type Size } from './units.js';
export { httpResource, type HttpResourceOptions } from './workspace/http-resource.js';
export { memoryResource, type MemoryFiles, type MemoryResourceOptions } from './workspace/memory-resource.js';
export type { ByteRange, EntryType, Listing, ReadResult, Resource, ResourceEntry } from './workspace/resource.js';
export type { CpOptions, FindOptions, MkdirOptions, ReadFileOptions, RmOptions, WorkspaceEntry, WorkspaceFs } from './workspace/entry.js';
export type {
  DriftPolicy, LoadOptions, LoadProgress, SnapshotCompression, SnapshotOptions, SnapshotProgress, SnapshotReport,
  StreamOptions, WorkspaceOptions, WorkspaceStats,
} from './workspace/workspace.js';
export type { MountStats } from './workspace/mount.js';
export type { ExecuteOptions, ExecuteResult } from './workspace/shell.js';
export type { Tags, TtlRule } from './ttl-rules.js';
export type { Blobs, Entry, EntrySetOptions } from './entry.js';
export { MAX_NAMESPACE_BYTES, type Namespace, type NamespaceOptions } from './namespace.js';
export type { DirectoryFill, DirectoryLease } from './directory.js';
