// A mounted resource with its traffic counted: every call is one network call in `stats()`, and every error
// leaves as a StrataError naming the mount. Writes to a mount that is not writable fail with ERR_READ_ONLY.
import { fromNative, invalidArg, StrataError } from '../errors.js';
import type { ByteRange, Listing, ReadResult, Resource, ResourceEntry } from './resource.js';

/** What a writable resource must have. */
const WRITE_METHODS = ['write', 'mkdir', 'delete', 'copy'] as const;

export interface MountStats {
  kind: string;
  /** Calls made to the source: listings, stats, reads and writes. */
  calls: number;
  lists: number;
  stats: number;
  reads: number;
  /** Writes, creations of folders, deletes, copies and touches. */
  writes: number;
  bytesRead: number;
}

export class Mount {
  readonly point: string;
  readonly resource: Resource;
  readonly #counts = { lists: 0, stats: 0, reads: 0, writes: 0, bytesRead: 0 };

  constructor(point: string, resource: Resource) {
    if (resource === null || typeof resource !== 'object' || typeof resource.list !== 'function' ||
        typeof resource.stat !== 'function' || typeof resource.read !== 'function') {
      throw invalidArg(`mount '${point}' must be a resource such as localResource(), httpResource() or s3Resource()`);
    }
    if (resource.id !== undefined && (typeof resource.id !== 'string' || resource.id === '')) {
      throw invalidArg(`mount '${point}': a resource's id must be a string naming what it reads`);
    }
    if (resource.writable === true && WRITE_METHODS.some((method) => typeof resource[method] !== 'function')) {
      throw invalidArg(`mount '${point}' is writable but its resource lacks ${WRITE_METHODS.join(', ')}`);
    }
    this.point = point;
    this.resource = resource;
  }

  /** What this mount has asked its source so far. */
  stats(): MountStats {
    const { lists, stats, reads, writes } = this.#counts;
    return { kind: String(this.resource.kind), calls: lists + stats + reads + writes, ...this.#counts };
  }

  get writable(): boolean {
    return this.resource.writable === true;
  }

  write(path: string, bytes: Uint8Array): Promise<ResourceEntry> {
    return this.#change(path, (resource) => resource.write!(path, bytes));
  }

  mkdir(path: string): Promise<void> {
    return this.#change(path, (resource) => resource.mkdir!(path));
  }

  delete(path: string, recursive: boolean): Promise<void> {
    return this.#change(path, (resource) => resource.delete!(path, { recursive }));
  }

  copy(from: string, to: string): Promise<boolean> {
    return this.#change(to, (resource) => resource.copy!(from, to));
  }

  /** False when the source cannot change a file's time (the file stays as it is). */
  async touch(path: string): Promise<boolean> {
    if (this.writable && this.resource.touch === undefined) return false;
    await this.#change(path, (resource) => resource.touch!(path));
    return true;
  }

  list(path: string, signal?: AbortSignal): Promise<Listing | undefined> {
    this.#counts.lists += 1;
    return this.#call(() => this.resource.list(path, signal));
  }

  stat(path: string, signal?: AbortSignal): Promise<ResourceEntry | undefined> {
    this.#counts.stats += 1;
    return this.#call(() => this.resource.stat(path, signal));
  }

  async read(path: string, range?: ByteRange, signal?: AbortSignal): Promise<ReadResult | undefined> {
    this.#counts.reads += 1;
    const result = await this.#call(() => this.resource.read(path, range, signal));
    if (result !== undefined) this.#counts.bytesRead += result.bytes.length;
    return result;
  }

  /** One write: refused on a mount that is not writable (naming it and the path), counted otherwise. */
  #change<T>(path: string, operation: (resource: Resource) => Promise<T>): Promise<T> {
    if (!this.writable) {
      const where = path === '' ? this.point : `${this.point}/${path}`;
      return Promise.reject(new StrataError('ERR_READ_ONLY', `mount '${this.point}' (${String(this.resource.kind)}) is read-only: cannot change ${where}`, {
        tier: this.point,
      }));
    }
    this.#counts.writes += 1;
    return this.#call(() => operation(this.resource));
  }

  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof StrataError) throw error;
      const wrapped = fromNative(error);
      throw new StrataError(wrapped.code === 'ERR_INTERNAL' ? 'ERR_IO' : wrapped.code, `mount '${this.point}': ${wrapped.message}`, {
        tier: this.point,
        cause: error,
      });
    }
  }
}
