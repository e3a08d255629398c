// head [-n [-]N | -N | -c [-]N] [-q|-v] [FILE]...: the first lines or bytes; with '-', all but the last.
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

export const head: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseHeadTailOptions(context.args);
    const { unit, count, sign } = countOption(parsed);
    const allButLast = sign === '-';
    const select = (bytes: Uint8Array): Uint8Array => {
      if (unit === 'bytes') return bytes.subarray(0, allButLast ? Math.max(0, bytes.length - count) : count);
      return bytes.subarray(0, allButLast ? lastLinesStart(bytes, count) : afterFirstLines(bytes, count));
    };
    return writeEachOperand(context, parsed, select, reader(unit, count, allButLast));
  },
};

/** Reads no more of a file than the output needs; all but the last lines or bytes need all of it. */
function reader(unit: 'lines' | 'bytes', count: number, allButLast: boolean): OperandReader | undefined {
  if (allButLast) return undefined;
  if (unit === 'bytes') {
    const end = Math.min(count, Number.MAX_SAFE_INTEGER);
    return (context, operand) => tryRead(context, operand, { end });
  }
  return (context, operand) => readFirstLines(context, operand, count);
}

/**
 * The start of a file holding its first `count` lines (or all of it), read in growing ranges: the head of a
 * large remote log costs kilobytes, not the whole file.
 */
async function readFirstLines(context: CommandContext, operand: string, count: number): Promise<ReadResult> {
  for (let end = FIRST_RANGE; ; end *= 8) {
    const result = await tryRead(context, operand, { end });
    if (result.bytes === undefined || result.bytes.length < end || holdsLines(result.bytes, count)) return result;
  }
}

function holdsLines(bytes: Uint8Array, count: number): boolean {
  let found = 0;
  for (let newline = bytes.indexOf(10); newline >= 0 && found < count; newline = bytes.indexOf(10, newline + 1)) found++;
  return found >= count;
}
