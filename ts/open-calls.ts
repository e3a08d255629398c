// The calls of a cache that wait on something outside its control (a getOrSet loader, another caller's load), so
// that close() can settle every one of them rather than leave them pending for ever.
import { StrataError } from './errors.js';

export function closedError(): StrataError {
  return new StrataError('ERR_CLOSED', 'the cache is closed');
}

export class OpenCalls {
  readonly #onClose = new Set<() => void>();

  /**
   * `work`, or ERR_CLOSED as soon as the cache closes, after `withdraw` (which tells the core this caller is gone).
   * What `work` settles with after that is dropped.
   */
  track<T>(work: Promise<T>, withdraw: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onClose = () => {
        withdraw();
        reject(closedError());
      };
      this.#onClose.add(onClose);
      work.then(resolve, reject).finally(() => this.#onClose.delete(onClose));
    });
  }

  /** Settles every call still open with ERR_CLOSED. */
  close(): void {
    const open = [...this.#onClose];
    this.#onClose.clear();
    for (const onClose of open) onClose();
  }
}
