// du [-s] [-a] [-b] [-h] [PATH]...: the size of each directory (and with -a each file) below PATH, children
// before their parent. A workspace knows apparent sizes only, never disk blocks: -b prints bytes, -h a
// human size, and the default is 1024-byte units rounded up (GNU du --apparent-size -k).
import type { WorkspaceEntry } from '../entry.js';
import { complain, type Command, type CommandContext } from './io.js';
import { has, parseOptions, UsageError, type ParsedOptions } from './options.js';
import { byName, failureReason, joinShown, quoted, resolvePath } from './paths.js';
import { humanSize } from './sizes.js';

export const du: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, {
      flags: 'sabh',
      long: { summarize: 's', all: 'a', bytes: 'b', 'human-readable': 'h', 'apparent-size': 'apparent-size' },
    });
    if (has(parsed, 's') && has(parsed, 'a')) throw new UsageError('cannot both summarize and show all entries');
    let exitCode = 0;
    for (const operand of parsed.operands.length > 0 ? parsed.operands : ['.']) {
      const root = resolvePath(operand);
      try {
        const tree = await walk(context, root);
        sizeOf(context, parsed, tree, tree.root, operand);
      } catch (error) {
        complain(context, `cannot access ${quoted(operand)}: ${await failureReason(context.fs, root, error)}`);
        exitCode = 1;
      }
    }
    return exitCode;
  },
};

interface Tree {
  root: WorkspaceEntry;
  /** The entries below the root, by the path of their directory. */
  children: Map<string, WorkspaceEntry[]>;
}

async function walk(context: CommandContext, rootPath: string): Promise<Tree> {
  let root: WorkspaceEntry | undefined;
  const children = new Map<string, WorkspaceEntry[]>();
  for await (const found of context.fs.find(rootPath)) {
    context.signal?.throwIfAborted();
    // Listings of some sources (HTTP indexes) omit sizes; a file's stat asks for its size.
    const entry = found.type === 'file' && found.size === undefined ? await context.fs.stat(found.path) : found;
    if (entry.path === rootPath) {
      root = entry;
      continue;
    }
    const parent = entry.path.slice(0, entry.path.lastIndexOf('/')) || '/';
    const siblings = children.get(parent);
    if (siblings) siblings.push(entry);
    else children.set(parent, [entry]);
  }
  // A file system may yield nothing for a missing path; its stat then says why.
  if (root === undefined) root = await context.fs.stat(rootPath);
  return { root, children };
}

/** A directory being summed: its entry, the name it is shown by, and its children not yet visited. */
interface Frame {
  entry: WorkspaceEntry;
  shown: string;
  bytes: number;
  children: WorkspaceEntry[];
  next: number;
}

/**
 * Prints the lines du prints for `root` and below, children first. An explicit stack, not recursion: a tree may
 * be deeper than the call stack.
 */
function sizeOf(context: CommandContext, parsed: ParsedOptions, tree: Tree, root: WorkspaceEntry, shown: string): void {
  const frameOf = (entry: WorkspaceEntry, name: string): Frame => ({
    entry,
    shown: name,
    bytes: entry.size ?? 0,
    children: entry.type === 'directory' ? [...(tree.children.get(entry.path) ?? [])].sort((a, b) => byName(a.name, b.name)) : [],
    next: 0,
  });
  const stack = [frameOf(root, shown)];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const child = frame.children[frame.next++];
    if (child !== undefined) {
      stack.push(frameOf(child, joinShown(frame.shown, child.name)));
      continue;
    }
    stack.pop();
    const { entry } = frame;
    const shownHere = stack.length === 0 || (!has(parsed, 's') && (entry.type === 'directory' || has(parsed, 'a')));
    if (shownHere) context.stdout.write(`${formatSize(parsed, frame.bytes)}\t${frame.shown}\n`);
    if (stack.length > 0) stack[stack.length - 1]!.bytes += frame.bytes;
  }
}

function formatSize(parsed: ParsedOptions, bytes: number): string {
  if (has(parsed, 'h')) return humanSize(bytes);
  if (has(parsed, 'b')) return String(bytes);
  return String(Math.ceil(bytes / 1024));
}
