// basename NAME [SUFFIX], basename -a|-s SUFFIX [-z] NAME..., dirname [-z] NAME...: the last segment of a name
// or all but it, from the text alone (no file is looked at), as GNU coreutils computes them.
import type { Command } from './io.js';
import { has, lastOf, parseOptions, UsageError } from './options.js';

function stripTrailingSlashes(name: string): string {
  const stripped = name.replace(/\/+$/, '');
  return stripped === '' && name !== '' ? '/' : stripped;
}

function lastSegment(name: string, suffix: string): string {
  const stripped = stripTrailingSlashes(name);
  if (stripped === '/') return '/';
  const base = stripped.slice(stripped.lastIndexOf('/') + 1);
  return suffix !== '' && base !== suffix && base.endsWith(suffix) ? base.slice(0, -suffix.length) : base;
}

function parentOf(name: string): string {
  const stripped = stripTrailingSlashes(name);
  const slash = stripped.lastIndexOf('/');
  if (slash < 0) return '.';
  const parent = stripped.slice(0, slash).replace(/\/+$/, '');
  return parent === '' ? '/' : parent;
}

function missingOperand(operands: string[]): void {
  if (operands.length === 0) throw new UsageError('missing operand');
}

export const basename: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, {
      flags: 'az',
      valued: 's',
      long: { multiple: 'a', suffix: 's', zero: 'z' },
    });
    const { operands } = parsed;
    missingOperand(operands);
    const suffixOption = lastOf(parsed, 's');
    const multiple = has(parsed, 'a') || suffixOption !== undefined;
    if (!multiple && operands.length > 2) throw new UsageError(`extra operand '${operands[2]}'`);
    const names = multiple ? operands : operands.slice(0, 1);
    const suffix = suffixOption?.value ?? (multiple ? '' : (operands[1] ?? ''));
    const end = has(parsed, 'z') ? '\0' : '\n';
    context.stdout.write(names.map((name) => lastSegment(name, suffix) + end).join(''));
    return 0;
  },
};

export const dirname: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, { flags: 'z', long: { zero: 'z' } });
    missingOperand(parsed.operands);
    const end = has(parsed, 'z') ? '\0' : '\n';
    context.stdout.write(parsed.operands.map((name) => parentOf(name) + end).join(''));
    return 0;
  },
};
