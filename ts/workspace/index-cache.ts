// The index cache: what each source said about its directories and files, kept for `indexTtl` so repeated
// `ls`, `stat` and `find` make no network calls. A path can be known to be a file, a directory, or absent.
import { joinPath } from './paths.js';
import type { Listing, ResourceEntry } from './resource.js';

/** What the index knows of one path: an entry, or null when the source said nothing is there. */
export type Known = ResourceEntry | null;

/** A directory's children: in order for `ls`, and as a set for lookups in folders of many files. */
export interface ChildNames {
  sorted: string[];
  set: Set<string>;
}

interface Stamped<T> {
  value: T;
  expires: number;
}

export class IndexCache {
  readonly #ttlMs: number | null;
  readonly #maxRecords: number;
  readonly #entries = new Map<string, Stamped<Known>>();
  readonly #listings = new Map<string, Stamped<ChildNames>>();
  #nextSweep = 0;

  /**
   * `ttlMs` null: entries never expire; 0: nothing is kept. Past `maxRecords` entries and listings, the ones
   * recorded longest ago are forgotten (they are fetched again when needed).
   */
  constructor(ttlMs: number | null, maxRecords: number) {
    this.#ttlMs = ttlMs;
    this.#maxRecords = maxRecords;
  }

  get size(): number {
    return this.#entries.size + this.#listings.size;
  }

  /** The entry at `path` if known and fresh (null: known absent), else undefined. */
  entry(path: string): Known | undefined {
    return fresh(this.#entries, path);
  }

  /** The sorted child names of directory `path` if known and fresh, else undefined. */
  listing(path: string): ChildNames | undefined {
    return fresh(this.#listings, path);
  }

  /**
   * Records what a source said of `path`. `expires` (ms since the epoch): when the answer stops being fresh, if
   * sooner than `ttlMs` from now (one another process got, from the shared index).
   */
  putEntry(path: string, entry: Known, expires = Infinity): void {
    this.#record(this.#entries, path, entry, expires);
    this.#trim();
  }

  /** Records a listing of `directory` and, for a deep one, of every directory below it; `expires` as in putEntry. */
  putListing(directory: string, listing: Listing, expires = Infinity): void {
    const { entries, listings } = expandListing(directory, listing);
    for (const [path, entry] of entries) this.#record(this.#entries, path, entry, expires);
    for (const [path, names] of listings) this.#record(this.#listings, path, { sorted: names, set: new Set(names) }, expires);
    // A listing tells nothing of the folder's own facts (its time, which ls -t sorts by): keep those known.
    const known = this.#entries.get(directory)?.value;
    const name = directory.slice(directory.lastIndexOf('/') + 1);
    this.#record(this.#entries, directory, known?.type === 'directory' ? known : { name, type: 'directory', size: 0 }, expires);
    this.#sweepIfDue();
    this.#trim();
  }

  /**
   * After a write: `name` is now in folder `directory` (or, `present` false, no longer), in its listing if that
   * is known. The listing's age is kept: only this name is news.
   */
  relist(directory: string, name: string, present: boolean): void {
    const stamped = this.#listings.get(directory);
    if (stamped === undefined || stamped.value.set.has(name) === present) return;
    const { set } = stamped.value;
    if (present) set.add(name);
    else set.delete(name);
    stamped.value = { set, sorted: [...set].sort() };
  }

  /** Forgets what is known of `path` itself (its entry and listing), not of what is below it. */
  forget(path: string): void {
    this.#entries.delete(path);
    this.#listings.delete(path);
  }

  /** Forgets `path` and everything below it; returns the file paths it knew there. */
  invalidate(path: string): string[] {
    const files: string[] = [];
    const below = path === '/' ? '/' : `${path}/`;
    for (const [known, { value }] of this.#entries) {
      if (known !== path && !known.startsWith(below)) continue;
      if (value?.type === 'file') files.push(known);
      this.#entries.delete(known);
    }
    for (const known of this.#listings.keys()) {
      if (known === path || known.startsWith(below)) this.#listings.delete(known);
    }
    return files;
  }

  // Deleted first, so that a Map's insertion order is the order of recording: the oldest come first.
  #record<T>(map: Map<string, Stamped<T>>, path: string, value: T, expires = Infinity): void {
    map.delete(path);
    map.set(path, { value, expires: Math.min(expires, this.expiryFromNow()) });
  }

  #trim(): void {
    for (const map of [this.#entries, this.#listings] as Map<string, unknown>[]) {
      for (const path of map.keys()) {
        if (this.size <= this.#maxRecords) return;
        map.delete(path);
      }
    }
  }

  /** When what is recorded now stops being fresh (ms since the epoch; Infinity: never). */
  expiryFromNow(): number {
    return this.#ttlMs === null ? Infinity : Date.now() + this.#ttlMs;
  }

  // Expired entries are dropped when looked up; this bounds the ones nobody looks up again.
  #sweepIfDue(): void {
    const now = Date.now();
    if (this.#ttlMs === null || now < this.#nextSweep) return;
    this.#nextSweep = now + this.#ttlMs;
    for (const map of [this.#entries, this.#listings] as Map<string, Stamped<unknown>>[]) {
      for (const [path, { expires }] of map) if (expires <= now) map.delete(path);
    }
  }
}

function fresh<T>(map: Map<string, Stamped<T>>, path: string): T | undefined {
  const stamped = map.get(path);
  if (stamped === undefined) return undefined;
  if (stamped.expires > Date.now()) return stamped.value;
  map.delete(path);
  return undefined;
}

/**
 * The entries a listing of `directory` names, by virtual path, and the child names of every directory it
 * covers: `directory` itself and, for a deep listing, each folder below it (a deeper key implies its folders).
 */
export function expandListing(directory: string, listing: Listing): { entries: Map<string, ResourceEntry>; listings: Map<string, string[]> } {
  const entries = new Map<string, ResourceEntry>();
  const children = new Map<string, Set<string>>([[directory, new Set()]]);
  for (const entry of listing.entries) {
    const parts = entry.name.split('/').filter((part) => part !== '');
    let parent = directory;
    for (const [i, part] of parts.entries()) {
      const path = joinPath(parent, part);
      children.get(parent)?.add(part);
      const leaf = i === parts.length - 1;
      const isDirectory = !leaf || entry.type === 'directory';
      const known: ResourceEntry = leaf ? { ...entry, name: part } : { name: part, type: 'directory' };
      entries.set(path, isDirectory ? { ...known, size: 0 } : known);
      if (isDirectory && listing.deep && !children.has(path)) children.set(path, new Set());
      parent = path;
    }
  }
  const listings = new Map<string, string[]>();
  for (const [path, names] of children) listings.set(path, [...names].sort());
  return { entries, listings };
}
