// The disk() tier (Node build only): values in files under a folder, indexed by SQLite, bounded by cacheLimit.
import { resolve } from 'node:path';

import { invalidArg } from './errors.js';
import { oneOf, type Tier, tierName } from './tiers.js';
import { parseSize, parseTtl, type Duration, type Size } from './units.js';

export type EvictionPolicy = 'lru' | 'lfu' | 'sized-lru';
export type Durability = 'relaxed' | 'strict';

export interface DiskTierOptions {
  /** The folder (created if missing). Several processes and worker threads may share it. */
  path: string;
  /** Bytes on disk this tier may use: files, inline values and index rows. Default `'1GB'`. */
  cacheLimit?: Size;
  /** Default TTL for entries in this tier. Default: the cache's `ttl`. */
  ttl?: Duration | null;
  /** Which entries go first when over budget: least recently used (default), least used, or old and large. */
  policy?: EvictionPolicy;
  /**
   * `'relaxed'` (default): a write survives the process crashing, not the machine losing power.
   * `'strict'`: files, folders and the index are fsynced before a set resolves.
   */
  durability?: Durability;
  /**
   * `true` (default): a hit whose value is kept in the index (up to 4 KiB) is read on the calling JavaScript
   * thread, and `getSync` reads this tier too (larger values included, from their files). `false`: every read of
   * this tier goes to its reader threads, off the event loop, and `getSync` does not read it. See the README on
   * when a disk read can block the event loop.
   */
  inlineReads?: boolean;
  /** Name in statistics, errors and events. Default `'disk'`. */
  name?: string;
}

export const DEFAULT_DISK_LIMIT = '1GB';
const POLICIES: readonly string[] = ['lru', 'lfu', 'sized-lru'];
const DURABILITIES: readonly string[] = ['relaxed', 'strict'];

/**
 * A tier on the local disk: content-addressed files plus a SQLite index, kept within `cacheLimit` online,
 * checksummed on every read. Usually placed below `ram()`. Node build only.
 */
export function disk(options: DiskTierOptions): Tier {
  if (options === null || typeof options !== 'object') throw invalidArg('disk() takes an options object with a path');
  if (typeof options.path !== 'string' || options.path.length === 0 || options.path.includes('\0')) {
    throw invalidArg('path must be a non-empty folder path');
  }
  const policy = oneOf(options.policy, POLICIES, 'policy') ?? 'lru';
  const durability = oneOf(options.durability, DURABILITIES, 'durability') ?? 'relaxed';
  const inlineReads = options.inlineReads ?? true;
  if (typeof inlineReads !== 'boolean') throw invalidArg('inlineReads must be true or false');
  return {
    kind: 'disk',
    name: tierName(options.name, 'disk'),
    cacheLimit: parseSize(options.cacheLimit ?? DEFAULT_DISK_LIMIT, 'cacheLimit'),
    ttl: parseTtl(options.ttl, 'ttl'),
    settings: { path: resolve(options.path), policy, durability, inlineReads: String(inlineReads) },
  };
}
