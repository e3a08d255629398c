// Reading an operand: a file of the workspace, or '-' for the previous command's output.
import type { ReadFileOptions } from '../entry.js';
import { complain, type CommandContext } from './io.js';
import { failureReason, isDirectoryOnly, isSlashedFile, resolvePath } from './paths.js';

export type ReadResult = { bytes: Uint8Array; reason?: undefined } | { bytes?: undefined; reason: string };

/** Bytes [start, end) of an operand; all of it by default. */
export type ByteSpan = Pick<ReadFileOptions, 'start' | 'end'>;

/** The bytes of `operand`, or why they could not be read ('No such file or directory'). */
export async function tryRead(context: CommandContext, operand: string, span: ByteSpan = {}): Promise<ReadResult> {
  if (operand === '-') return { bytes: context.stdin.subarray(span.start, span.end) };
  context.signal?.throwIfAborted();
  const path = resolvePath(operand);
  try {
    if (isDirectoryOnly(operand)) {
      // 'name/' is a directory or nothing: never a file to read, as in POSIX.
      const entry = await context.fs.stat(path);
      return { reason: isSlashedFile(operand, entry) ? 'Not a directory' : 'Is a directory' };
    }
    return { bytes: await context.fs.readFile(path, span) };
  } catch (error) {
    return { reason: await failureReason(context.fs, path, error) };
  }
}

/** The bytes of `operand`, or undefined after reporting `name: operand: reason` as the GNU tools do. */
export async function readOperand(context: CommandContext, operand: string): Promise<Uint8Array | undefined> {
  const result = await tryRead(context, operand);
  if (result.reason !== undefined) complain(context, `${operand}: ${result.reason}`);
  return result.bytes;
}

/** The name head, tail and grep show for an operand: '-' is the previous command's output. */
export function shownName(operand: string, stdinName: string): string {
  return operand === '-' ? stdinName : operand;
}

/**
 * The lines of all operands in order (each file's last line ends there, newline or not), for sort and the
 * like. Iterating cuts them one by one, as views: a command that streams keeps no line longer than it needs,
 * which keeps the garbage collector's pauses short on long inputs.
 */
export interface Lines extends Iterable<Uint8Array> {
  /** Whether the last input ended with its separator: sed and tr keep a missing last newline missing. */
  endsWithSeparator: boolean;
  failed: boolean;
}

/** Reads every operand ('-' or none: the previous command's output), reporting those that fail as `name: operand: reason`. */
export async function readLines(context: CommandContext, operands: string[], separator = 0x0a): Promise<Lines> {
  const inputs: Uint8Array[] = [];
  let failed = false;
  for (const operand of operands.length > 0 ? operands : ['-']) {
    const bytes = await readOperand(context, operand);
    if (bytes === undefined) failed = true;
    else if (bytes.length > 0) inputs.push(bytes);
  }
  const lastInput = inputs[inputs.length - 1];
  return {
    endsWithSeparator: lastInput === undefined || lastInput[lastInput.length - 1] === separator,
    failed,
    *[Symbol.iterator]() {
      for (const bytes of inputs) {
        for (let start = 0; start < bytes.length; ) {
          const newline = bytes.indexOf(separator, start);
          const end = newline < 0 ? bytes.length : newline;
          yield bytes.subarray(start, end);
          start = end + 1;
        }
      }
    },
  };
}
