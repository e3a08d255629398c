// GNU-style option parsing: clustered short flags (-nv), values attached or separate (-n5, -n 5), long
// options with unique prefixes (--count, --lines=5), options after operands, and '--' to end them.

/** Bad usage. With `hint`, the message is followed by GNU's "Try 'cmd --help'" line. */
export class UsageError extends Error {
  constructor(message: string, readonly hint = true) {
    super(message);
  }
}

export interface OptionSpec {
  /** Short options without a value, e.g. 'ilvc'. */
  flags: string;
  /** Short options that take a value, e.g. 'n'. */
  valued?: string;
  /** Long option names and the short option each stands for. */
  long?: Record<string, string>;
  /** Long options without a short one that take a value, e.g. 'output-delimiter'. */
  valuedLong?: string[];
  /** Options (by what they stand for) whose value is optional and attached with '=': '--color[=WHEN]'. */
  optionalValue?: string;
}

export interface ParsedOptions {
  /** Options in the order given; the last of conflicting ones wins, as in GNU tools. */
  options: Array<{ name: string; value: string }>;
  operands: string[];
}

export function has(parsed: ParsedOptions, name: string): boolean {
  return parsed.options.some((option) => option.name === name);
}

/** The last given option among `names`, or undefined. */
export function lastOf(parsed: ParsedOptions, names: string): { name: string; value: string } | undefined {
  for (let i = parsed.options.length - 1; i >= 0; i--) {
    if (names.includes(parsed.options[i]!.name)) return parsed.options[i];
  }
  return undefined;
}

export function parseOptions(args: readonly string[], spec: OptionSpec): ParsedOptions {
  const parsed: ParsedOptions = { options: [], operands: [] };
  const valued = spec.valued ?? '';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      parsed.operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const [given, attached] = splitOnce(arg.slice(2), '=');
      const name = longOption(given, spec.long ?? {});
      if (name.length === 1 ? valued.includes(name) : spec.valuedLong?.includes(name)) {
        const value = attached ?? args[++i];
        if (value === undefined) throw new UsageError(`option '--${given}' requires an argument`);
        parsed.options.push({ name, value });
      } else {
        if (attached !== undefined && name !== spec.optionalValue) {
          throw new UsageError(`option '--${given}' doesn't allow an argument`);
        }
        parsed.options.push({ name, value: attached ?? '' });
      }
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        if (valued.includes(letter)) {
          const value = j + 1 < arg.length ? arg.slice(j + 1) : args[++i];
          if (value === undefined) throw new UsageError(`option requires an argument -- '${letter}'`);
          parsed.options.push({ name: letter, value });
          break;
        }
        if (!spec.flags.includes(letter)) throw new UsageError(`invalid option -- '${letter}'`);
        parsed.options.push({ name: letter, value: '' });
      }
    } else {
      parsed.operands.push(arg);
    }
  }
  return parsed;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function longOption(given: string, long: Record<string, string>): string {
  const exact = long[given];
  if (exact !== undefined) return exact;
  const candidates = Object.keys(long).filter((name) => name.startsWith(given));
  const letters = new Set(candidates.map((name) => long[name]));
  if (given === '' || letters.size === 0) throw new UsageError(`unrecognized option '--${given}'`);
  if (letters.size > 1) throw new UsageError(`option '--${given}' is ambiguous`);
  return long[candidates[0]!]!;
}

const SIZE_SUFFIXES: Record<string, number> = {
  '': 1, b: 512, kB: 1000, K: 1024, KiB: 1024, k: 1024, MB: 1e6, M: 2 ** 20, MiB: 2 ** 20, GB: 1e9, G: 2 ** 30,
  GiB: 2 ** 30, TB: 1e12, T: 2 ** 40, TiB: 2 ** 40,
};

/** A count of lines or bytes as head and tail take it: digits with an optional size suffix ('1K'). */
export function parseCount(text: string): number | undefined {
  const match = /^(\d+)([a-zA-Z]*)$/.exec(text);
  const multiplier = match ? SIZE_SUFFIXES[match[2]!] : undefined;
  return multiplier === undefined ? undefined : Number(match![1]) * multiplier;
}
