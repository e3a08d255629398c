// tail [-n [+]N | -N | -c [+]N] [-q|-v] [FILE]...: the last lines or bytes; with '+', from line/byte N on.
import type { Command } from './io.js';
import { afterFirstLines, countOption, lastLinesStart, parseHeadTailOptions, writeEachOperand } from './head-tail.js';

export const tail: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseHeadTailOptions(context.args);
    const { unit, count, sign } = countOption(parsed);
    const fromStart = sign === '+';
    // '+N' counts from 1, and '+0' means the same as '+1'.
    const skipped = Math.max(0, count - 1);
    return writeEachOperand(context, parsed, (bytes) => {
      if (unit === 'bytes') return bytes.subarray(fromStart ? skipped : Math.max(0, bytes.length - count));
      return bytes.subarray(fromStart ? afterFirstLines(bytes, skipped) : lastLinesStart(bytes, count));
    });
  },
};
