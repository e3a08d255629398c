// Exact-length reads over a stream of chunks that may split anywhere (a network stream can hand over one byte
// at a time). Holds only the bytes that have arrived and not been read yet.
import { invalidArg } from '../errors.js';

export type ByteInput = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;

export class ByteSource {
  readonly #iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #ended = false;
  #offset = 0;

  constructor(input: ByteInput) {
    if (input instanceof Uint8Array) this.#iterator = [input][Symbol.iterator]();
    else if (typeof input === 'object' && input !== null && Symbol.asyncIterator in input) {
      this.#iterator = input[Symbol.asyncIterator]();
    } else if (typeof input === 'object' && input !== null && Symbol.iterator in input) {
      this.#iterator = input[Symbol.iterator]();
    } else throw invalidArg('tar input must be a Uint8Array or an (async) iterable of Uint8Array chunks');
  }

  /** Bytes read so far: the position of the next byte in the stream. */
  get offset(): number {
    return this.#offset;
  }

  /** The next `length` bytes; fewer only when the stream ends first. */
  async read(length: number): Promise<Uint8Array> {
    while (this.#pendingBytes < length && !this.#ended) await this.#pull();
    const take = Math.min(length, this.#pendingBytes);
    this.#offset += take;
    this.#pendingBytes -= take;
    const first = this.#pending[0];
    if (first !== undefined && first.length >= take) {
      this.#pending[0] = first.subarray(take);
      if (this.#pending[0].length === 0) this.#pending.shift();
      return first.subarray(0, take);
    }
    return this.#takeAcrossChunks(take);
  }

  /** Passes over the next `length` bytes without keeping them; returns how many there were (fewer at the end). */
  async skip(length: number): Promise<number> {
    let skipped = 0;
    while (skipped < length) {
      if (this.#pendingBytes === 0) {
        if (this.#ended) break;
        await this.#pull();
        continue;
      }
      const chunk = this.#pending[0]!;
      const part = Math.min(chunk.length, length - skipped);
      if (part === chunk.length) this.#pending.shift();
      else this.#pending[0] = chunk.subarray(part);
      this.#pendingBytes -= part;
      this.#offset += part;
      skipped += part;
    }
    return skipped;
  }

  /** The bytes not read yet, as chunks: those that have arrived, then the rest of the stream as it comes. */
  async *rest(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        while (this.#pendingBytes > 0) {
          const chunk = this.#pending.shift()!;
          this.#pendingBytes -= chunk.length;
          this.#offset += chunk.length;
          yield chunk;
        }
        if (this.#ended) return;
        await this.#pull();
      }
    } finally {
      await this.close();
    }
  }

  /** Lets the underlying stream go (a file handle, a network body) when reading stops early. */
  async close(): Promise<void> {
    if (!this.#ended) {
      this.#ended = true;
      await this.#iterator.return?.();
    }
  }

  async #pull(): Promise<void> {
    const next = await this.#iterator.next();
    if (next.done) {
      this.#ended = true;
      return;
    }
    if (!(next.value instanceof Uint8Array)) throw invalidArg('tar input chunks must be Uint8Array');
    if (next.value.length === 0) return;
    this.#pending.push(next.value);
    this.#pendingBytes += next.value.length;
  }

  #takeAcrossChunks(take: number): Uint8Array {
    const out = new Uint8Array(take);
    let filled = 0;
    let used = 0; // whole chunks copied; dropped in one splice, as a file sent in 1-byte chunks has millions
    while (filled < take) {
      const chunk = this.#pending[used]!;
      const part = Math.min(chunk.length, take - filled);
      out.set(chunk.subarray(0, part), filled);
      filled += part;
      if (part === chunk.length) used++;
      else this.#pending[used] = chunk.subarray(part);
    }
    this.#pending.splice(0, used);
    return out;
  }
}
