// head [-n [-]N | -N | -c [-]N] [-q|-v] [FILE]...: the first lines or bytes; with '-', all but the last.
import type { Command } from './io.js';
import { afterFirstLines, countOption, lastLinesStart, parseHeadTailOptions, writeEachOperand } from './head-tail.js';

export const head: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseHeadTailOptions(context.args);
    const { unit, count, sign } = countOption(parsed);
    const allButLast = sign === '-';
    return writeEachOperand(context, parsed, (bytes) => {
      if (unit === 'bytes') return bytes.subarray(0, allButLast ? Math.max(0, bytes.length - count) : count);
      return bytes.subarray(0, allButLast ? lastLinesStart(bytes, count) : afterFirstLines(bytes, count));
    });
  },
};
