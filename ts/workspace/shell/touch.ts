// touch [-c] FILE...: sets each file's time to now (where its source can: not S3), creating it empty when
// missing; -c creates nothing.
import { changeFailure, entryAt, writesOf } from './change.js';
import { complain, type Command } from './io.js';
import { has, parseOptions, UsageError } from './options.js';
import { quoted, resolvePath } from './paths.js';

export const touch: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, { flags: 'c', long: { 'no-create': 'c' } });
    if (parsed.operands.length === 0) throw new UsageError('missing file operand');
    const fs = writesOf(context.fs);
    let exitCode = 0;
    for (const operand of parsed.operands) {
      const path = resolvePath(operand);
      try {
        if (has(parsed, 'c') && (await entryAt(context.fs, path)) === undefined) continue;
        await fs.touch(path);
      } catch (error) {
        complain(context, `cannot touch ${quoted(operand)}: ${await changeFailure(context.fs, path, error)}`);
        exitCode = 1;
      }
    }
    return exitCode;
  },
};
