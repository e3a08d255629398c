// The shared index: what sources answered (listings and stats), kept in a Cache over a tier that other
// workspaces use too (redis(), custom(), indexedDb() in browsers), so that a workspace in another process
// asks that tier before the source. It is the level behind each workspace's IndexCache: a local miss looks here,
// and what the source then answers is recorded here too, for the time its answer is fresh.
//
// Records are keyed by a resource's `id` and a path within it. Each carries the generation of its source it was
// read under: a random token under the source's own key, which any write through a workspace replaces, so every
// record read before a write stops counting in every process without anyone finding those records. The token is
// read before the source is asked, so an answer read before a concurrent write can never count after it.
import type { Cache } from '../cache.js';
import { MAX_KEY_BYTES, utf8Length } from '../values.js';
import type { Known } from './index-cache.js';
import type { Listing, ResourceEntry } from './resource.js';

/** An answer the shared index had, and when it stops being fresh (ms since the epoch; Infinity: never). */
export interface Recalled<T> {
  value: T;
  expires: number;
}

/** A listing of a folder (a path in the source) that the shared index holds. */
export interface RecordedListing {
  directory: string;
  listing: Listing;
  expires: number;
}

/** One look-up before asking a source: what the shared index knows, and how to record the source's answer. */
export interface Lookup<T> {
  found?: Recalled<T>;
  /** The listings of the folders asked about that it holds: the caller keeps them, to look up no more below. */
  listings: RecordedListing[];
  /** Records what the source answered, in the background (close() waits for it). */
  remember(value: T): void;
}

/** An entry as stored: [name, 1 for a directory else 0, size, mtimeMs, etag], absent fields null or cut off. */
type EntryTuple = [string, 0 | 1, (number | null)?, (number | null)?, (string | null)?];

interface SharedRecord {
  /** The source's generation when the source was asked. */
  g: string;
  /** When the answer stops being fresh, ms since the epoch; null: never. */
  x: number | null;
  /** A listing: deep or not, and its entries. */
  l?: [0 | 1, EntryTuple[]];
  /** A stat: the entry, or null when nothing was there. */
  s?: EntryTuple | null;
}

/** Names the records' format: one of another format is under other keys, never read as this one. */
const KEY_PREFIX = 'workspace-index/1:';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const keyOf = (...parts: string[]): string => KEY_PREFIX + JSON.stringify(parts);
const generationKey = (id: string): string => keyOf('generation', id);
const recordKey = (id: string, kind: 'list' | 'stat', path: string): string => keyOf(kind, id, path);
const encode = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));

function newGeneration(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function toTuple({ name, type, size, mtimeMs, etag }: ResourceEntry): EntryTuple {
  const tuple: EntryTuple = [name, type === 'directory' ? 1 : 0, size ?? null, mtimeMs ?? null, etag ?? null];
  while (tuple.length > 2 && tuple[tuple.length - 1] === null) tuple.pop();
  return tuple;
}

const isTuple = (value: unknown): value is EntryTuple =>
  Array.isArray(value) && typeof value[0] === 'string' && (value[1] === 0 || value[1] === 1) &&
  (value[2] == null || typeof value[2] === 'number') && (value[3] == null || typeof value[3] === 'number') &&
  (value[4] == null || typeof value[4] === 'string');

function fromTuple([name, directory, size, mtimeMs, etag]: EntryTuple): ResourceEntry {
  return {
    name,
    type: directory === 1 ? 'directory' : 'file',
    ...(size == null ? {} : { size }),
    ...(mtimeMs == null ? {} : { mtimeMs }),
    ...(etag == null ? {} : { etag }),
  };
}

/** What a stored value says, if it is a record of this format that counts under `generation` at `now`. */
function decodeRecord(value: unknown, generation: string, now: number): Recalled<Listing | Known> | undefined {
  const { g, x, l, s } = (value ?? {}) as Partial<Record<keyof SharedRecord, unknown>>;
  if (g !== generation || !(x === null || (typeof x === 'number' && x > now))) return undefined;
  const expires = x ?? Infinity;
  if (s === null) return { value: null, expires };
  if (isTuple(s)) return { value: fromTuple(s), expires };
  if (Array.isArray(l) && Array.isArray(l[1]) && l[1].every(isTuple)) {
    return { value: { deep: l[0] === 1, entries: l[1].map(fromTuple) }, expires };
  }
  return undefined;
}

const isListing = (value: Listing | Known): value is Listing => value !== null && 'entries' in value;

/** `path` below `directory` ('' is the source's root), or undefined when it is not below it. */
function below(directory: string, path: string): string | undefined {
  if (directory === '') return path;
  return path.startsWith(`${directory}/`) ? path.slice(directory.length + 1) : undefined;
}

/** What a deep listing of `directory` says is listed at `path` below it: a listing, or undefined (no folder). */
function listingWithin(directory: string, listing: Listing, path: string): Listing | undefined {
  const prefix = `${below(directory, path)}/`;
  const entries = listing.entries.filter((entry) => entry.name.startsWith(prefix)).map((entry) => ({ ...entry, name: entry.name.slice(prefix.length) }));
  const isFolder = entries.length > 0 || listing.entries.some((entry) => entry.name === prefix.slice(0, -1) && entry.type === 'directory');
  return isFolder ? { deep: true, entries } : undefined;
}

/** What a listing of `directory` says of `path`: its entry, null (nothing there), or undefined (it cannot say). */
function entryWithin(directory: string, listing: Listing, path: string): Known | undefined {
  const rest = below(directory, path)!;
  if (!listing.deep && rest.includes('/')) return undefined;
  const name = rest.slice(rest.lastIndexOf('/') + 1);
  for (const entry of listing.entries) {
    if (entry.name === rest) return entry.type === 'directory' ? { ...entry, name, size: 0 } : { ...entry, name };
    if (entry.name.startsWith(`${rest}/`)) return { name, type: 'directory', size: 0 }; // a folder the listing implies
  }
  return null;
}

export class SharedIndex {
  readonly #cache: Cache;
  readonly #ttlMs: number | null;
  readonly #writes = new Set<Promise<void>>();
  hits = 0;
  misses = 0;
  /** Calls to the tier that failed or timed out (each a miss, or a write not made). */
  errors = 0;

  /** `cache`: over the shared tier, owned from now on; `ttlMs`: how long a source's answer is fresh (null: ever). */
  constructor(cache: Cache, ttlMs: number | null) {
    this.#cache = cache;
    this.#ttlMs = ttlMs;
    cache.on('error', () => void (this.errors += 1));
  }

  /**
   * Before listing `path` of source `id`: its listing if recorded, or what a deep listing of one of `ancestors`
   * (the folders above it whose listing the caller lacks, nearest first) holds below it, where undefined says
   * that no folder is there, as the source would.
   */
  async listing(id: string, path: string, ancestors: string[]): Promise<Lookup<Listing | undefined>> {
    const { generation, own, above } = await this.#read(id, 'list', path, ancestors);
    let found: Recalled<Listing | undefined> | undefined;
    if (own !== undefined && isListing(own.value)) found = { value: own.value, expires: own.expires };
    for (const { directory, listing, expires } of above) {
      if (found === undefined && listing.deep) found = { value: listingWithin(directory, listing, path), expires };
    }
    // No folder: not recorded, as the caller then asks for the entry, which is.
    return this.#lookup(generation, recordKey(id, 'list', path), found, above, (listing) =>
      listing === undefined ? undefined : { l: [listing.deep ? 1 : 0, listing.entries.map(toTuple)] });
  }

  /** Before a stat of `path`: the entry (or null) if recorded, or as the listing of its folder or a deep one says. */
  async entry(id: string, path: string, ancestors: string[]): Promise<Lookup<Known>> {
    const { generation, own, above } = await this.#read(id, 'stat', path, ancestors);
    let found: Recalled<Known> | undefined;
    if (own !== undefined && !isListing(own.value)) found = { value: own.value, expires: own.expires };
    for (const { directory, listing, expires } of above) {
      const known = found === undefined ? entryWithin(directory, listing, path) : undefined;
      if (known !== undefined) found = { value: known, expires };
    }
    return this.#lookup(generation, recordKey(id, 'stat', path), found, above, (entry) => ({ s: entry === null ? null : toTuple(entry) }));
  }

  /**
   * After a write to source `id`: a new generation, so that no process counts what was recorded before. Resolves
   * once stored, or once the tier failed (what was recorded then lasts until it expires).
   */
  async changed(id: string): Promise<void> {
    await this.#cache.set(generationKey(id), encode(newGeneration())).catch(() => undefined);
  }

  /** Waits for the records being written (each within the tier's timeout), then closes the cache. */
  async close(): Promise<void> {
    await Promise.all(this.#writes);
    await this.#cache.close();
  }

  #lookup<T>(
    generation: string | undefined,
    key: string,
    found: Recalled<T> | undefined,
    listings: RecordedListing[],
    body: (value: T) => Omit<SharedRecord, 'g' | 'x'> | undefined,
  ): Lookup<T> {
    if (found === undefined) this.misses += 1;
    else this.hits += 1;
    return {
      ...(found === undefined ? {} : { found }),
      listings,
      remember: (value) => {
        const answer = body(value);
        if (generation === undefined || answer === undefined) return;
        const expires = this.#ttlMs === null ? null : Date.now() + this.#ttlMs;
        this.#write(key, { g: generation, x: expires, ...answer }, this.#ttlMs ?? undefined);
      },
    };
  }

  /**
   * The source's generation (a new one when it has none) and the records for `path` and `ancestors` that count
   * under it. Every key is read at once: one round trip.
   */
  async #read(id: string, kind: 'list' | 'stat', path: string, ancestors: string[]): Promise<{
    generation: string | undefined;
    own: Recalled<Listing | Known> | undefined;
    above: RecordedListing[];
  }> {
    const keys = [generationKey(id), recordKey(id, kind, path), ...ancestors.map((directory) => recordKey(id, 'list', directory))];
    const [stored, own, ...records] = await Promise.all(keys.map((key) => this.#get(key)));
    const generation = typeof stored === 'string' ? stored : undefined;
    if (generation === undefined) {
      // Stored, and awaited, before the source is asked: a write its answer misses replaces it afterwards.
      const fresh = newGeneration();
      const created = await this.#cache.set(generationKey(id), encode(fresh)).then(() => fresh, () => undefined);
      return { generation: created, own: undefined, above: [] };
    }
    const now = Date.now();
    const above = ancestors.flatMap((directory, i) => {
      const answer = decodeRecord(records[i], generation, now);
      return answer !== undefined && isListing(answer.value) ? [{ directory, listing: answer.value, expires: answer.expires }] : [];
    });
    return { generation, own: decodeRecord(own, generation, now), above };
  }

  /** The decoded value under `key`; undefined when absent, unreadable, or the tier failed (an error event). */
  async #get(key: string): Promise<unknown> {
    if (utf8Length(key) > MAX_KEY_BYTES) return undefined;
    try {
      const bytes = await this.#cache.get(key);
      return bytes === undefined ? undefined : JSON.parse(decoder.decode(bytes));
    } catch {
      return undefined;
    }
  }

  #write(key: string, record: SharedRecord, ttl: number | undefined): void {
    if (utf8Length(key) > MAX_KEY_BYTES) return;
    const writing: Promise<void> = this.#cache
      .set(key, encode(record), ttl === undefined ? {} : { ttl })
      .catch(() => undefined)
      .finally(() => this.#writes.delete(writing));
    this.#writes.add(writing);
  }
}
