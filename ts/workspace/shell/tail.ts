// tail [-n [+]N | -N | -c [+]N] [-q|-v] [FILE]...: the last lines or bytes; with '+', from line/byte N on.
import type { Command, CommandContext } from './io.js';
import { tryRead, type ReadResult } from './input.js';
import {
  afterFirstLines,
  countOption,
  FIRST_RANGE,
  lastLinesStart,
  parseHeadTailOptions,
  writeEachOperand,
  type OperandReader,
} from './head-tail.js';
import { resolvePath } from './paths.js';

export const tail: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseHeadTailOptions(context.args);
    const { unit, count, sign } = countOption(parsed);
    const fromStart = sign === '+';
    // '+N' counts from 1, and '+0' means the same as '+1'.
    const skipped = Math.max(0, count - 1);
    const select = (bytes: Uint8Array): Uint8Array => {
      if (unit === 'bytes') return bytes.subarray(fromStart ? skipped : Math.max(0, bytes.length - count));
      return bytes.subarray(fromStart ? afterFirstLines(bytes, skipped) : lastLinesStart(bytes, count));
    };
    return writeEachOperand(context, parsed, select, reader(unit, count, fromStart));
  },
};

/** Reads no more of a file's end than the output needs; '+N' needs all of it. */
function reader(unit: 'lines' | 'bytes', count: number, fromStart: boolean): OperandReader | undefined {
  if (fromStart) return undefined;
  if (unit === 'bytes') return (context, operand) => readEnd(context, operand, count, () => true);
  return (context, operand) => readEnd(context, operand, FIRST_RANGE, (bytes) => lastLinesStart(bytes, count) > 0);
}

/**
 * The end of a file, read in growing ranges from its size until `holdsEnough` says the bytes hold what tail
 * prints: the tail of a large remote log costs kilobytes, not the whole file.
 */
async function readEnd(
  context: CommandContext,
  operand: string,
  firstRange: number,
  holdsEnough: (bytes: Uint8Array) => boolean,
): Promise<ReadResult> {
  const size = operand === '-' ? undefined : await sizeOf(context, operand);
  // Without a size (the previous command's output, or a path that fails), read it all: that says why.
  if (size === undefined) return tryRead(context, operand);
  for (let range = firstRange; ; range *= 8) {
    const start = Math.max(0, size - range);
    const result = await tryRead(context, operand, { start });
    if (result.bytes === undefined || start === 0 || holdsEnough(result.bytes)) return result;
  }
}

async function sizeOf(context: CommandContext, operand: string): Promise<number | undefined> {
  const entry = await context.fs.stat(resolvePath(operand)).catch(() => undefined);
  return entry?.type === 'file' ? entry.size : undefined;
}
