// find [PATH]... [-name GLOB] [-iname GLOB] [-type f|d] [-maxdepth N] [-mindepth N] [-print]: the paths below
// each PATH (default '.', the root) that pass every test, parents first. Tests combine with AND only.
import type { FindOptions, WorkspaceEntry } from '../entry.js';
import type { EntryType } from '../resource.js';
import { globMatcher } from './glob.js';
import { complain, type Command } from './io.js';
import { UsageError } from './options.js';
import { failureReason, joinShown, quoted, relativeTo, resolvePath } from './paths.js';

const TYPE_LETTERS: Record<string, EntryType | 'other'> = {
  f: 'file', d: 'directory', l: 'other', b: 'other', c: 'other', p: 'other', s: 'other', D: 'other',
};

interface Expression {
  options: FindOptions;
  tests: Array<(entry: WorkspaceEntry) => boolean>;
}

export const find: Command = {
  usageExitCode: 1,
  async run(context) {
    const firstTest = context.args.findIndex((arg) => arg.startsWith('-') || arg === '!' || arg === '(');
    const paths = firstTest < 0 ? context.args : context.args.slice(0, firstTest);
    const expression = parseExpression(firstTest < 0 ? [] : context.args.slice(firstTest));
    let exitCode = 0;
    for (const shown of paths.length > 0 ? paths : ['.']) {
      const root = resolvePath(shown);
      try {
        for await (const entry of context.fs.find(root, expression.options)) {
          context.signal?.throwIfAborted();
          if (expression.tests.every((test) => test(entry))) {
            context.stdout.write(joinShown(shown, relativeTo(root, entry)) + '\n');
          }
        }
      } catch (error) {
        complain(context, `${quoted(shown)}: ${await failureReason(context.fs, root, error)}`);
        exitCode = 1;
      }
    }
    return exitCode;
  },
};

function parseExpression(args: readonly string[]): Expression {
  const expression: Expression = { options: {}, tests: [] };
  for (let i = 0; i < args.length; i++) {
    const primary = args[i]!;
    const takesValue = ['-name', '-iname', '-type', '-maxdepth', '-mindepth'].includes(primary);
    const value = takesValue ? args[++i] : undefined;
    if (takesValue && value === undefined) throw new UsageError(`missing argument to \`${primary}'`, false);
    switch (primary) {
      case '-name':
      case '-iname': {
        const matches = globMatcher(value!, primary === '-iname');
        expression.tests.push((entry) => matches(entry.name));
        break;
      }
      case '-type': {
        const type = TYPE_LETTERS[value!];
        if (type === undefined) throw new UsageError(`Unknown argument to -type: ${value}`, false);
        expression.tests.push((entry) => entry.type === type);
        // Handing one type to the file system lets it skip the others; the test above still decides.
        if (type !== 'other') expression.options.type = type;
        break;
      }
      case '-maxdepth':
      case '-mindepth': {
        if (!/^\d+$/.test(value!)) {
          throw new UsageError(`Expected a positive decimal integer argument to ${primary}, but got '${value}'`, false);
        }
        expression.options[primary === '-maxdepth' ? 'maxDepth' : 'minDepth'] = Number(value);
        break;
      }
      case '-print':
        break;
      default:
        if (['-o', '-or', '-not', '-a', '-and', '!', '(', ')', ','].includes(primary)) {
          throw new UsageError(`'${primary}' is not supported: tests combine with AND only`, false);
        }
        if (!primary.startsWith('-')) throw new UsageError(`paths must precede expression: \`${primary}'`, false);
        throw new UsageError(`unknown predicate \`${primary}'`, false);
    }
  }
  return expression;
}
