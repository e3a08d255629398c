// xargs [-0] [-d DELIM] [-n N] [-I REPLACE] [-r] [COMMAND [ARG]...]: runs COMMAND (default echo), a command
// of this shell, with the items of its input as arguments, as GNU xargs does: items are blank-separated with
// quotes and backslashes as xargs reads them, or split on NUL (-0) or DELIM (-d); -n puts at most N items in a
// command; -I runs one command per input line, with REPLACE in the arguments replaced by it. Exit 123 when a
// command failed, 127 when it does not exist, 1 on a quoting error.
import { complain, latin1, Pacer, textOf, type Command, type CommandContext } from './io.js';
import { has, lastOf, parseOptions, UsageError } from './options.js';

const UNTERMINATED = (quote: string) =>
  `unmatched ${quote === '"' ? 'double' : 'single'} quote; by default quotes are special to xargs unless you use the -0 option`;

/** A run of bytes that are neither blanks nor quoting. */
const PLAIN_RUN = /[^ \t\n"'\\]+/y;

/** Items as xargs reads them by default: blank-separated words, with '...', "..." and '\' quoting. */
function* defaultItems(text: string): Iterable<string> {
  let item: string | undefined;
  for (let i = 0; i < text.length; i++) {
    PLAIN_RUN.lastIndex = i;
    if (PLAIN_RUN.test(text)) {
      item = (item ?? '') + text.slice(i, PLAIN_RUN.lastIndex);
      i = PLAIN_RUN.lastIndex - 1;
      continue;
    }
    const char = text[i]!;
    if (char === ' ' || char === '\t' || char === '\n') {
      if (item !== undefined) yield item;
      item = undefined;
    } else if (char === '"' || char === "'") {
      const close = text.indexOf(char, i + 1);
      const newline = text.indexOf('\n', i + 1);
      if (close < 0 || (newline >= 0 && newline < close)) throw new UsageError(UNTERMINATED(char), false);
      item = (item ?? '') + text.slice(i + 1, close);
      i = close;
    } else if (char === '\\' && i + 1 < text.length) {
      item = (item ?? '') + text[++i];
    } else {
      item = (item ?? '') + char;
    }
  }
  if (item !== undefined) yield item;
}

function delimited(text: string, delimiter: string): string[] {
  const items = text.split(delimiter);
  if (items[items.length - 1] === '') items.pop();
  return items;
}

/** -d's argument: one character or an escape ('\n', '\t', '\0', '\x41', '\101'). */
function delimiterOf(spec: string): string {
  const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' };
  if (spec.length === 1) return spec;
  if (spec.length === 2 && spec[0] === '\\' && escapes[spec[1]!] !== undefined) return escapes[spec[1]!]!;
  const hex = /^\\x([0-9a-fA-F]{1,2})$/.exec(spec);
  if (hex) return String.fromCharCode(parseInt(hex[1]!, 16));
  const octal = /^\\([0-7]{1,3})$/.exec(spec);
  if (octal) return String.fromCharCode(parseInt(octal[1]!, 8));
  throw new UsageError(`invalid input delimiter specification ${spec}: the delimiter must be either a single character or an escape sequence starting with \\.`, false);
}

/** Options stop at the first operand: what follows is the command and its own options. */
function splitAtCommand(args: string[]): { own: string[]; command: string[] } {
  const own: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return { own, command: args.slice(i + 1) };
    if (!arg.startsWith('-') || arg === '-') return { own, command: args.slice(i) };
    own.push(arg);
    // A valued short option whose value is the next word.
    if (/^-[0rt]*[nIdEsPL]$/.test(arg) || /^--(max-args|replace|delimiter)$/.test(arg)) own.push(args[++i] ?? '');
  }
  return { own, command: [] };
}

export const xargs: Command = {
  usageExitCode: 1,
  async run(context) {
    const { own, command } = splitAtCommand(context.args);
    const parsed = parseOptions(own, {
      flags: '0rt',
      valued: 'nId',
      long: { null: '0', 'no-run-if-empty': 'r', verbose: 't', 'max-args': 'n', replace: 'I', delimiter: 'd' },
    });
    const commandWords = command.length > 0 ? command : ['echo'];
    const replace = lastOf(parsed, 'I')?.value;
    const delimiter = has(parsed, '0') ? '\0' : lastOf(parsed, 'd') ? delimiterOf(lastOf(parsed, 'd')!.value) : undefined;
    const maxArgsText = lastOf(parsed, 'n')?.value;
    if (maxArgsText !== undefined && !/^\d+$/.test(maxArgsText)) throw new UsageError(`invalid number "${maxArgsText}" for -n option`, false);
    const perCommand = replace !== undefined ? 1 : maxArgsText !== undefined ? Math.max(1, Number(maxArgsText)) : Infinity;
    const text = latin1(context.stdin);
    // -I takes whole lines (leading blanks dropped) unless a delimiter is given.
    const items = delimiter !== undefined
      ? delimited(text, delimiter)
      : replace !== undefined
        ? delimited(text, '\n').map((line) => line.replace(/^[ \t]+/, '')).filter((line) => line !== '')
        : defaultItems(text);
    // Commands run as their items are read, so that a long input never has all its items alive at once.
    const batches = batchesOf(items, perCommand, new Pacer(context.signal), !has(parsed, 'r') && replace === undefined);
    let exitCode = 0;
    for await (const batch of batches) {
      const args = replace !== undefined
        ? commandWords.map((word) => word.split(replace).join(batch[0]!))
        : [...commandWords, ...batch];
      if (has(parsed, 't')) context.stderr.write(args.join(' ') + '\n');
      const status = await runOne(context, args);
      if (status === 127 || status === 126) return status;
      if (status === 255) {
        complain(context, `${args[0]}: exited with status 255; aborting`);
        return 124;
      }
      if (status !== 0) exitCode = 123;
    }
    return exitCode;
  },
};

/**
 * The items in commands of `size`, as text. Without items, GNU xargs runs the command once with none,
 * unless -r (and never with -I: size 1).
 */
async function* batchesOf(items: Iterable<string>, size: number, pacer: Pacer, runEmpty: boolean): AsyncIterable<string[]> {
  let batch: string[] = [];
  let ran = false;
  for (const item of items) {
    batch.push(textOf(item));
    if (batch.length >= size) {
      yield batch;
      batch = [];
      ran = true;
    }
    if (pacer.due()) await pacer.pause();
  }
  if (batch.length > 0 || (!ran && runEmpty)) yield batch;
}

async function runOne(context: CommandContext, args: string[]): Promise<number> {
  context.signal?.throwIfAborted();
  return context.invoke(args, new Uint8Array(0), context.stdout, context.stderr);
}
