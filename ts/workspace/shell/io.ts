// Bytes in and out of commands. Commands see and produce bytes, as the GNU tools do, so a pipe passes a
// file through unchanged (invalid UTF-8 included) and `wc -c` counts what the file holds.
import type { WorkspaceFs } from '../entry.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * Collects what a command writes, text or bytes, in order, in one growing buffer: commands write line by
 * line, and a chunk (or an encoded string) per line would cost more in allocation than the work itself.
 */
export class Output {
  private buffer = new Uint8Array(256);
  private length = 0;

  write(data: string | Uint8Array): void {
    if (typeof data !== 'string') {
      this.reserve(data.length);
      this.buffer.set(data, this.length);
      this.length += data.length;
      return;
    }
    this.reserve(data.length);
    for (let i = 0; i < data.length; i++) {
      const code = data.charCodeAt(i);
      if (code >= 0x80) {
        // Not ASCII: the rest through the encoder.
        this.write(utf8(data.slice(i)));
        return;
      }
      this.buffer[this.length++] = code;
    }
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(more: number): void {
    if (this.length + more <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + more));
    grown.set(this.bytes());
    this.buffer = grown;
  }
}

/** What a command runs with: its arguments (without its name), the previous command's output and its outputs. */
export interface CommandContext {
  name: string;
  args: string[];
  fs: WorkspaceFs;
  stdin: Uint8Array;
  stdout: Output;
  stderr: Output;
  signal: AbortSignal | undefined;
  /** Runs another command of the shell by its words (xargs does), with these input and outputs. */
  invoke(args: string[], stdin: Uint8Array, stdout: Output, stderr: Output): Promise<number>;
}

/** A command of the shell; resolves to its exit code. Bad usage throws UsageError (see options.ts). */
export interface Command {
  /** The exit code of the GNU tool for bad usage (2 for ls and grep, 1 for most). */
  usageExitCode: number;
  run(context: CommandContext): Promise<number>;
}

/** Reports a failure the GNU way, `name: message`, on stderr. */
export function complain(context: CommandContext, message: string): void {
  context.stderr.write(`${context.name}: ${message}\n`);
}

/** How long a command may hold the event loop before it lets timers and I/O run. */
const SLICE_MS = 10;
/** Units of work (bytes, lines, comparisons) between two looks at the clock: reading it is not free. */
const CHECK_EVERY_UNITS = 2048;

/**
 * The one way commands share the event loop: a long loop reports the work it did, and once a time slice
 * has passed, lets timers and I/O run (a resolved promise would not: microtasks run before them) and checks
 * the abort signal. Time, not bytes, decides, since a byte costs sort far more than tr. Loops ask due() and
 * await pause() only when it says so: an await per byte or line would cost more than the work.
 */
export class Pacer {
  private units = 0;
  private sliceStart = performance.now();

  constructor(private readonly signal: AbortSignal | undefined) {}

  /** Counts `units` of work done (bytes, lines, comparisons); true when it is time to pause(). */
  due(units = 1): boolean {
    this.units += units;
    if (this.units < CHECK_EVERY_UNITS) return false;
    this.units = 0;
    return performance.now() - this.sliceStart >= SLICE_MS;
  }

  async pause(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.signal?.throwIfAborted();
    this.sliceStart = performance.now();
  }
}

/** Bytes as a string of one character per byte (latin1), so string operations work on bytes as LC_ALL=C does. */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  // apply() takes the typed array as it is: spreading it would copy it through an iterator.
  for (let i = 0; i < bytes.length; i += 4096) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  }
  return text;
}

/** The bytes of a latin1 string (each character one byte). */
export function fromLatin1(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Text whose UTF-8 bytes are the latin1 string `bytes`: words and patterns read as bytes, back as text. */
export function textOf(bytes: string): string {
  return fromUtf8(fromLatin1(bytes));
}
