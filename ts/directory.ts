import './async-dispose.js';
import type { DirectoryCore } from './backend.js';
import { messageOf, StrataError } from './errors.js';

/** Fills a directory entry on a miss: writes files (say, another tool's output) into `dir`, a real folder. */
export type DirectoryFill = (dir: string) => unknown;

/**
 * A directory entry's folder, held: the disk tier does not evict it, and a `delete` or `clear` removes it only
 * once released, until `release()` or the end of an `await using` block. Read the folder, do not change it.
 */
export class DirectoryLease implements AsyncDisposable {
  /** The folder on the disk tier. */
  readonly path: string;
  #release: ((path: string) => void) | undefined;

  /** @internal Use `cache.leaseDirectory()`. */
  constructor(path: string, release: (path: string) => void) {
    this.path = path;
    this.#release = release;
  }

  /** Ends the hold; later calls do nothing. */
  release(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.(this.path);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.release();
  }
}

/**
 * The folder of `key`'s directory entry, held (see DirectoryLease); on a miss, `fill` writes it first, in a temp
 * folder that becomes the entry in one rename once `fill` resolves, or goes if it fails (ERR_LOADER, the failure
 * as its `cause`). The core runs one fill per key at a time; the other callers wait for it and share its outcome.
 */
export async function leaseDirectory(
  core: DirectoryCore, key: string, fill: DirectoryFill, release: (path: string) => void,
): Promise<DirectoryLease> {
  const [path, mustFill] = await core.acquireDirectory(key);
  if (!mustFill) return new DirectoryLease(path, release);
  try {
    await fill(path);
  } catch (error) {
    const reason = messageOf(error);
    // The fill's error is what the caller needs; a failure to abandon (a closed cache, which throws at once) only
    // means the store cleans up as it closes.
    await Promise.resolve()
      .then(() => core.abandonDirectory(key, path, reason))
      .catch(() => undefined);
    throw new StrataError('ERR_LOADER', reason, { cause: error });
  }
  const [entry] = await core.commitDirectory(key, path);
  return new DirectoryLease(entry, release);
}
