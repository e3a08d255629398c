// sort [-rnufsb] [-t SEP] [-k POS1[,POS2][bfnr]]... [FILE]...: lines in byte order (LC_ALL=C), numerically
// with -n, by keys with -k. Lines whose keys compare equal are ordered by their whole bytes, as GNU sort's
// last-resort comparison does, unless -s (stable) or -u (one line of each run of equal keys) is given.
// A merge sort that yields to the event loop as it goes, so a long input never holds it for long.
import { blankFieldEnd, isBlank } from './fields.js';
import { Pacer, type Command } from './io.js';
import { readLines } from './input.js';
import { has, lastOf, parseOptions, UsageError } from './options.js';

interface KeyOptions {
  blanks: boolean;
  fold: boolean;
  numeric: boolean;
  reverse: boolean;
}

interface Key extends KeyOptions {
  startField: number;
  startChar: number;
  /** 0: to the end of the line. */
  endField: number;
  /** 0: to the end of endField. */
  endChar: number;
}

function keyOptions(letters: string, spec: string): KeyOptions {
  for (const letter of letters) if (!'bfnr'.includes(letter)) throw new UsageError(`invalid key option -- '${letter}' in '${spec}'`, false);
  return { blanks: letters.includes('b'), fold: letters.includes('f'), numeric: letters.includes('n'), reverse: letters.includes('r') };
}

function parseKey(spec: string, global: KeyOptions): Key {
  const match = /^(\d+)(?:\.(\d+))?([a-zA-Z]*)(?:,(\d+)(?:\.(\d+))?([a-zA-Z]*))?$/.exec(spec);
  if (!match || Number(match[1]) === 0 || match[2] === '0') throw new UsageError(`invalid number at field start: invalid count at start of '${spec}'`, false);
  const letters = (match[3] ?? '') + (match[6] ?? '');
  return {
    ...(letters === '' ? global : keyOptions(letters, spec)),
    startField: Number(match[1]),
    startChar: Number(match[2] ?? 1),
    endField: Number(match[4] ?? 0),
    endChar: Number(match[5] ?? 0),
  };
}

/** Where field `field` (1-based) of `line` starts: after a separator byte, or with blanks leading it. */
function fieldStart(line: Uint8Array, field: number, separator: number | undefined): number {
  let at = 0;
  for (let f = 1; f < field && at < line.length; f++) at = fieldEnd(line, at, separator) + (separator === undefined ? 0 : 1);
  return Math.min(at, line.length);
}

function fieldEnd(line: Uint8Array, start: number, separator: number | undefined): number {
  let at = start;
  if (separator !== undefined) {
    while (at < line.length && line[at] !== separator) at++;
    return at;
  }
  return blankFieldEnd(line, at);
}

function skipBlanks(line: Uint8Array, at: number, end: number): number {
  while (at < end && isBlank(line[at])) at++;
  return at;
}

function extractKey(line: Uint8Array, key: Key, separator: number | undefined): Uint8Array {
  let start = fieldStart(line, key.startField, separator);
  if (key.blanks) start = skipBlanks(line, start, line.length);
  start = Math.min(start + key.startChar - 1, line.length);
  let end = line.length;
  if (key.endField > 0) {
    const fieldBegin = fieldStart(line, key.endField, separator);
    if (key.endChar === 0) end = fieldEnd(line, fieldBegin, separator);
    else end = Math.min((key.blanks ? skipBlanks(line, fieldBegin, line.length) : fieldBegin) + key.endChar, line.length);
  }
  return line.subarray(start, Math.max(start, end));
}

/** The number a -n key starts with ('  -1.5x' is -1.5); 0 when it starts with none. */
function numericValue(key: Uint8Array): number {
  let at = skipBlanks(key, 0, key.length);
  let text = '';
  if (key[at] === 0x2d) text += '-', at++;
  while (at < key.length && key[at]! >= 0x30 && key[at]! <= 0x39) text += String.fromCharCode(key[at++]!);
  if (key[at] === 0x2e) {
    text += '.';
    at++;
    while (at < key.length && key[at]! >= 0x30 && key[at]! <= 0x39) text += String.fromCharCode(key[at++]!);
  }
  const value = Number(text);
  return Number.isNaN(value) ? 0 : value;
}

const upper = (byte: number) => (byte >= 0x61 && byte <= 0x7a ? byte - 0x20 : byte);

function compareBytes(a: Uint8Array, b: Uint8Array, fold: boolean): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = fold ? upper(a[i]!) : a[i]!;
    const y = fold ? upper(b[i]!) : b[i]!;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

export const sort: Command = {
  usageExitCode: 2,
  async run(context) {
    const parsed = parseOptions(context.args, {
      flags: 'bfnrsuz',
      valued: 'kto',
      long: {
        'ignore-leading-blanks': 'b', 'ignore-case': 'f', 'numeric-sort': 'n', reverse: 'r', stable: 's',
        unique: 'u', 'zero-terminated': 'z', key: 'k', 'field-separator': 't', output: 'o',
      },
    });
    if (has(parsed, 'o')) throw new UsageError("-o is not supported: use '>' to write a file", false);
    const global = keyOptions(parsed.options.filter((o) => 'bfnr'.includes(o.name)).map((o) => o.name).join(''), '');
    const separatorText = lastOf(parsed, 't')?.value;
    if (separatorText !== undefined && separatorText.length !== 1) throw new UsageError('multi-character tab ' + `'${separatorText}'`, false);
    const separator = separatorText === undefined ? undefined : separatorText.charCodeAt(0);
    const keySpecs = parsed.options.filter((o) => o.name === 'k').map((o) => parseKey(o.value, global));
    // Without -k the whole line is the one key, with the global options.
    const keys: Key[] = keySpecs.length > 0 ? keySpecs : [{ ...global, startField: 1, startChar: 1, endField: 0, endChar: 0 }];
    const unique = has(parsed, 'u');
    const lastResort = !unique && !has(parsed, 's');
    const lineEnd = has(parsed, 'z') ? 0 : 0x0a;
    const input = await readLines(context, parsed.operands, lineEnd);
    if (input.failed) return 2;
    const pacer = new Pacer(context.signal);
    const lines: Uint8Array[] = [];
    for (const line of input) {
      lines.push(line);
      if (pacer.due()) await pacer.pause();
    }
    // Keys worked out once, in one array per key (the lines themselves when the whole line is the key), and
    // lines sorted by their index: few objects for the garbage collector to move on long inputs.
    const keyValues: Array<Uint8Array[] | Float64Array> = [];
    for (const key of keys) {
      if (keySpecs.length === 0 && !key.numeric) {
        keyValues.push(lines);
        continue;
      }
      const values = key.numeric ? new Float64Array(lines.length) : new Array<Uint8Array>(lines.length);
      for (const [i, line] of lines.entries()) {
        const text = keySpecs.length > 0 ? extractKey(line, key, separator) : line;
        values[i] = (key.numeric ? numericValue(text) : text) as never;
        if (pacer.due(line.length + 1)) await pacer.pause();
      }
      keyValues.push(values);
    }
    // An indexed loop, no iterator or instanceof per comparison: sort makes millions of them.
    const compareKeys = (a: number, b: number): number => {
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        const values = keyValues[k]!;
        const order = key.numeric
          ? (values as Float64Array)[a]! - (values as Float64Array)[b]!
          : compareBytes((values as Uint8Array[])[a]!, (values as Uint8Array[])[b]!, key.fold);
        if (order !== 0) return key.reverse ? -order : order;
      }
      return 0;
    };
    const compare = (a: number, b: number): number => {
      const order = compareKeys(a, b);
      if (order !== 0 || !lastResort) return order;
      const whole = compareBytes(lines[a]!, lines[b]!, false);
      return global.reverse ? -whole : whole;
    };
    const sorted = await mergeSort(Array.from(lines.keys()), compare, pacer);
    const end = Uint8Array.of(lineEnd);
    for (const [i, index] of sorted.entries()) {
      if (unique && i > 0 && compareKeys(sorted[i - 1]!, index) === 0) continue;
      context.stdout.write(lines[index]!);
      context.stdout.write(end);
      if (pacer.due(lines[index]!.length + 1)) await pacer.pause();
    }
    return 0;
  },
};

/** Stable merge sort, bottom up, yielding to the event loop as it goes. */
async function mergeSort<T>(items: T[], compare: (a: T, b: T) => number, pacer: Pacer): Promise<T[]> {
  const RUN = 1024;
  let source = items.slice();
  // Short runs sorted by the engine's (stable) sort, then merged.
  for (let start = 0; start < source.length; start += RUN) {
    const run = source.slice(start, start + RUN).sort(compare);
    for (let i = 0; i < run.length; i++) source[start + i] = run[i]!;
    if (pacer.due(RUN * 10)) await pacer.pause();
  }
  let target = new Array<T>(source.length);
  for (let width = RUN; width < source.length; width *= 2) {
    for (let start = 0; start < source.length; start += 2 * width) {
      let left = start;
      const middle = Math.min(start + width, source.length);
      let right = middle;
      const end = Math.min(start + 2 * width, source.length);
      for (let out = start; out < end; out++) {
        target[out] = right >= end || (left < middle && compare(source[left]!, source[right]!) <= 0) ? source[left++]! : source[right++]!;
        if (pacer.due()) await pacer.pause();
      }
    }
    [source, target] = [target, source];
  }
  return source;
}
