// cp [-r|-R] SOURCE... DEST: copies files, and with -r folders; into DEST when it is a folder. Within one
// mount the source copies (S3: server-side, the bytes never pass through the workspace).
import { writesOf } from './change.js';
import type { Command } from './io.js';
import { has, parseOptions } from './options.js';
import { quoted } from './paths.js';
import { runTransfers } from './transfer.js';

export const cp: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, { flags: 'rR', long: { recursive: 'r' } });
    const recursive = has(parsed, 'r') || has(parsed, 'R');
    return runTransfers(context, parsed.operands, {
      verb: 'copy',
      refuse: async ({ entry, shownSource }) =>
        entry.type === 'directory' && !recursive ? `-r not specified; omitting directory ${quoted(shownSource)}` : undefined,
      perform: ({ source, target }) => writesOf(context.fs).cp(source, target, { recursive }),
      failed: ({ entry, shownTarget }, reason) =>
        `cannot create ${entry.type === 'directory' ? 'directory' : 'regular file'} ${quoted(shownTarget)}: ${reason}`,
    });
  },
};
