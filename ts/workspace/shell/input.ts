// Reading an operand: a file of the workspace, or '-' for the previous command's output.
import type { ReadFileOptions } from '../entry.js';
import { complain, type CommandContext } from './io.js';
import { failureReason, resolvePath } from './paths.js';

export type ReadResult = { bytes: Uint8Array; reason?: undefined } | { bytes?: undefined; reason: string };

/** Bytes [start, end) of an operand; all of it by default. */
export type ByteSpan = Pick<ReadFileOptions, 'start' | 'end'>;

/** Words a failure to read `operand` for stderr, after the command's name. */
export type Describe = (operand: string, reason: string) => string;

/** The bytes of `operand`, or why they could not be read ('No such file or directory'). */
export async function tryRead(context: CommandContext, operand: string, span: ByteSpan = {}): Promise<ReadResult> {
  if (operand === '-') return { bytes: context.stdin.subarray(span.start, span.end) };
  context.signal?.throwIfAborted();
  const path = resolvePath(operand);
  try {
    return { bytes: await context.fs.readFile(path, span) };
  } catch (error) {
    return { reason: await failureReason(context.fs, path, error) };
  }
}

/** The bytes of `operand`, or undefined after reporting `name: operand: reason` as the GNU tools do. */
export async function readOperand(
  context: CommandContext,
  operand: string,
  describe: Describe = (shown, reason) => `${shown}: ${reason}`,
  span: ByteSpan = {},
): Promise<Uint8Array | undefined> {
  const result = await tryRead(context, operand, span);
  if (result.reason !== undefined) complain(context, describe(operand, result.reason));
  return result.bytes;
}

/** Splits text into lines without their '\n'; a last line without '\n' counts, an empty text has none. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

/** The name head, tail and grep show for an operand: '-' is the previous command's output. */
export function shownName(operand: string, stdinName: string): string {
  return operand === '-' ? stdinName : operand;
}
