// stat [-c FORMAT] PATH...: what the workspace knows of each path. -c takes %n (name), %s (size), %F (type),
// %y (modification time), %Y (its seconds since the epoch), %% ('%'). Without -c, this shell's own format:
//     File: NAME
//     Size: SIZE        Type: TYPE
//   Modify: TIME
// (times in UTC, as '2024-05-01 12:00:00.000000000 +0000'), then '  ETag: ETAG' where the source has one.
import type { WorkspaceEntry } from '../entry.js';
import { complain, type Command } from './io.js';
import { lastOf, parseOptions, UsageError } from './options.js';
import { failureReason, isSlashedFile, quoted, resolvePath } from './paths.js';
import { utcDateTime } from './sizes.js';

export const stat: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, { flags: '', valued: 'c', long: { format: 'c' } });
    if (parsed.operands.length === 0) throw new UsageError('missing operand');
    const format = lastOf(parsed, 'c')?.value;
    let exitCode = 0;
    for (const operand of parsed.operands) {
      const path = resolvePath(operand);
      try {
        const entry = await context.fs.stat(path);
        if (isSlashedFile(operand, entry)) throw new Error('Not a directory');
        context.stdout.write(format === undefined ? describe(operand, entry) : expand(format, operand, entry) + '\n');
      } catch (error) {
        complain(context, `cannot statx ${quoted(operand)}: ${await failureReason(context.fs, path, error)}`);
        exitCode = 1;
      }
    }
    return exitCode;
  },
};

function describe(name: string, entry: WorkspaceEntry): string {
  const lines = [
    `  File: ${name}`,
    `  Size: ${sizeOf(entry).padEnd(10)}\tType: ${typeOf(entry)}`,
    `Modify: ${timeOf(entry)}`,
  ];
  if (entry.etag !== undefined) lines.push(`  ETag: ${entry.etag}`);
  return lines.join('\n') + '\n';
}

/** Replaces the directives of `format`; an unknown one prints '?' as GNU stat does. */
function expand(format: string, name: string, entry: WorkspaceEntry): string {
  return format.replace(/%(.?)/g, (_, directive: string) => {
    switch (directive) {
      case 'n':
        return name;
      case 's':
        return sizeOf(entry);
      case 'F':
        return typeOf(entry);
      case 'y':
        return timeOf(entry);
      case 'Y':
        return entry.mtimeMs === undefined ? '-' : String(Math.floor(entry.mtimeMs / 1000));
      case '%':
        return '%';
      default:
        return '?';
    }
  });
}

function sizeOf(entry: WorkspaceEntry): string {
  return entry.size === undefined ? '?' : String(entry.size);
}

function typeOf(entry: WorkspaceEntry): string {
  return entry.type === 'directory' ? 'directory' : entry.size === 0 ? 'regular empty file' : 'regular file';
}

/** '2024-05-01 12:00:00.123000000 +0000': GNU stat's %y, in UTC, to the nanosecond the milliseconds allow. */
function timeOf(entry: WorkspaceEntry): string {
  if (entry.mtimeMs === undefined) return '-';
  const ms = entry.mtimeMs;
  const seconds = Math.floor(ms / 1000);
  const nanoseconds = Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6));
  return `${utcDateTime(seconds * 1000)}.${String(nanoseconds).padStart(9, '0')} +0000`;
}
