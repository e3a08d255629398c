// rm [-f] [-r|-R] FILE...: removes files, and with -r folders and everything below them; -f: no error (and no
// message) for what is not there, nor for no operands.
import { changeFailure, entryAt, writesOf } from './change.js';
import { complain, type Command } from './io.js';
import { has, parseOptions, UsageError } from './options.js';
import { isDirectoryOnly, quoted, resolvePath } from './paths.js';

export const rm: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, { flags: 'frR', long: { force: 'f', recursive: 'r' } });
    const force = has(parsed, 'f');
    const recursive = has(parsed, 'r') || has(parsed, 'R');
    if (parsed.operands.length === 0) {
      if (force) return 0;
      throw new UsageError('missing operand');
    }
    const fs = writesOf(context.fs);
    let exitCode = 0;
    for (const operand of parsed.operands) {
      const path = resolvePath(operand);
      try {
        // 'file/' names no file, as in POSIX.
        if (isDirectoryOnly(operand) && (await entryAt(context.fs, path))?.type === 'file') throw new Error('Not a directory');
        await fs.rm(path, { recursive, force });
      } catch (error) {
        complain(context, `cannot remove ${quoted(operand)}: ${await changeFailure(context.fs, path, error)}`);
        exitCode = 1;
      }
    }
    return exitCode;
  },
};
