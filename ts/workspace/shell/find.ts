// find [PATH]... [EXPRESSION]: the paths below each PATH (default '.', the root) for which the expression is
// true, parents first, as GNU find evaluates it: tests -name, -iname, -path, -ipath (globs, '*' matching '/'
// in paths), -type f|d, -size [+-]N[cbwkMG] (in units rounded up, 512-byte blocks by default), -mtime [+-]N
// (whole days before the command started), -empty; the action -print; operators '!' or -not, -a or -and
// (or nothing), -o or -or, and parentheses; -maxdepth and -mindepth. Without -print, matching paths are
// printed. A workspace's folders have size 0 for -size.
import type { FindOptions, WorkspaceEntry, WorkspaceFs } from '../entry.js';
import type { EntryType } from '../resource.js';
import { globMatcher } from './glob.js';
import { complain, type Command } from './io.js';
import { UsageError } from './options.js';
import { failureReason, joinShown, quoted, relativeTo, resolvePath } from './paths.js';

const TYPE_LETTERS: Record<string, EntryType | 'other'> = {
  f: 'file', d: 'directory', l: 'other', b: 'other', c: 'other', p: 'other', s: 'other', D: 'other',
};

const SIZE_UNITS: Record<string, number> = { b: 512, c: 1, w: 2, k: 1024, M: 1024 ** 2, G: 1024 ** 3 };
const DAY_MS = 86_400_000;

/** What a test sees of an entry. */
interface Visit {
  entry: WorkspaceEntry;
  /** The path as printed (below the operand as the user wrote it). */
  shown: string;
}

/** A node of the expression: true or false for a visit; -print prints as a side effect. */
type Node = (visit: Visit) => boolean | Promise<boolean>;

interface Expression {
  root: Node;
  options: FindOptions;
  /** Whether the expression prints for itself (-print); if not, each path it is true for is printed. */
  prints: boolean;
}

export const find: Command = {
  usageExitCode: 1,
  async run(context) {
    const firstTest = context.args.findIndex((arg) => arg.startsWith('-') || arg === '!' || arg === '(');
    const paths = firstTest < 0 ? context.args : context.args.slice(0, firstTest);
    const print = (visit: Visit) => context.stdout.write(`${visit.shown}\n`);
    const expression = new ExpressionParser(firstTest < 0 ? [] : context.args.slice(firstTest), context.fs, print).parse();
    let exitCode = 0;
    for (const operand of paths.length > 0 ? paths : ['.']) {
      const root = resolvePath(operand);
      try {
        for await (const entry of context.fs.find(root, expression.options)) {
          context.signal?.throwIfAborted();
          const visit = { entry, shown: joinShown(operand, relativeTo(root, entry)) };
          if ((await expression.root(visit)) && !expression.prints) print(visit);
        }
      } catch (error) {
        complain(context, `${quoted(operand)}: ${await failureReason(context.fs, root, error)}`);
        exitCode = 1;
      }
    }
    return exitCode;
  },
};

/** Reads the expression by GNU find's grammar: OR of ANDs of (negated) primaries or parenthesised expressions. */
class ExpressionParser {
  private at = 0;
  private readonly options: FindOptions = {};
  private prints = false;
  /** -type's letter handed to the file system, which only a plain AND of tests allows. */
  private typeHint: EntryType | undefined;
  private onlyAnd = true;
  /** -mtime counts days back from when the command started, as find does. */
  private readonly now = Date.now();

  constructor(
    private readonly args: readonly string[],
    private readonly fs: WorkspaceFs,
    private readonly print: (visit: Visit) => void,
  ) {}

  parse(): Expression {
    const root = this.at < this.args.length ? this.or() : () => true;
    if (this.at < this.args.length) {
      const extra = this.args[this.at]!;
      throw new UsageError(extra === ')' ? "invalid expression; you have too many ')'" : `paths must precede expression: \`${extra}'`, false);
    }
    // Handing one type to the file system lets it skip the others; the test itself still decides.
    if (this.onlyAnd && this.typeHint !== undefined) this.options.type = this.typeHint;
    return { root, options: this.options, prints: this.prints };
  }

  private peek(): string | undefined {
    return this.args[this.at];
  }

  private or(): Node {
    let left = this.and();
    while (this.peek() === '-o' || this.peek() === '-or') {
      this.at++;
      this.onlyAnd = false;
      const right = this.and();
      const first = left;
      left = async (visit) => (await first(visit)) || right(visit);
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    for (;;) {
      const next = this.peek();
      if (next === '-a' || next === '-and') this.at++;
      else if (next === undefined || next === '-o' || next === '-or' || next === ')') return left;
      const right = this.unary();
      const first = left;
      left = async (visit) => (await first(visit)) && right(visit);
    }
  }

  private unary(): Node {
    const token = this.args[this.at++];
    if (token === undefined) throw new UsageError('expected an expression at the end', false);
    if (token === '!' || token === '-not') {
      this.onlyAnd = false;
      const operand = this.unary();
      return async (visit) => !(await operand(visit));
    }
    if (token === '(') {
      const inner = this.or();
      if (this.args[this.at++] !== ')') throw new UsageError("invalid expression; I was expecting to find a ')' somewhere but did not see one.", false);
      return inner;
    }
    return this.primary(token);
  }

  private value(primary: string): string {
    const value = this.args[this.at++];
    if (value === undefined) throw new UsageError(`missing argument to \`${primary}'`, false);
    return value;
  }

  private primary(primary: string): Node {
    switch (primary) {
      case '-name':
      case '-iname': {
        const matches = globMatcher(this.value(primary), primary === '-iname');
        return ({ entry }) => matches(entry.name);
      }
      case '-path':
      case '-ipath': {
        const matches = globMatcher(this.value(primary), primary === '-ipath');
        return ({ shown }) => matches(shown);
      }
      case '-type': {
        const letter = this.value(primary);
        const type = TYPE_LETTERS[letter];
        if (type === undefined) throw new UsageError(`Unknown argument to -type: ${letter}`, false);
        if (type !== 'other') this.typeHint = type;
        return ({ entry }) => entry.type === type;
      }
      case '-size':
        return this.size(this.value(primary));
      case '-mtime': {
        const compare = comparison(primary, this.value(primary));
        return ({ entry }) => entry.mtimeMs !== undefined && compare(Math.floor((this.now - entry.mtimeMs) / DAY_MS));
      }
      case '-empty':
        return async ({ entry }) =>
          entry.type === 'directory' ? (await this.fs.ls(entry.path)).length === 0 : entry.type === 'file' && entry.size === 0;
      case '-maxdepth':
      case '-mindepth': {
        const value = this.value(primary);
        if (!/^\d+$/.test(value)) {
          throw new UsageError(`Expected a positive decimal integer argument to ${primary}, but got '${value}'`, false);
        }
        this.options[primary === '-maxdepth' ? 'maxDepth' : 'minDepth'] = Number(value);
        return () => true;
      }
      case '-print':
        this.prints = true;
        return (visit) => {
          this.print(visit);
          return true;
        };
      default:
        if (!primary.startsWith('-')) throw new UsageError(`paths must precede expression: \`${primary}'`, false);
        throw new UsageError(`unknown predicate \`${primary}'`, false);
    }
  }

  /** -size: the size in units rounded up, compared with N; a file of unknown size never matches. */
  private size(spec: string): Node {
    const match = /^([+-]?\d+)([cwbkMG]?)$/.exec(spec);
    if (!match) throw new UsageError(`invalid argument \`${spec}' to \`-size'`, false);
    const unit = SIZE_UNITS[match[2] || 'b']!;
    const compare = comparison('-size', match[1]!);
    return ({ entry }) => entry.size !== undefined && compare(Math.ceil(entry.size / unit));
  }
}

/** '+N' (more than N), '-N' (less than N) or 'N' (exactly N), as find's numeric arguments. */
function comparison(primary: string, spec: string): (value: number) => boolean {
  const match = /^([+-]?)(\d+)$/.exec(spec);
  if (!match) throw new UsageError(`invalid argument \`${spec}' to \`${primary}'`, false);
  const n = Number(match[2]);
  if (match[1] === '+') return (value) => value > n;
  if (match[1] === '-') return (value) => value < n;
  return (value) => value === n;
}
