// cache.keys() and cache.entries(): the core lists one tier a page at a time (Store::ListEntries), each page
// starting after the digest the last one ended with; here the pages of the tiers become one async iterable.
import type { CoreHandle, EntryPage } from './backend.js';
import { fromNative, invalidArg, StrataError } from './errors.js';
import type { TierConfig } from './tiers.js';

/** What `cache.keys()` and `cache.entries()` list. */
export interface ListOptions {
  /**
   * Only this tier's entries (its name). Default: every tier that can list (RAM, disk, IndexedDB; S3 and HTTP
   * tiers are passed over), each key once, as the hottest tier that holds it describes it.
   */
  tier?: string;
  /** Only keys that start with this. */
  prefix?: string;
  /**
   * Every namespace's entries, not only this cache's own keys (or a namespace view's). `entries()` says which
   * namespace each is in ('' for the cache's own keys, 'content' for `putContent`'s).
   */
  allNamespaces?: boolean;
  /** Entries read from the core at a time. Default 256. */
  pageSize?: number;
}

/** An entry as `cache.entries()` lists it. */
export interface CacheEntryInfo {
  key: string;
  /** '' for the cache's own keys. */
  namespace: string;
  /** The name of the tier it was listed from. */
  tier: string;
  /** The value's bytes. */
  size: number;
  /** When it expires, in ms since the epoch; Infinity: never. */
  expiresAt: number;
  /** When it was written and last read, in ms since the epoch, where the tier keeps them (disk). */
  writtenAt?: number;
  accessedAt?: number;
}

const DEFAULT_PAGE_SIZE = 256;
const MAX_PAGE_SIZE = 65_536;

/** The listing a cache or a namespace view (`namespace`: '' for the cache's own keys) asks for. */
export interface ListScope {
  handle: () => CoreHandle; // throws ERR_CLOSED once the cache is closed
  tiers: readonly TierConfig[];
  namespace: string;
}

/**
 * The live entries of `scope`, a page at a time. Nothing is locked between pages: an entry present in a tier for
 * the whole walk is listed exactly once; one written or removed meanwhile may or may not be.
 */
export async function* listEntries(scope: ListScope, options: ListOptions = {}): AsyncGenerator<CacheEntryInfo> {
  const { tier, prefix, ns, pageSize } = checkListOptions(scope, options);
  const tiers = tier !== undefined ? [tier] : scope.tiers.map(({ name }) => name);
  // A key held by several tiers comes from the first; the set grows with the keys listed.
  const seen = tiers.length > 1 ? new Set<string>() : undefined;
  for (const name of tiers) {
    try {
      for await (const page of pagesOf(scope, name, ns, prefix, pageSize)) {
        for (const entry of page) {
          if (seen !== undefined) {
            const id = `${entry.namespace}\0${entry.key}`;
            if (seen.has(id)) continue;
            seen.add(id);
          }
          yield entry;
        }
      }
    } catch (error) {
      // Passed over unless asked for by name.
      if (tier === undefined && error instanceof StrataError && error.code === 'ERR_UNSUPPORTED') continue;
      throw error;
    }
  }
}

/** The pages of one tier's listing (a generator of pages, not entries: one await per page). */
async function* pagesOf(
  scope: ListScope, tier: string, ns: string | undefined, prefix: string, pageSize: number,
): AsyncGenerator<CacheEntryInfo[]> {
  let after: string | undefined;
  for (;;) {
    let page: EntryPage;
    try {
      page = await scope.handle().listEntries(tier, after, pageSize, ns, prefix);
    } catch (error) {
      throw fromNative(error, tier);
    }
    yield page.map(({ key, namespace, size, expiresAt, writtenAt, accessedAt }) => {
      const entry: CacheEntryInfo = { key, namespace, tier, size, expiresAt };
      if (writtenAt !== undefined) entry.writtenAt = writtenAt;
      if (accessedAt !== undefined) entry.accessedAt = accessedAt;
      return entry;
    });
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.cursor;
  }
}

function checkListOptions(scope: ListScope, options: ListOptions) {
  if (options === null || typeof options !== 'object') throw invalidArg('a listing takes an options object');
  const { tier, prefix = '', allNamespaces = false, pageSize = DEFAULT_PAGE_SIZE } = options;
  if (tier !== undefined && !scope.tiers.some((t) => t.name === tier)) {
    throw invalidArg(`the cache has no tier named '${String(tier)}'`);
  }
  if (typeof prefix !== 'string') throw invalidArg('prefix must be a string');
  if (typeof allNamespaces !== 'boolean') throw invalidArg('allNamespaces must be true or false');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw invalidArg(`pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return { tier, prefix, ns: allNamespaces ? undefined : scope.namespace, pageSize };
}
