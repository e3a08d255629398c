// cut -b LIST | -c LIST | -f LIST [-d DELIM] [-s] [--complement] [--output-delimiter S] [FILE]...: the
// selected bytes (-c is -b under LC_ALL=C) or fields of each line, in input order. A line without the
// delimiter is printed whole with -f, unless -s. Every output line ends with a newline.
import { fromLatin1, latin1, Pacer, utf8, type Command } from './io.js';
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
    const outputDelimiter = lastOf(parsed, 'output-delimiter')?.value;
    const lineEnd = has(parsed, 'z') ? 0 : 0x0a;
    const input = await readLines(context, parsed.operands, lineEnd);
    const pacer = new Pacer(context.signal);
    const out: string[] = [];
    const end = String.fromCharCode(lineEnd);
    for (const line of input.lines) {
      const text = latin1(line);
      if (fields) {
        const parts = text.split(String.fromCharCode(delimiter));
        if (parts.length === 1) {
          if (!has(parsed, 's')) out.push(text + end);
        } else {
          const kept = parts.filter((_, i) => selected(i + 1));
          out.push(kept.join(outputDelimiter === undefined ? String.fromCharCode(delimiter) : latin1(utf8(outputDelimiter))) + end);
        }
      } else {
        let result = '';
        let previous = -2;
        for (let i = 0; i < text.length; i++) {
          if (!selected(i + 1)) continue;
          // --output-delimiter separates runs of selected bytes.
          if (outputDelimiter !== undefined && previous >= 0 && previous !== i - 1) result += latin1(utf8(outputDelimiter));
          result += text[i];
          previous = i;
        }
        out.push(result + end);
      }
      await pacer.advance(line.length + 1);
    }
    context.stdout.write(fromLatin1(out.join('')));
    return input.failed ? 1 : 0;
  },
};
