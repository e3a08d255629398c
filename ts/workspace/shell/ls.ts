// ls [-1laRhtSrdF] [PATH]...: one name a line (output is never a terminal, so never columns). File operands
// come first, then each directory, headed 'path:' when there are several operands or -R. Names sort in byte
// order, or newest first (-t), or largest first (-S; a workspace's folders have size 0), ties by name; -r
// reverses the order. -d lists folders as themselves; -F marks them with '/' (a workspace has no modes or
// links to mark).
//
// -l has no permissions, owners or links to show in a workspace, so its format is this shell's own:
// '<d|-> <size> <YYYY-MM-DD HH:MM UTC> <name>', sizes right-aligned per listing, '?' where the source
// gives no size and '-' where it gives no time; there is no 'total' line.
import type { WorkspaceEntry } from '../entry.js';
import { complain, type Command, type CommandContext } from './io.js';
import { has, lastOf, parseOptions, type ParsedOptions } from './options.js';
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
      flags: '1laRhtSrdF',
      long: { all: 'a', recursive: 'R', 'human-readable': 'h', reverse: 'r', directory: 'd', classify: 'F' },
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
        const entry = await withTime(listing, await context.fs.stat(path));
        if (isSlashedFile(operand, entry)) throw new Error('Not a directory');
        (entry.type === 'directory' && !has(parsed, 'd') ? directories : files).push({ name: operand, entry });
      } catch (error) {
        complain(context, `cannot access ${quoted(operand)}: ${await failureReason(context.fs, path, error)}`);
        listing.exitCode = 2;
      }
    }
    const order = ordering(parsed);
    if (files.length > 0) writeBlock(listing, files.sort(order));
    for (const directory of directories.sort(order)) await listDirectory(listing, directory.name, directory.entry);
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
  const order = ordering(parsed);
  const children = entries
    .filter((entry) => all || !entry.name.startsWith('.'))
    .map((entry) => ({ name: entry.name, entry }))
    .sort(order);
  const dots = all ? await dotEntries(listing, directory) : [];
  if (listing.headers) context.stdout.write(`${listing.wroteBlock ? '\n' : ''}${shown}:\n`);
  writeBlock(listing, [...dots, ...children].sort(order));
  if (!has(parsed, 'R')) return;
  for (const child of children) {
    if (child.entry.type === 'directory') await listDirectory(listing, joinShown(shown, child.name), child.entry);
  }
}

/**
 * The entry, with its time when -t or -l needs it: a folder known from a listing of its own has none, and
 * its parent's listing gives it (one more call, only then).
 */
async function withTime(listing: Listing, entry: WorkspaceEntry): Promise<WorkspaceEntry> {
  const { parsed, context } = listing;
  if (entry.mtimeMs !== undefined || entry.type !== 'directory' || entry.path === '/') return entry;
  if (!has(parsed, 'l') && lastOf(parsed, 'tS')?.name !== 't') return entry;
  const siblings = await context.fs.ls(resolvePath(entry.path + '/..')).catch(() => []);
  return siblings.find((sibling) => sibling.path === entry.path) ?? entry;
}

/** The order of a listing: by name, or by time (-t) or size (-S) and then name; -r reverses it whole. */
function ordering(parsed: ParsedOptions): (a: Named, b: Named) => number {
  const key = lastOf(parsed, 'tS')?.name;
  const compare = (a: Named, b: Named): number => {
    const difference = key === 't'
      ? (b.entry.mtimeMs ?? 0) - (a.entry.mtimeMs ?? 0)
      : key === 'S' ? (b.entry.size ?? 0) - (a.entry.size ?? 0) : 0;
    return difference !== 0 ? difference : byName(a.name, b.name);
  };
  return has(parsed, 'r') ? (a, b) => compare(b, a) : compare;
}

/** '.' and '..' for -a; -l, -t and -S need their own facts, so it asks for the parent's. */
async function dotEntries(listing: Listing, directory: WorkspaceEntry): Promise<Named[]> {
  const parentPath = resolvePath(directory.path + '/..');
  const parent = has(listing.parsed, 'l') || lastOf(listing.parsed, 'tS') !== undefined
    ? await listing.context.fs.stat(parentPath).catch(() => undefined)
    : undefined;
  return [
    { name: '.', entry: directory },
    { name: '..', entry: parent ?? { path: parentPath, name: '', type: 'directory', size: 0 } },
  ];
}

function writeBlock(listing: Listing, named: Named[]): void {
  listing.wroteBlock = true;
  const classify = has(listing.parsed, 'F');
  const shownName = ({ name, entry }: Named) => (classify && entry.type === 'directory' ? `${name}/` : name);
  if (!has(listing.parsed, 'l')) {
    listing.context.stdout.write(named.map((item) => shownName(item) + '\n').join(''));
    return;
  }
  const human = has(listing.parsed, 'h');
  const sizes = named.map(({ entry }) =>
    entry.size === undefined ? '?' : human ? humanSize(entry.size) : String(entry.size),
  );
  const width = Math.max(...sizes.map((size) => size.length));
  const lines = named.map((item, i) => {
    const { entry } = item;
    const type = entry.type === 'directory' ? 'd' : '-';
    const time = entry.mtimeMs === undefined ? '-'.padEnd(16) : utcDateTime(entry.mtimeMs).slice(0, 16);
    return `${type} ${sizes[i]!.padStart(width)} ${time} ${shownName(item)}\n`;
  });
  listing.context.stdout.write(lines.join(''));
}
