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

/** Collects what a command writes, text or bytes, in order. */
export class Output {
  private readonly chunks: Uint8Array[] = [];

  write(data: string | Uint8Array): void {
    if (data.length > 0) this.chunks.push(typeof data === 'string' ? utf8(data) : data);
  }

  bytes(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0]!;
    const total = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const joined = new Uint8Array(total);
    let offset = 0;
    for (const chunk of this.chunks) {
      joined.set(chunk, offset);
      offset += chunk.length;
    }
    return joined;
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

/** Bytes processed between two yields to the event loop: long inputs never hold it for long. */
const YIELD_EVERY_BYTES = 64 * 1024;

/**
 * Counts the bytes a long loop has processed and, every YIELD_EVERY_BYTES, lets timers and I/O run (a resolved
 * promise would not: microtasks run before them) and checks the abort signal.
 */
export class Pacer {
  private processed = 0;

  constructor(private readonly signal: AbortSignal | undefined) {}

  async advance(bytes: number): Promise<void> {
    this.processed += bytes;
    if (this.processed < YIELD_EVERY_BYTES) return;
    this.processed = 0;
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.signal?.throwIfAborted();
  }
}

/** The lines of `bytes` without their '\n' (a last line without one counts), as views, not copies. */
export function splitLines(bytes: Uint8Array, separator = 0x0a): Uint8Array[] {
  const lines: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; ) {
    const newline = bytes.indexOf(separator, start);
    const end = newline < 0 ? bytes.length : newline;
    lines.push(bytes.subarray(start, end));
    start = end + 1;
  }
  return lines;
}

/** `lines`, each followed by `separator`, as one output. */
export function writeLines(stdout: Output, lines: Iterable<Uint8Array>, separator = 0x0a): void {
  const end = Uint8Array.of(separator);
  for (const line of lines) {
    stdout.write(line);
    stdout.write(end);
  }
}

/** Bytes as a string of one character per byte (latin1), so string operations work on bytes as LC_ALL=C does. */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 4096) text += String.fromCharCode(...bytes.subarray(i, i + 4096));
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
