// cut -b LIST | -c LIST | -f LIST [-d DELIM] [-s] [--complement] [--output-delimiter S] [FILE]...: the
// selected bytes (-c is -b under LC_ALL=C) or fields of each line, in input order. A line without the
// delimiter is printed whole with -f, unless -s. Every output line ends with a newline.
import { Output, Pacer, utf8, type Command } from './io.js';
import { readLines } from './input.js';
import { has, lastOf, parseOptions, UsageError } from './options.js';
import { parseRanges } from './ranges.js';

export const cut: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, {
      flags: 'snz',
      valued: 'bcfd',
      long: {
        bytes: 'b', characters: 'c', fields: 'f', delimiter: 'd', 'only-delimited': 's', complement: 'complement',
        'output-delimiter': 'output-delimiter', 'zero-terminated': 'z',
      },
      valuedLong: ['output-delimiter'],
    });
    const mode = lastOf(parsed, 'bcf');
    if (mode === undefined) throw new UsageError('you must specify a list of bytes, characters, or fields');
    if (parsed.options.filter((o) => 'bcf'.includes(o.name)).length > 1) throw new UsageError('only one type of list may be specified');
    const fields = mode.name === 'f';
    const delimiterText = lastOf(parsed, 'd')?.value;
    if (!fields && delimiterText !== undefined) throw new UsageError('an input delimiter may be specified only when operating on fields');
    if (delimiterText !== undefined && utf8(delimiterText).length !== 1) throw new UsageError('the delimiter must be a single character');
    const delimiter = delimiterText === undefined ? 0x09 : utf8(delimiterText)[0]!;
    const ranges = parseRanges(mode.value, fields ? 'field' : 'byte/character');
    const complement = has(parsed, 'complement');
    const selected = (n: number) => ranges.has(n) !== complement;
    const outputDelimiterText = lastOf(parsed, 'output-delimiter')?.value;
    const outputDelimiter = outputDelimiterText === undefined ? undefined : utf8(outputDelimiterText);
    const lineEnd = Uint8Array.of(has(parsed, 'z') ? 0 : 0x0a);
    const input = await readLines(context, parsed.operands, lineEnd[0]);
    const pacer = new Pacer(context.signal);
    const { stdout } = context;
    for (const line of input) {
      if (fields) {
        const onlyField = line.indexOf(delimiter) < 0;
        if (onlyField && has(parsed, 's')) continue;
        if (onlyField) stdout.write(line);
        else writeFields(line, delimiter, selected, outputDelimiter ?? Uint8Array.of(delimiter), stdout);
      } else {
        writeBytes(line, selected, outputDelimiter, stdout);
      }
      stdout.write(lineEnd);
      if (pacer.due(line.length + 1)) await pacer.pause();
    }
    return input.failed ? 1 : 0;
  },
};

function writeFields(line: Uint8Array, delimiter: number, selected: (n: number) => boolean, separator: Uint8Array, stdout: Output): void {
  let wrote = false;
  for (let start = 0, field = 1; start <= line.length; field++) {
    const found = line.indexOf(delimiter, start);
    const end = found < 0 ? line.length : found;
    if (selected(field)) {
      if (wrote) stdout.write(separator);
      stdout.write(line.subarray(start, end));
      wrote = true;
    }
    start = end + 1;
  }
}

/** The selected bytes; --output-delimiter separates runs of selected bytes. */
function writeBytes(line: Uint8Array, selected: (n: number) => boolean, separator: Uint8Array | undefined, stdout: Output): void {
  let runStart = -1;
  let wrote = false;
  for (let i = 0; i <= line.length; i++) {
    const inRun = i < line.length && selected(i + 1);
    if (inRun && runStart < 0) runStart = i;
    if (inRun || runStart < 0) continue;
    if (wrote && separator !== undefined) stdout.write(separator);
    stdout.write(line.subarray(runStart, i));
    wrote = true;
    runStart = -1;
  }
}
