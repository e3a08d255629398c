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
