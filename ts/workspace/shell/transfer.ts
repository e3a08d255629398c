// What cp and mv share: GNU's reading of SOURCE... DEST (into DEST when it is a folder, which it must be for
// several sources) and the checks each source passes before anything is changed, worded as GNU words them.
import type { WorkspaceEntry } from '../entry.js';
import { baseName, isWithin } from '../paths.js';
import { changeFailure, entryAt } from './change.js';
import { complain, type CommandContext } from './io.js';
import { UsageError } from './options.js';
import { joinShown, quoted, resolvePath } from './paths.js';

/** A source and its target as the user would write them (for messages), and resolved. */
export interface Planned {
  shownSource: string;
  shownTarget: string;
  source: string;
  target: string;
}

export interface Transfer extends Planned {
  entry: WorkspaceEntry;
  /** What is at the target already, if anything. */
  existing: WorkspaceEntry | undefined;
}

/** What cp or mv adds to the shared steps. */
export interface TransferCommand {
  verb: 'copy' | 'move';
  /** A further reason to refuse a checked transfer, as GNU words it. */
  refuse(transfer: Transfer): Promise<string | undefined>;
  perform(transfer: Transfer): Promise<void>;
  /** The message for a transfer that failed at the file system for `reason`. */
  failed(transfer: Transfer, reason: string): string;
}

/** Runs cp or mv over its operands: each source checked, then transferred; the exit code. */
export async function runTransfers(context: CommandContext, operands: string[], command: TransferCommand): Promise<number> {
  const planned = await transfersOf(context, operands);
  if (planned === undefined) return 1;
  let exitCode = 0;
  for (const plan of planned) {
    const failure = await transferOne(context, plan, command);
    if (failure === undefined) continue;
    complain(context, failure);
    exitCode = 1;
  }
  return exitCode;
}

/** Checks and performs one transfer: the failure's message, or undefined when it was done. */
async function transferOne(context: CommandContext, plan: Planned, command: TransferCommand): Promise<string | undefined> {
  const checked = await checkTransfer(context, plan, command.verb);
  if (typeof checked === 'string') return checked;
  const refusal = await command.refuse(checked);
  if (refusal !== undefined) return refusal;
  try {
    await command.perform(checked);
    return undefined;
  } catch (error) {
    return command.failed(checked, await changeFailure(context.fs, checked.target, error));
  }
}

/** Each source with where it goes, or undefined (after complaining) when DEST cannot take them. */
async function transfersOf(context: CommandContext, operands: string[]): Promise<Planned[] | undefined> {
  if (operands.length === 0) throw new UsageError('missing file operand');
  if (operands.length === 1) throw new UsageError(`missing destination file operand after ${quoted(operands[0]!)}`);
  const destination = operands[operands.length - 1]!;
  const into = await entryAt(context.fs, resolvePath(destination));
  const sources = operands.slice(0, -1);
  if (sources.length > 1 && into?.type !== 'directory') {
    complain(context, into === undefined ? `target ${quoted(destination)}: No such file or directory` : `target ${quoted(destination)}: Not a directory`);
    return undefined;
  }
  return sources.map((shownSource) => {
    const source = resolvePath(shownSource);
    const shownTarget = into?.type === 'directory' ? joinShown(destination, baseName(source)) : destination;
    return { shownSource, shownTarget, source, target: resolvePath(shownTarget) };
  });
}

/**
 * The checks GNU makes of one source and its target before changing anything: the failure's message, or the
 * transfer with what is at both ends.
 */
async function checkTransfer(
  context: CommandContext,
  planned: Planned,
  verb: 'copy' | 'move',
): Promise<Transfer | string> {
  const { shownSource, shownTarget, source, target } = planned;
  const entry = await entryAt(context.fs, source);
  if (entry === undefined) return `cannot stat ${quoted(shownSource)}: No such file or directory`;
  const existing = await entryAt(context.fs, target);
  if (source === target) return `${quoted(shownSource)} and ${quoted(shownTarget)} are the same file`;
  if (entry.type === 'directory') {
    if (existing?.type === 'file') return `cannot overwrite non-directory ${quoted(shownTarget)} with directory ${quoted(shownSource)}`;
    if (isWithin(target, source)) {
      return verb === 'copy'
        ? `cannot copy a directory, ${quoted(shownSource)}, into itself, ${quoted(shownTarget)}`
        : `cannot move ${quoted(shownSource)} to a subdirectory of itself, ${quoted(shownTarget)}`;
    }
  } else if (existing?.type === 'directory') {
    return `cannot overwrite directory ${quoted(shownTarget)} with non-directory`;
  }
  return { ...planned, entry, existing };
}
