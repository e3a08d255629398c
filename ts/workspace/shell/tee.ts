// tee [-a] [FILE]...: copies its input to its output and to each FILE, written through the file system's
// writeFile (appendFile with -a). A file that cannot be written is reported and the others still written.
import { complain, type Command } from './io.js';
import { has, parseOptions } from './options.js';
import { resolvePath } from './paths.js';
import { RedirectionError, writeTo } from './redirect.js';

export const tee: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, {
      flags: 'ai',
      long: { append: 'a', 'ignore-interrupts': 'i' },
    });
    context.stdout.write(context.stdin);
    let exitCode = 0;
    for (const operand of parsed.operands) {
      try {
        await writeTo(context.fs, operand, resolvePath(operand), context.stdin, has(parsed, 'a'));
      } catch (error) {
        if (!(error instanceof RedirectionError)) throw error;
        complain(context, error.message);
        exitCode = 1;
      }
    }
    return exitCode;
  },
};
