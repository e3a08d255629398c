// ls [-1laRh] [PATH]...: one name a line (output is never a terminal, so never columns). File operands come
// first, then each directory, headed 'path:' when there are several operands or -R.
//
// -l has no permissions, owners or links to show in a workspace, so its format is this shell's own:
// '<d|-> <size> <YYYY-MM-DD HH:MM UTC> <name>', sizes right-aligned per listing, '?' where the source
// gives no size and '-' where it gives no time; there is no 'total' line.
import type { WorkspaceEntry } from '../entry.js';
import { complain, type Command, type CommandContext } from './io.js';
import { has, parseOptions, type ParsedOptions } from './options.js';
import { byName, failureReason, isSlashedFile, joinShown, quoted, resolvePath } from './paths.js';
import { humanSize, utcDateTime } from './sizes.js';

/** An entry under the name it is printed with. */
interface Named {
  name: string;
  entry: WorkspaceEntry;
}

interface Listing {
  context: CommandContext;
  parsed: ParsedOptions;
  headers: boolean;
  wroteBlock: boolean;
  exitCode: number;
}

export const ls: Command = {
  usageExitCode: 2,
  async run(context) {
    const parsed = parseOptions(context.args, {
      flags: '1laRh',
      long: { all: 'a', recursive: 'R', 'human-readable': 'h' },
    });
    const operands = parsed.operands.length > 0 ? [...parsed.operands].sort(byName) : ['.'];
    const headers = operands.length > 1 || has(parsed, 'R');
    const listing: Listing = { context, parsed, headers, wroteBlock: false, exitCode: 0 };
    const files: Named[] = [];
    const directories: Named[] = [];
    for (const operand of operands) {
      const path = resolvePath(operand);
      try {
        // Listing first: a folder, the usual operand, then costs the source one call (the listing it needs
        // anyway, after which stat is known) rather than a stat and a listing. A file costs one call more.
        await context.fs.ls(path).catch(() => undefined);
        const entry = await context.fs.stat(path);
        if (isSlashedFile(operand, entry)) throw new Error('Not a directory');
        (entry.type === 'directory' ? directories : files).push({ name: operand, entry });
      } catch (error) {
        complain(context, `cannot access ${quoted(operand)}: ${await failureReason(context.fs, path, error)}`);
        listing.exitCode = 2;
      }
    }
    if (files.length > 0) writeBlock(listing, files);
    for (const directory of directories) await listDirectory(listing, directory.name, directory.entry);
    return listing.exitCode;
  },
};

async function listDirectory(listing: Listing, shown: string, directory: WorkspaceEntry): Promise<void> {
  const { context, parsed } = listing;
  context.signal?.throwIfAborted();
  let entries: WorkspaceEntry[];
  try {
    entries = await context.fs.ls(directory.path);
  } catch (error) {
    complain(context, `cannot open directory ${quoted(shown)}: ${await failureReason(context.fs, directory.path, error)}`);
    listing.exitCode = 2;
    return;
  }
  const all = has(parsed, 'a');
  const children = entries
    .filter((entry) => all || !entry.name.startsWith('.'))
    .map((entry) => ({ name: entry.name, entry }))
    .sort((a, b) => byName(a.name, b.name));
  const dots = all ? await dotEntries(listing, directory) : [];
  if (listing.headers) context.stdout.write(`${listing.wroteBlock ? '\n' : ''}${shown}:\n`);
  writeBlock(listing, [...dots, ...children]);
  if (!has(parsed, 'R')) return;
  for (const child of children) {
    if (child.entry.type === 'directory') await listDirectory(listing, joinShown(shown, child.name), child.entry);
  }
}

/** '.' and '..' for -a; -l shows their own facts, so it asks for the parent's. */
async function dotEntries(listing: Listing, directory: WorkspaceEntry): Promise<Named[]> {
  const parentPath = resolvePath(directory.path + '/..');
  const parent = has(listing.parsed, 'l')
    ? await listing.context.fs.stat(parentPath).catch(() => undefined)
    : undefined;
  return [
    { name: '.', entry: directory },
    { name: '..', entry: parent ?? { path: parentPath, name: '', type: 'directory', size: 0 } },
  ];
}

function writeBlock(listing: Listing, named: Named[]): void {
  listing.wroteBlock = true;
  if (!has(listing.parsed, 'l')) {
    listing.context.stdout.write(named.map(({ name }) => name + '\n').join(''));
    return;
  }
  const human = has(listing.parsed, 'h');
  const sizes = named.map(({ entry }) =>
    entry.size === undefined ? '?' : human ? humanSize(entry.size) : String(entry.size),
  );
  const width = Math.max(...sizes.map((size) => size.length));
  const lines = named.map(({ name, entry }, i) => {
    const type = entry.type === 'directory' ? 'd' : '-';
    const time = entry.mtimeMs === undefined ? '-'.padEnd(16) : utcDateTime(entry.mtimeMs).slice(0, 16);
    return `${type} ${sizes[i]!.padStart(width)} ${time} ${name}\n`;
  });
  listing.context.stdout.write(lines.join(''));
}
