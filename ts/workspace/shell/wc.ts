// wc [-l] [-w] [-c] [FILE]...: newline, word and byte counts, with a 'total' line for several operands.
import { complain, Pacer, type Command } from './io.js';
import { tryRead } from './input.js';
import { has, parseOptions } from './options.js';

interface Counts {
  lines: number;
  words: number;
  bytes: number;
}

/** The counts in the order wc prints them, with their options. */
const COUNT_OPTIONS: Array<[letter: string, name: keyof Counts]> = [['l', 'lines'], ['w', 'words'], ['c', 'bytes']];

interface Row {
  counts: Counts;
  name: string | undefined;
}

export const wc: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, {
      flags: 'lwc',
      long: { lines: 'l', words: 'w', bytes: 'c' },
    });
    const chosen = COUNT_OPTIONS.filter(([letter]) => has(parsed, letter)).map(([, name]) => name);
    const shown = chosen.length > 0 ? chosen : COUNT_OPTIONS.map(([, name]) => name);
    const operands = parsed.operands.length > 0 ? parsed.operands : ['-'];
    const rows: Row[] = [];
    let exitCode = 0;
    // GNU wc pads counts to the digits of the operands' total size, at least 7 when an input is not a
    // regular file (a pipe, a directory), and to 1 when the first operand fails.
    let regularBytes = 0;
    let minimumWidth = 1;
    let firstFailed = false;
    for (const [index, operand] of operands.entries()) {
      const name = parsed.operands.length > 0 ? operand : undefined;
      const result = await tryRead(context, operand);
      if (result.bytes !== undefined) {
        rows.push({ counts: await count(result.bytes, new Pacer(context.signal)), name });
        if (operand === '-') minimumWidth = 7;
        else regularBytes += result.bytes.length;
        continue;
      }
      complain(context, `${operand}: ${result.reason}`);
      exitCode = 1;
      if (result.reason === 'Is a directory') {
        rows.push({ counts: { lines: 0, words: 0, bytes: 0 }, name });
        minimumWidth = 7;
      } else if (index === 0) {
        firstFailed = true;
      }
    }
    if (operands.length > 1) rows.push({ counts: sum(rows), name: 'total' });
    const unpadded = (shown.length === 1 && operands.length === 1) || firstFailed;
    const width = unpadded ? 1 : Math.max(minimumWidth, String(regularBytes).length);
    for (const row of rows) {
      const numbers = shown.map((name) => String(row.counts[name]).padStart(width)).join(' ');
      context.stdout.write(row.name === undefined ? `${numbers}\n` : `${numbers} ${row.name}\n`);
    }
    return exitCode;
  },
};

/**
 * Counts as GNU wc under LC_ALL=C: a word is a run holding a printable character ('!'..'~'), ended by
 * white space; other bytes (control characters, bytes of UTF-8 sequences) neither start nor end a word.
 */
async function count(bytes: Uint8Array, pacer: Pacer): Promise<Counts> {
  let lines = 0;
  let words = 0;
  let inWord = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 10) lines++;
    if (byte === 32 || (byte >= 9 && byte <= 13)) {
      if (inWord) words++;
      inWord = false;
    } else if (byte > 32 && byte < 127) {
      inWord = true;
    }
    if (pacer.due()) await pacer.pause();
  }
  if (inWord) words++;
  return { lines, words, bytes: bytes.length };
}

function sum(rows: Row[]): Counts {
  const total: Counts = { lines: 0, words: 0, bytes: 0 };
  for (const { counts } of rows) {
    total.lines += counts.lines;
    total.words += counts.words;
    total.bytes += counts.bytes;
  }
  return total;
}
