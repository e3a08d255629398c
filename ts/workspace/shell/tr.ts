// tr [-cds] SET1 [SET2]: translates, deletes (-d) or squeezes (-s) bytes of its input, as GNU tr under
// LC_ALL=C. Sets take ranges (a-z), classes ([:alpha:] and the others), repeats ([c*N], [c*]), equivalence
// classes ([=c=]) and escapes (\n \t \\ \NNN). -c takes the bytes not in SET1, in byte order.
import { Pacer, type Command } from './io.js';
import { has, parseOptions, UsageError } from './options.js';
import { byteString, CHARACTER_CLASSES } from './regex.js';

const ESCAPES: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };

/** A set's bytes in order; a '[c*]' repeat (only in SET2) is marked by `fill`, expanded once SET1's size is known. */
interface ParsedSet {
  bytes: number[];
  fill?: { at: number; byte: number };
}

function parseSet(text: string): ParsedSet {
  const source = byteString(text);
  const set: ParsedSet = { bytes: [] };
  let i = 0;
  /** One byte at i, an escape or a plain byte; i moves past it. */
  const readByte = (): number => {
    if (source[i] !== '\\' || i + 1 >= source.length) return source.charCodeAt(i++);
    const octal = /^[0-7]{1,3}/.exec(source.slice(i + 1, i + 4))?.[0];
    if (octal !== undefined && parseInt(octal, 8) < 256) {
      i += 1 + octal.length;
      return parseInt(octal, 8);
    }
    const next = source[i + 1]!;
    i += 2;
    return ESCAPES[next] ?? next.charCodeAt(0);
  };
  while (i < source.length) {
    const klass = /^\[:([a-z]+):\]/.exec(source.slice(i, i + 12));
    if (klass) {
      const test = Object.hasOwn(CHARACTER_CLASSES, klass[1]!) ? CHARACTER_CLASSES[klass[1]!] : undefined;
      if (test === undefined) throw new UsageError(`invalid character class '${klass[1]}'`, false);
      for (let byte = 0; byte < 256; byte++) if (test(byte)) set.bytes.push(byte);
      i += klass[0].length;
      continue;
    }
    const equivalence = /^\[=(.)=\]/s.exec(source.slice(i, i + 5));
    if (equivalence) {
      set.bytes.push(equivalence[1]!.charCodeAt(0));
      i += 5;
      continue;
    }
    const repeat = /^\[(\\?.)\*(\d*)\]/s.exec(source.slice(i, i + 32));
    if (repeat) {
      i++;
      const byte = readByte();
      const count = repeat[2] === '' ? 0 : parseInt(repeat[2]!, repeat[2]!.startsWith('0') ? 8 : 10);
      i += repeat[0].length - 1 - (repeat[1]!.length);
      if (count === 0) set.fill = { at: set.bytes.length, byte };
      else for (let n = 0; n < count; n++) set.bytes.push(byte);
      continue;
    }
    const low = readByte();
    if (source[i] === '-' && i + 1 < source.length) {
      i++;
      const high = readByte();
      if (high < low) {
        throw new UsageError(`range-endpoints of '${String.fromCharCode(low)}-${String.fromCharCode(high)}' are in reverse collating sequence order`, false);
      }
      for (let byte = low; byte <= high; byte++) set.bytes.push(byte);
    } else {
      set.bytes.push(low);
    }
  }
  return set;
}

function complementOf(bytes: number[]): number[] {
  const members = new Set(bytes);
  return Array.from({ length: 256 }, (_, byte) => byte).filter((byte) => !members.has(byte));
}

function membership(bytes: number[]): Uint8Array {
  const table = new Uint8Array(256);
  for (const byte of bytes) table[byte] = 1;
  return table;
}

export const tr: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, {
      flags: 'cCdst',
      long: { complement: 'c', delete: 'd', 'squeeze-repeats': 's', 'truncate-set1': 't' },
    });
    const del = has(parsed, 'd');
    const squeeze = has(parsed, 's');
    const operands = parsed.operands;
    const fewest = del !== squeeze ? 1 : 2;
    const most = del && !squeeze ? 1 : 2;
    if (operands.length === 0) throw new UsageError('missing operand');
    if (operands.length < fewest) throw new UsageError(`missing operand after '${operands[0]}'`);
    if (operands.length > most) throw new UsageError(`extra operand '${operands[most]}'`);
    let set1 = parseSet(operands[0]!).bytes;
    if (has(parsed, 'c') || has(parsed, 'C')) set1 = complementOf(set1);
    const translating = !del && operands.length === 2;
    const set2Parsed = operands.length === 2 ? parseSet(operands[1]!) : undefined;
    let set2 = set2Parsed?.bytes ?? [];
    if (set2Parsed?.fill !== undefined) {
      const missing = Math.max(0, set1.length - set2.length);
      set2 = [...set2.slice(0, set2Parsed.fill.at), ...Array<number>(missing).fill(set2Parsed.fill.byte), ...set2.slice(set2Parsed.fill.at)];
    }
    const map = Uint8Array.from({ length: 256 }, (_, byte) => byte);
    if (translating) {
      if (set2.length === 0 && set1.length > 0) throw new UsageError('when not truncating set1, string2 must be non-empty', false);
      if (has(parsed, 't')) set1 = set1.slice(0, set2.length);
      for (const [i, byte] of set1.entries()) map[byte] = set2[Math.min(i, set2.length - 1)]!;
    }
    const deleted = del ? membership(set1) : new Uint8Array(256);
    const squeezed = squeeze ? membership(operands.length === 2 ? set2 : set1) : new Uint8Array(256);
    const input = context.stdin;
    const output = new Uint8Array(input.length);
    const pacer = new Pacer(context.signal);
    let length = 0;
    let last = -1;
    for (let i = 0; i < input.length; i++) {
      const byte = input[i]!;
      if (deleted[byte]) continue;
      const mapped = map[byte]!;
      if (squeezed[mapped] && mapped === last) continue;
      output[length++] = mapped;
      last = mapped;
      if (pacer.due()) await pacer.pause();
    }
    context.stdout.write(output.subarray(0, length));
    return 0;
  },
};
