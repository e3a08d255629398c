// A mounted resource with its traffic counted: every call is one network call in `stats()`, and every error
// leaves as a StrataError naming the mount.
import { fromNative, invalidArg, StrataError } from '../errors.js';
import type { ByteRange, Listing, ReadResult, Resource, ResourceEntry } from './resource.js';

export interface MountStats {
  kind: string;
  /** Calls made to the source: listings, stats and reads. */
  calls: number;
  lists: number;
  stats: number;
  reads: number;
  bytesRead: number;
}

export class Mount {
  readonly point: string;
  readonly resource: Resource;
  readonly #counts = { lists: 0, stats: 0, reads: 0, bytesRead: 0 };

  constructor(point: string, resource: Resource) {
    if (resource === null || typeof resource !== 'object' || typeof resource.list !== 'function' ||
        typeof resource.stat !== 'function' || typeof resource.read !== 'function') {
      throw invalidArg(`mount '${point}' must be a resource such as localResource(), httpResource() or s3Resource()`);
    }
    this.point = point;
    this.resource = resource;
  }

  /** What this mount has asked its source so far. */
  stats(): MountStats {
    const { lists, stats, reads } = this.#counts;
    return { kind: String(this.resource.kind), calls: lists + stats + reads, ...this.#counts };
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
