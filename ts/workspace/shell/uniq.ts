// uniq [-cdui] [-f N] [-s N] [-w N] [INPUT]: one line of each run of equal adjacent lines; -c counts them,
// -d keeps only repeated runs, -u only single lines, -i ignores ASCII case; -f skips fields, -s bytes,
// -w compares at most N bytes. Reads its input whole; every output line ends with a newline.
import { blankFieldEnd } from './fields.js';
import { Pacer, type Command } from './io.js';
import { readLines } from './input.js';
import { has, lastOf, parseOptions, UsageError } from './options.js';

function count(parsed: ReturnType<typeof parseOptions>, name: string, what: string): number {
  const value = lastOf(parsed, name)?.value;
  if (value === undefined) return name === 'w' ? Infinity : 0;
  if (!/^\d+$/.test(value)) throw new UsageError(`${value}: invalid number of ${what} to ${name === 'w' ? 'compare' : 'skip'}`, false);
  return Number(value);
}

export const uniq: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, {
      flags: 'cdui',
      valued: 'fsw',
      long: {
        count: 'c', repeated: 'd', unique: 'u', 'ignore-case': 'i', 'skip-fields': 'f', 'skip-chars': 's',
        'check-chars': 'w',
      },
    });
    if (parsed.operands.length > 1) throw new UsageError("an output file is not supported: use '>' to write one", false);
    const skipFields = count(parsed, 'f', 'fields');
    const skipChars = count(parsed, 's', 'bytes');
    const checkChars = count(parsed, 'w', 'bytes');
    const fold = has(parsed, 'i');
    const input = await readLines(context, parsed.operands);
    if (input.failed) return 1;
    const compared = (line: Uint8Array): Uint8Array => {
      let at = 0;
      for (let f = 0; f < skipFields; f++) at = blankFieldEnd(line, at);
      at = Math.min(line.length, at + skipChars);
      return line.subarray(at, Math.min(line.length, at + checkChars));
    };
    const same = (a: Uint8Array, b: Uint8Array): boolean => {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) {
        const x = a[i]!;
        const y = b[i]!;
        if (x !== y && !(fold && (x | 0x20) === (y | 0x20) && (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7a)) return false;
      }
      return true;
    };
    const pacer = new Pacer(context.signal);
    const writeRun = (first: Uint8Array, runLength: number) => {
      if ((has(parsed, 'd') && runLength === 1) || (has(parsed, 'u') && runLength > 1)) return;
      if (has(parsed, 'c')) context.stdout.write(`${String(runLength).padStart(7)} `);
      context.stdout.write(first);
      context.stdout.write('\n');
    };
    let first: Uint8Array | undefined;
    let firstKey: Uint8Array = new Uint8Array(0);
    let runLength = 0;
    for (const line of input) {
      const key = compared(line);
      if (first !== undefined && same(firstKey, key)) {
        runLength++;
      } else {
        if (first !== undefined) writeRun(first, runLength);
        first = line;
        firstKey = key;
        runLength = 1;
      }
      if (pacer.due(line.length + 1)) await pacer.pause();
    }
    if (first !== undefined) writeRun(first, runLength);
    return 0;
  },
};
