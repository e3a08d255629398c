// cache.entry(key): several named blobs in one cache entry, framed by the core (native/core/.../named_blobs.h)
// so that they are charged, expire and are evicted together.
import type { SetOptions } from './cache-options.js';
import { invalidArg } from './errors.js';
import { type CacheValue, toStorable } from './values.js';

/** What an entry needs of its cache: its key's value, and the core's frame codec. */
export interface EntryAccess {
  read(): Promise<Uint8Array | undefined>;
  write(framed: Uint8Array, options: SetOptions): Promise<void>;
  remove(): Promise<boolean>;
  encode(names: string[], values: Array<Uint8Array | string>): Uint8Array;
  /** Throws ERR_CORRUPT for a value that is not a frame. */
  decode(framed: Uint8Array): [names: string[], values: Uint8Array[]];
}

/** Named blobs to write, as `{ output: bytes, stdout: 'text', exit_code: '0' }`. */
export type Blobs = Readonly<Record<string, CacheValue>>;

export interface EntrySetOptions extends SetOptions {
  /** Drop the entry's blobs that this call does not name. Default: keep them. */
  replace?: boolean;
}

/**
 * Several named blobs (`output`, `stdout`, `stderr`, `exit_code`, `metadata`, ...) under one key, read and
 * written by name and stored as one value: they are counted against `cacheLimit`, expire and are evicted
 * together, so a reader never sees some of them without the others.
 */
export class Entry {
  readonly #access: EntryAccess;

  /** @internal Use `cache.entry(key)`. */
  constructor(access: EntryAccess) {
    this.#access = access;
  }

  /** The blob of this name, or undefined when the entry or the name is missing. */
  async get(name: string): Promise<Uint8Array | undefined> {
    return (await this.getAll())?.get(name);
  }

  /** Every blob by name, or undefined when the entry is missing. */
  async getAll(): Promise<Map<string, Uint8Array> | undefined> {
    const framed = await this.#access.read();
    if (framed === undefined) return undefined;
    const [names, values] = this.#access.decode(framed);
    return new Map(names.map((name, i) => [name, values[i]!]));
  }

  /** The names of the blobs held, in byte order; empty when the entry is missing. */
  async names(): Promise<string[]> {
    return [...((await this.getAll())?.keys() ?? [])];
  }

  /**
   * Writes the given blobs, keeping the entry's other blobs (all of them replaced with `replace: true`); `ttl`
   * and `tags` apply to the whole entry, as for `set`. The read and the write are two steps: of two concurrent
   * `set`s on one entry, the last one's blobs win.
   */
  async set(blobs: Blobs, options: EntrySetOptions = {}): Promise<void> {
    if (blobs === null || typeof blobs !== 'object' || Array.isArray(blobs)) {
      throw invalidArg('entry.set takes an object of named blobs, as in { stdout: bytes }');
    }
    const given = Object.entries(blobs).map(([name, value]) => {
      if (name.length === 0) throw invalidArg('a blob name must not be empty');
      return [name, toStorable(value)] as const;
    });
    const { replace, ...setOptions } = options;
    const merged = new Map<string, Uint8Array | string>(replace ? [] : ((await this.getAll()) ?? []));
    for (const [name, value] of given) merged.set(name, value);
    await this.#access.write(this.#access.encode([...merged.keys()], [...merged.values()]), setOptions);
  }

  /** Removes the entry and all its blobs; true when it was there. */
  delete(): Promise<boolean> {
    return this.#access.remove();
  }
}
