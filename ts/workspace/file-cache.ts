// The file cache: each file's bytes as one cache entry under its virtual path, with the version it was read
// at (size, ETag, mtime) framed in front, so bytes and version are stored, evicted and restored together.
import type { Cache } from '../cache.js';
import { MAX_KEY_BYTES, utf8Length } from '../values.js';
import type { ResourceEntry } from './resource.js';

/** The version of a file's bytes. */
export interface FileVersion {
  size: number;
  etag?: string;
  mtimeMs?: number;
}

export interface CachedFile {
  version: FileVersion;
  bytes: Uint8Array;
}

const KEY_PREFIX = 'workspace:';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** False when what a source says now shows that bytes read at `cached` are out of date. */
export function sameVersion(cached: FileVersion, now: ResourceEntry): boolean {
  if (cached.etag !== undefined && now.etag !== undefined) return cached.etag === now.etag && (now.size ?? cached.size) === cached.size;
  if (now.size !== undefined && now.size !== cached.size) return false;
  return cached.mtimeMs === undefined || now.mtimeMs === undefined || cached.mtimeMs === now.mtimeMs;
}

export function versionOf(entry: ResourceEntry, size: number): FileVersion {
  return { size, ...(entry.etag === undefined ? {} : { etag: entry.etag }), ...(entry.mtimeMs === undefined ? {} : { mtimeMs: entry.mtimeMs }) };
}

export class FileCache {
  readonly #cache: Cache;
  hits = 0;
  misses = 0;

  constructor(cache: Cache) {
    this.#cache = cache;
  }

  get cache(): Cache {
    return this.#cache;
  }

  /** Whether a file at `path` can be cached at all (its key fits). */
  holds(path: string): boolean {
    return utf8Length(KEY_PREFIX) + utf8Length(path) <= MAX_KEY_BYTES;
  }

  async get(path: string): Promise<CachedFile | undefined> {
    const framed = this.holds(path) ? await this.#cache.get(KEY_PREFIX + path) : undefined;
    const file = framed === undefined ? undefined : unframe(framed);
    if (file === undefined) this.misses += 1;
    else this.hits += 1;
    return file;
  }

  has(path: string): Promise<boolean> {
    return this.holds(path) ? this.#cache.has(KEY_PREFIX + path) : Promise.resolve(false);
  }

  async put(path: string, file: CachedFile): Promise<void> {
    if (this.holds(path)) await this.#cache.set(KEY_PREFIX + path, frame(file));
  }

  async delete(path: string): Promise<void> {
    if (this.holds(path)) await this.#cache.delete(KEY_PREFIX + path);
  }
}

// [u32 LE header length][header: JSON of the version][bytes]
function frame({ version, bytes }: CachedFile): Uint8Array {
  const header = encoder.encode(JSON.stringify(version));
  const framed = new Uint8Array(4 + header.length + bytes.length);
  new DataView(framed.buffer).setUint32(0, header.length, true);
  framed.set(header, 4);
  framed.set(bytes, 4 + header.length);
  return framed;
}

// Undefined for anything that is not a frame (a value some other writer left under the key): a miss.
function unframe(framed: Uint8Array): CachedFile | undefined {
  if (framed.length < 4) return undefined;
  const length = new DataView(framed.buffer, framed.byteOffset, framed.byteLength).getUint32(0, true);
  if (4 + length > framed.length) return undefined;
  try {
    const version = JSON.parse(decoder.decode(framed.subarray(4, 4 + length))) as FileVersion;
    const bytes = framed.subarray(4 + length);
    return typeof version.size === 'number' && version.size === bytes.length ? { version, bytes } : undefined;
  } catch {
    return undefined;
  }
}
