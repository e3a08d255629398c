// What head and tail share: the '-N' shorthand for '-n N', their options, line positions, and writing each
// operand under a '==> name <==' header, with GNU's messages for operands that cannot be read.
import { complain, type CommandContext } from './io.js';
import { shownName, tryRead, type ReadResult } from './input.js';
import { has, lastOf, parseCount, parseOptions, UsageError, type ParsedOptions } from './options.js';
import { quoted } from './paths.js';

/** The first range head -n reads from the start (tail -n from the end); each further one is 8 times larger. */
export const FIRST_RANGE = 64 * 1024;

const HEAD_TAIL_OPTIONS = {
  flags: 'qv',
  valued: 'nc',
  long: { lines: 'n', bytes: 'c', quiet: 'q', silent: 'q', verbose: 'v' },
};

/** Parses the options, turning the obsolete '-5' into '-n 5' (both tools still accept it). */
export function parseHeadTailOptions(args: readonly string[]): ParsedOptions {
  const expanded: string[] = [];
  for (const [i, arg] of args.entries()) {
    if (arg === '--') {
      expanded.push(...args.slice(i));
      break;
    }
    // '-5' after '-n' or '--lines' is that option's value ('all but the last 5'), not the shorthand.
    const isValue = i > 0 && /^(-[qv]*[nc]|--lines|--bytes)$/.test(args[i - 1]!);
    expanded.push(...(/^-\d+$/.test(arg) && !isValue ? ['-n', arg.slice(1)] : [arg]));
  }
  return parseOptions(expanded, HEAD_TAIL_OPTIONS);
}

/** The -n or -c option given last (default `-n 10`): its unit, count and sign ('-5' → '-', '+5' → '+'). */
export function countOption(parsed: ParsedOptions): { unit: 'lines' | 'bytes'; count: number; sign: string } {
  const option = lastOf(parsed, 'nc') ?? { name: 'n', value: '10' };
  const unit = option.name === 'n' ? 'lines' : 'bytes';
  const sign = /^[+-]/.test(option.value) ? option.value[0]! : '';
  const count = parseCount(option.value.slice(sign.length));
  if (count === undefined) throw new UsageError(`invalid number of ${unit}: '${option.value}'`, false);
  return { unit, count, sign };
}

/** Reads an operand, or as much of it as is printed. */
export type OperandReader = (context: CommandContext, operand: string) => Promise<ReadResult>;

/**
 * Writes `select(bytes)` for each operand (the previous command's output without operands), under a
 * '==> name <==' header when there are several operands (-q: never, -v: always). Returns the exit code.
 */
export async function writeEachOperand(
  context: CommandContext,
  parsed: ParsedOptions,
  select: (bytes: Uint8Array) => Uint8Array,
  read: OperandReader = tryRead,
): Promise<number> {
  const operands = parsed.operands.length > 0 ? parsed.operands : ['-'];
  const headers = has(parsed, 'v') || (operands.length > 1 && !has(parsed, 'q'));
  let exitCode = 0;
  let wroteHeader = false;
  for (const operand of operands) {
    const { bytes, reason } = await read(context, operand);
    // GNU head and tail open a directory, so it gets its header, and then fail to read it.
    const opened = bytes !== undefined || reason === 'Is a directory';
    if (headers && opened) {
      context.stdout.write(`${wroteHeader ? '\n' : ''}==> ${shownName(operand, 'standard input')} <==\n`);
      wroteHeader = true;
    }
    if (bytes !== undefined) {
      context.stdout.write(select(bytes));
    } else {
      const failed = opened ? `error reading ${quoted(operand)}` : `cannot open ${quoted(operand)} for reading`;
      complain(context, `${failed}: ${reason}`);
      exitCode = 1;
    }
  }
  return exitCode;
}

/** Where the last `count` lines of `bytes` start; a last line without '\n' counts as a line. */
export function lastLinesStart(bytes: Uint8Array, count: number): number {
  if (count === 0) return bytes.length;
  let position = bytes.length > 0 && bytes[bytes.length - 1] === 10 ? bytes.length - 1 : bytes.length;
  for (let found = 0; position > 0; ) {
    const newline = bytes.lastIndexOf(10, position - 1);
    if (newline < 0) return 0;
    if (++found === count) return newline + 1;
    position = newline;
  }
  return 0;
}

/** Where line `count + 1` starts (the end when there are fewer lines). */
export function afterFirstLines(bytes: Uint8Array, count: number): number {
  let position = 0;
  for (let line = 0; line < count; line++) {
    const newline = bytes.indexOf(10, position);
    if (newline < 0) return bytes.length;
    position = newline + 1;
  }
  return position;
}
