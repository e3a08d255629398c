// A disk tier's folder as the command line sees it: its entries, read-only from the index (the addon's
// listDiskIndex, which creates, repairs and writes nothing), and the cache that the commands changing it (verify,
// clean) open over it once the index has been found readable.
import { existsSync } from 'node:fs';

import type { EntryPage } from '../backend.js';
import { disk } from '../disk.js';
import { fromNative, StrataError } from '../errors.js';
import type { CacheEntryInfo } from '../listing.js';
import { addonLoad, noAddon } from '../native-addon.js';
import { Cache } from '../node.js';

interface ListingAddon {
  /** One page of the folder's live entries; throws ERR_NOT_FOUND (no index) or ERR_CORRUPT (a damaged one). */
  listDiskIndex(folder: string, after: string | undefined, limit: number, ns: string | undefined, prefix: string):
    EntryPage;
}

export type FolderEntry = Omit<CacheEntryInfo, 'tier'>;

export interface EntryFilter {
  /** Only this namespace's entries ('' for the cache's own keys); undefined: every namespace. */
  namespace?: string;
  prefix?: string;
}

const PAGE = 1024;
// The cache the CLI opens must not evict what the folder holds: its budget is the folder's, not a default.
const NO_BUDGET = Number.MAX_SAFE_INTEGER;

function listingAddon(): ListingAddon {
  if (addonLoad.reason !== undefined) throw noAddon('the stratacache command', addonLoad.reason);
  return addonLoad.addon as ListingAddon;
}

/** The folder's live entries, a page at a time (each page opens the index and closes it again). */
export function* folderEntries(folder: string, filter: EntryFilter = {}): Generator<FolderEntry> {
  const addon = listingAddon();
  let after: string | undefined;
  for (;;) {
    let page: EntryPage;
    try {
      page = addon.listDiskIndex(folder, after, PAGE, filter.namespace, filter.prefix ?? '');
    } catch (error) {
      throw fromNative(error);
    }
    for (const { cursor: _cursor, ...entry } of page) yield entry;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.cursor;
  }
}

/** Throws ERR_NOT_FOUND or ERR_CORRUPT unless `folder` holds a readable disk tier index. */
export function checkFolder(folder: string): void {
  if (!existsSync(folder)) throw new StrataError('ERR_NOT_FOUND', `there is no folder ${folder}`);
  folderEntries(folder).next();
}

/** The folder's disk tier as a cache, for the commands that change it; `folder` was checked first. */
export function openFolder(folder: string): Promise<Cache> {
  checkFolder(folder);
  return Cache.open({ tiers: [disk({ path: folder, cacheLimit: NO_BUDGET })] });
}
