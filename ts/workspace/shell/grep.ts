// grep [-ivcnlqshHxwrEFGo] [-m N] [-A N] [-B N] [-C N] [-e PATTERN]... PATTERN [FILE]...: the lines that match,
// as GNU grep prints them under LC_ALL=C: -o prints each match instead (leftmost-longest, by the linear search
// sed uses), -m stops after N selected lines (and their trailing context), -A/-B/-C print context lines
// ('-' after names and numbers) with '--' between groups. Exit 0 when a line was selected, 1 when none, 2 on
// an error (even with matches; not with -q).
import type { WorkspaceFs } from '../entry.js';
import { complain, utf8, type Command, type CommandContext } from './io.js';
import { shownName, tryRead } from './input.js';
import { has, lastOf, parseOptions, UsageError, type ParsedOptions } from './options.js';
import { failureReason, joinShown, relativeTo, resolvePath } from './paths.js';
import { alternateNode, assertNode, concatNode, groupCount, literalRegex, parsePosix, PatternError, type RegexNode } from './regex.js';
import { RegexMatcher } from './regex-matcher.js';
import { compileRegex } from './regex-program.js';
import { RegexSearcher } from './regex-search.js';

const GREP_OPTIONS = {
  flags: 'ivcnlqshHxwrREFGo',
  valued: 'emABC',
  long: {
    'ignore-case': 'i', 'invert-match': 'v', count: 'c', 'line-number': 'n', 'files-with-matches': 'l',
    quiet: 'q', silent: 'q', 'no-messages': 's', 'no-filename': 'h', 'with-filename': 'H', 'line-regexp': 'x',
    'word-regexp': 'w', recursive: 'r', 'dereference-recursive': 'R', 'extended-regexp': 'E',
    'fixed-strings': 'F', 'basic-regexp': 'G', regexp: 'e', color: 'color', colour: 'color',
    'only-matching': 'o', 'max-count': 'm', 'after-context': 'A', 'before-context': 'B', context: 'C',
  },
  // Accepted and ignored: output is never a terminal, so never coloured.
  optionalValue: 'color',
};

const NEWLINE = utf8('\n');

/** One input to search and the name its lines are prefixed with. */
interface Source {
  operand: string;
  shown: string;
  /** Whether this input came from walking a directory (-r), whose files are always named. */
  found: boolean;
}

interface Search {
  context: CommandContext;
  parsed: ParsedOptions;
  matcher: RegexMatcher;
  /** For -o: where each match is. */
  searcher: RegexSearcher | undefined;
  /** -m: at most this many selected lines per file. */
  maxCount: number;
  /** Context lines to print before and after each selected line (-B, -A, -C). */
  before: number;
  after: number;
  /** Whether groups of lines are separated by '--': whenever a context is asked for, even of 0 lines. */
  separated: boolean;
  /** Whether anything was printed yet (for '--' between groups, across files too). */
  printedAny: boolean;
  /** true/false: always/never prefix names; 'found': only files found in directories (-r with one operand). */
  names: boolean | 'found';
  selectedAny: boolean;
  failed: boolean;
}

export const grep: Command = {
  usageExitCode: 2,
  async run(context) {
    const parsed = parseOptions(context.args, GREP_OPTIONS);
    const explicitPatterns = parsed.options.filter((option) => option.name === 'e').map((option) => option.value);
    const operands = [...parsed.operands];
    const patterns = explicitPatterns.length > 0 ? explicitPatterns : operands.splice(0, 1);
    if (patterns.length === 0) throw new UsageError('Usage: grep [OPTION]... PATTERNS [FILE]...', true);
    const recursive = has(parsed, 'r') || has(parsed, 'R');
    // Without operands, -r searches everything and names files relative to '/', as grep does the working directory.
    if (operands.length === 0) operands.push(recursive ? '' : '-');
    const tree = patternTree(patterns.flatMap((pattern) => pattern.split('\n')), parsed);
    const search: Search = {
      context,
      parsed,
      matcher: new RegexMatcher(compileRegex(tree, has(parsed, 'i'))),
      searcher: has(parsed, 'o') ? new RegexSearcher(compileRegex(tree, has(parsed, 'i')), groupCount(tree)) : undefined,
      maxCount: countOption(parsed, 'm', 'max count') ?? Infinity,
      before: countOption(parsed, 'B', 'context length') ?? countOption(parsed, 'C', 'context length') ?? 0,
      after: countOption(parsed, 'A', 'context length') ?? countOption(parsed, 'C', 'context length') ?? 0,
      separated: parsed.options.some((option) => 'ABC'.includes(option.name)),
      printedAny: false,
      names: namesShown(parsed, operands.length, recursive),
      selectedAny: false,
      failed: false,
    };
    for (const operand of operands) {
      for await (const source of sources(context.fs, operand, recursive, search)) {
        await searchSource(search, source);
        if (search.selectedAny && has(parsed, 'q')) return 0;
      }
    }
    return search.failed ? 2 : search.selectedAny ? 0 : 1;
  },
};

/** -H: always; -h: never; otherwise with several operands, and with -r for files found in a directory. */
function namesShown(parsed: ParsedOptions, operandCount: number, recursive: boolean): Search['names'] {
  if (has(parsed, 'H')) return true;
  if (has(parsed, 'h')) return false;
  if (operandCount > 1) return true;
  return recursive ? 'found' : false;
}

/** A number option's value (-m, -A, -B, -C), or undefined when not given. */
function countOption(parsed: ParsedOptions, name: string, what: string): number | undefined {
  const value = lastOf(parsed, name)?.value;
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`invalid ${what} argument`, false);
  return Number(value);
}

/** All the patterns as one regular expression (a line matches when one of them does). */
function patternTree(patterns: string[], parsed: ParsedOptions): RegexNode {
  const syntax = lastOf(parsed, 'EFG')?.name ?? 'G';
  try {
    const any = alternateNode(
      patterns.map((pattern) => (syntax === 'F' ? literalRegex(pattern) : parsePosix(pattern, syntax === 'E'))),
    );
    if (has(parsed, 'x')) return concatNode([assertNode('lineStart'), any, assertNode('lineEnd')]);
    if (has(parsed, 'w')) return concatNode([assertNode('notAfterWord'), any, assertNode('notBeforeWord')]);
    return any;
  } catch (error) {
    if (error instanceof PatternError) throw new UsageError(error.message, false);
    throw error;
  }
}

/** The inputs an operand stands for: itself, or with -r the files below it, in name order. */
async function* sources(fs: WorkspaceFs, operand: string, recursive: boolean, search: Search): AsyncIterable<Source> {
  if (!recursive || operand === '-') {
    yield { operand, shown: shownName(operand, '(standard input)'), found: false };
    return;
  }
  const root = resolvePath(operand || '/');
  try {
    for await (const entry of fs.find(root, { type: 'file' })) {
      search.context.signal?.throwIfAborted();
      const relative = relativeTo(root, entry);
      yield { operand: entry.path, shown: joinShown(operand, relative), found: relative !== '' };
    }
  } catch (error) {
    reportError(search, `${operand}: ${await failureReason(fs, root, error)}`);
  }
}

async function searchSource(search: Search, source: Source): Promise<void> {
  const { context, parsed } = search;
  const result = await tryRead(context, source.operand);
  const named = search.names === true || (search.names === 'found' && source.found);
  const namePrefix = named ? `${source.shown}:` : '';
  if (result.bytes === undefined) {
    reportError(search, `${source.shown}: ${result.reason}`);
    // GNU grep -c still counts a directory it does not search: 0 lines.
    if (result.reason === 'Is a directory' && has(parsed, 'c')) context.stdout.write(`${namePrefix}0\n`);
    return;
  }
  const invert = has(parsed, 'v');
  const listOnly = has(parsed, 'l') || has(parsed, 'q');
  const countOnly = has(parsed, 'c');
  const { bytes } = result;
  const binary = bytes.includes(0);
  const printer = new LinePrinter(search, bytes, namePrefix.slice(0, -1));
  let selected = 0;
  let afterLeft = 0;
  for (let start = 0, end = 0, index = 0; start < bytes.length && (selected < search.maxCount || afterLeft > 0); start = end + 1, index++) {
    const newline = bytes.indexOf(0x0a, start);
    end = newline < 0 ? bytes.length : newline;
    // Past -m's count, only trailing context is printed, matching or not.
    if (selected >= search.maxCount || search.matcher.matches(bytes, start, end) === invert) {
      if (afterLeft > 0) {
        printer.print(index, start, end, '-');
        afterLeft--;
      } else {
        printer.remember(index, start, end);
      }
      continue;
    }
    selected++;
    if (listOnly) break;
    if (countOnly) continue;
    if (binary) {
      // GNU grep does not print lines of a file holding NUL bytes; it says that the file matches.
      complain(context, `${source.shown}: binary file matches`);
      break;
    }
    printer.printBefore(index);
    printer.print(index, start, end, ':');
    afterLeft = search.after;
  }
  if (selected > 0) search.selectedAny = true;
  if (has(parsed, 'q')) return;
  if (has(parsed, 'l')) {
    if (selected > 0) context.stdout.write(`${source.shown}\n`);
  } else if (countOnly) {
    context.stdout.write(`${namePrefix}${selected}\n`);
  }
}

/** Prints the lines of one file that grep shows: selected ones (or their matches, -o) and context lines. */
class LinePrinter {
  /** The index of the last line printed; far back at first, so that a new file's first group is separated. */
  private lastPrinted = -2;
  /** The last lines passed over, for -B: index, start, end. */
  private readonly recent: Array<[number, number, number]> = [];

  constructor(
    private readonly search: Search,
    private readonly bytes: Uint8Array,
    private readonly name: string,
  ) {}

  remember(index: number, start: number, end: number): void {
    if (this.search.before === 0) return;
    this.recent.push([index, start, end]);
    if (this.recent.length > this.search.before) this.recent.shift();
  }

  /** The -B lines before selected line `index` not printed yet, after '--' if they do not follow the last printed. */
  printBefore(index: number): void {
    const { search } = this;
    const first = Math.max(this.lastPrinted + 1, index - search.before);
    if (search.separated && search.printedAny && first > this.lastPrinted + 1) search.context.stdout.write('--\n');
    for (const [at, start, end] of this.recent) if (at >= first) this.print(at, start, end, '-');
    this.recent.length = 0;
  }

  /** One line, after its file's name and number as asked, with ':' (selected) or '-' (context). */
  print(index: number, start: number, end: number, separator: ':' | '-'): void {
    const { search, bytes } = this;
    const { stdout } = search.context;
    const prefix = `${this.name === '' ? '' : this.name + separator}${has(search.parsed, 'n') ? `${index + 1}${separator}` : ''}`;
    this.lastPrinted = index;
    search.printedAny = true;
    if (search.searcher === undefined) {
      stdout.write(prefix);
      stdout.write(bytes.subarray(start, end));
      stdout.write(NEWLINE);
      return;
    }
    // -o: the matches of a selected line; context lines show nothing.
    if (separator === '-' || has(search.parsed, 'v')) return;
    for (let from = start; from <= end; ) {
      const match = search.searcher.search(bytes, from, start, end);
      if (match === undefined) break;
      if (match.end > match.start) {
        stdout.write(prefix);
        stdout.write(bytes.subarray(match.start, match.end));
        stdout.write(NEWLINE);
      }
      from = match.end > match.start ? match.end : match.start + 1;
    }
  }
}

function reportError(search: Search, message: string): void {
  search.failed = true;
  if (!has(search.parsed, 's')) complain(search.context, message);
}
