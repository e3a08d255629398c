// grep [-ivcnlqshHxwrEFG] [-e PATTERN]... PATTERN [FILE]...: the lines that match, as GNU grep prints them
// under LC_ALL=C. Exit 0 when a line was selected, 1 when none, 2 on an error (even with matches; not with -q).
import type { WorkspaceFs } from '../entry.js';
import { complain, utf8, type Command, type CommandContext } from './io.js';
import { shownName, tryRead } from './input.js';
import { has, lastOf, parseOptions, UsageError, type ParsedOptions } from './options.js';
import { failureReason, joinShown, relativeTo, resolvePath } from './paths.js';
import { alternateNode, assertNode, concatNode, literalRegex, parsePosix, PatternError } from './regex.js';
import { RegexMatcher } from './regex-matcher.js';
import { compileRegex } from './regex-program.js';

const GREP_OPTIONS = {
  flags: 'ivcnlqshHxwrREFG',
  valued: 'e',
  long: {
    'ignore-case': 'i', 'invert-match': 'v', count: 'c', 'line-number': 'n', 'files-with-matches': 'l',
    quiet: 'q', silent: 'q', 'no-messages': 's', 'no-filename': 'h', 'with-filename': 'H', 'line-regexp': 'x',
    'word-regexp': 'w', recursive: 'r', 'dereference-recursive': 'R', 'extended-regexp': 'E',
    'fixed-strings': 'F', 'basic-regexp': 'G', regexp: 'e', color: 'color', colour: 'color',
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
    const search: Search = {
      context,
      parsed,
      matcher: compile(patterns.flatMap((pattern) => pattern.split('\n')), parsed),
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

/** One matcher for all the patterns (a line matches when one of them does), in time linear in the line. */
function compile(patterns: string[], parsed: ParsedOptions): RegexMatcher {
  const syntax = lastOf(parsed, 'EFG')?.name ?? 'G';
  try {
    const any = alternateNode(
      patterns.map((pattern) => (syntax === 'F' ? literalRegex(pattern) : parsePosix(pattern, syntax === 'E'))),
    );
    const tree = has(parsed, 'x')
      ? concatNode([assertNode('lineStart'), any, assertNode('lineEnd')])
      : has(parsed, 'w')
        ? concatNode([assertNode('notAfterWord'), any, assertNode('notBeforeWord')])
        : any;
    return new RegexMatcher(compileRegex(tree, has(parsed, 'i')));
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
  const numbered = has(parsed, 'n');
  const listOnly = has(parsed, 'l') || has(parsed, 'q');
  const countOnly = has(parsed, 'c');
  const { bytes } = result;
  const binary = bytes.includes(0);
  let selected = 0;
  const output: Uint8Array[] = [];
  for (let start = 0, end = 0, index = 0; start < bytes.length; start = end + 1, index++) {
    const newline = bytes.indexOf(0x0a, start);
    end = newline < 0 ? bytes.length : newline;
    if (search.matcher.matches(bytes, start, end) === invert) continue;
    selected++;
    if (listOnly) break;
    if (countOnly) continue;
    if (binary) {
      // GNU grep does not print lines of a file holding NUL bytes; it says that the file matches.
      complain(context, `${source.shown}: binary file matches`);
      break;
    }
    output.push(utf8(`${namePrefix}${numbered ? `${index + 1}:` : ''}`), bytes.subarray(start, end), NEWLINE);
  }
  if (selected > 0) search.selectedAny = true;
  if (has(parsed, 'q')) return;
  if (has(parsed, 'l')) {
    if (selected > 0) context.stdout.write(`${source.shown}\n`);
  } else if (countOnly) {
    context.stdout.write(`${namePrefix}${selected}\n`);
  } else {
    for (const chunk of output) context.stdout.write(chunk);
  }
}

function reportError(search: Search, message: string): void {
  search.failed = true;
  if (!has(search.parsed, 's')) complain(search.context, message);
}
