// mv SOURCE... DEST: moves files and folders; into DEST when it is a folder. A move is a copy and a removal
// (within one mount the source copies: S3 server-side).
import { writesOf } from './change.js';
import type { Command } from './io.js';
import { parseOptions } from './options.js';
import { quoted } from './paths.js';
import { runTransfers } from './transfer.js';

export const mv: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, { flags: '', long: {} });
    return runTransfers(context, parsed.operands, {
      verb: 'move',
      // A folder replaces only an empty one, as rename(2) does.
      refuse: async ({ entry, existing, target, shownSource, shownTarget }) =>
        entry.type === 'directory' && existing !== undefined && (await context.fs.ls(target)).length > 0
          ? `cannot move ${quoted(shownSource)} to ${quoted(shownTarget)}: Directory not empty`
          : undefined,
      perform: ({ source, target }) => writesOf(context.fs).mv(source, target),
      failed: ({ shownSource, shownTarget }, reason) => `cannot move ${quoted(shownSource)} to ${quoted(shownTarget)}: ${reason}`,
    });
  },
};
