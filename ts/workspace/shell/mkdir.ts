// mkdir [-p] DIR...: creates folders; -p creates missing parents and accepts folders that exist.
import { changeFailure, entryAt, writesOf } from './change.js';
import { complain, type Command } from './io.js';
import { has, parseOptions, UsageError } from './options.js';
import { quoted, resolvePath } from './paths.js';

export const mkdir: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, { flags: 'p', long: { parents: 'p' } });
    if (parsed.operands.length === 0) throw new UsageError('missing operand');
    const recursive = has(parsed, 'p');
    const fs = writesOf(context.fs);
    let exitCode = 0;
    for (const operand of parsed.operands) {
      const path = resolvePath(operand);
      try {
        await fs.mkdir(path, { recursive });
      } catch (error) {
        const reason = await changeFailure(context.fs, path, error);
        // As GNU mkdir -p, name the part of the operand that is a file.
        const shown = recursive && reason === 'Not a directory' ? await fileAbove(context.fs, operand) : operand;
        complain(context, `cannot create directory ${quoted(shown)}: ${reason}`);
        exitCode = 1;
      }
    }
    return exitCode;
  },
};

/** The first leading part of `operand` ('a', 'a/b', ...) that names a file. */
async function fileAbove(fs: Parameters<typeof entryAt>[0], operand: string): Promise<string> {
  const parts = operand.split('/');
  for (let i = 1; i < parts.length; i++) {
    const shown = parts.slice(0, i).join('/');
    if (shown !== '' && (await entryAt(fs, resolvePath(shown)))?.type === 'file') return shown;
  }
  return operand;
}
