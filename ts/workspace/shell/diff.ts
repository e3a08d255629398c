// diff [-q] [-u | -U N] FILE1 FILE2: the lines that differ between two files ('-' for the previous command's
// output), in GNU diff's normal or unified format, hunk for hunk as GNU diff prints them (the lines are
// chosen as it chooses them, see diff-script.ts), '\ No newline at end of file' included. Files holding a
// NUL byte are compared as binary. Exit 0 when the files are the same, 1 when they differ, 2 on trouble.
// Directories are not compared. Unified headers give times in UTC, the time of '-' being now.
import { type ChangedFlags, changedLines } from './diff-script.js';
import { complain, Output, Pacer, type Command, type CommandContext } from './io.js';
import { tryRead } from './input.js';
import { has, lastOf, parseOptions, UsageError } from './options.js';
import { resolvePath } from './paths.js';
import { utcDateTime } from './sizes.js';

interface DiffFile {
  name: string;
  bytes: Uint8Array;
  /**
   * Where each line starts, and one more: line i is bytes [starts[i], starts[i + 1] - 1), its newline not
   * included. Offsets, not a view per line: a long file would make the garbage collector pause.
   */
  starts: Int32Array;
  lineCount: number;
  /** Whether the last line ends with a newline (or there are no lines). */
  complete: boolean;
  /** Modification time, for unified headers. */
  mtimeMs: number;
}

/** One run of changes: `deleted` lines of file 0 from `line0`, `inserted` lines of file 1 from `line1` (0-based). */
interface Change {
  line0: number;
  deleted: number;
  line1: number;
  inserted: number;
}

const TROUBLE = 2;

export const diff: Command = {
  usageExitCode: TROUBLE,
  async run(context) {
    const parsed = parseOptions(context.args, {
      flags: 'qu',
      valued: 'U',
      long: { brief: 'q', unified: 'U' },
    });
    const unified = lastOf(parsed, 'uU');
    let contextLines = 0;
    if (unified?.name === 'u') contextLines = 3;
    if (unified?.name === 'U') {
      if (!/^\d+$/.test(unified.value)) throw new UsageError(`invalid context length '${unified.value}'`);
      contextLines = Number(unified.value);
    }
    const operands = parsed.operands;
    if (operands.length < 2) throw new UsageError(operands.length === 0 ? 'missing operand' : `missing operand after '${operands[0]}'`);
    if (operands.length > 2) throw new UsageError(`extra operand '${operands[2]}'`);
    const pacer = new Pacer(context.signal);
    const files: DiffFile[] = [];
    for (const operand of operands) {
      const file = await readFile(context, operand, pacer);
      if (file === undefined) return TROUBLE;
      files.push(file);
    }
    const [a, b] = files as [DiffFile, DiffFile];
    if (sameBytes(a.bytes, b.bytes)) return 0;
    if (has(parsed, 'q') || a.bytes.includes(0) || b.bytes.includes(0)) {
      context.stdout.write(`${has(parsed, 'q') ? 'Files' : 'Binary files'} ${a.name} and ${b.name} differ\n`);
      return 1;
    }
    const changes = await findChanges(a, b, unified === undefined ? 0 : contextLines, pacer);
    if (unified === undefined) await writeNormal(context.stdout, a, b, changes, pacer);
    else await writeUnified(context.stdout, a, b, changes, contextLines, pacer);
    return 1;
  },
};

async function readFile(context: CommandContext, operand: string, pacer: Pacer): Promise<DiffFile | undefined> {
  const result = await tryRead(context, operand);
  if (result.reason !== undefined) {
    complain(context, `${operand}: ${result.reason}`);
    return undefined;
  }
  const mtimeMs = operand === '-' ? Date.now() : (await context.fs.stat(resolvePath(operand)).catch(() => undefined))?.mtimeMs ?? 0;
  const { bytes } = result;
  const complete = bytes.length === 0 || bytes[bytes.length - 1] === 0x0a;
  const starts: number[] = [0];
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) {
    starts.push(at + 1);
    if (pacer.due()) await pacer.pause();
  }
  // Past an incomplete last line as if a newline followed it.
  if (!complete) starts.push(bytes.length + 1);
  return { name: operand, bytes, starts: Int32Array.from(starts), lineCount: starts.length - 1, complete, mtimeMs };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && sameRange(a, 0, b, 0, a.length);
}

/** Whether `length` bytes of `a` from `atA` equal those of `b` from `atB`. */
function sameRange(a: Uint8Array, atA: number, b: Uint8Array, atB: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (a[atA + i] !== b[atB + i]) return false;
  return true;
}

/**
 * The changes, found between the files' common first and last lines, keeping `horizon` of those on each side
 * in view as GNU diff does (its choices depend on what it sees). A last line without a newline equals only
 * a last line without one.
 */
async function findChanges(a: DiffFile, b: DiffFile, horizon: number, pacer: Pacer): Promise<Change[]> {
  const [xs, ys] = await numberLines([a, b], pacer);
  let prefix = 0;
  while (prefix < xs.length && prefix < ys.length && xs[prefix] === ys[prefix]) prefix++;
  const start = Math.max(0, prefix - horizon);
  let suffix = 0;
  const most = Math.min(xs.length, ys.length) - start;
  while (suffix < most && xs[xs.length - 1 - suffix] === ys[ys.length - 1 - suffix]) suffix++;
  const kept = Math.min(horizon, suffix);
  const [changed0, changed1] = await changedLines(
    xs.subarray(start, xs.length - suffix + kept),
    ys.subarray(start, ys.length - suffix + kept),
    pacer,
  );
  return listChanges(changed0, changed1, start);
}

/**
 * The lines of both files as class numbers (from 1): equal lines, equal numbers. A hash table of the lines'
 * bytes, sized once for all of them, so that no string is made per line and no table grows while in use.
 */
async function numberLines(files: DiffFile[], pacer: Pacer): Promise<Int32Array[]> {
  const total = files.reduce((sum, file) => sum + file.lineCount, 0);
  const buckets = new Int32Array(2 ** Math.ceil(Math.log2(2 * total + 2)));
  const mask = buckets.length - 1;
  // For class c (from 1): the file and line of one of its lines, and the next class in its bucket.
  const firstFile: number[] = [0];
  const firstLine: number[] = [0];
  const next: number[] = [0];
  const result: Int32Array[] = [];
  for (const [f, file] of files.entries()) {
    const numbers = new Int32Array(file.lineCount);
    for (let i = 0; i < file.lineCount; i++) {
      const start = file.starts[i]!;
      const length = lengthWithNewline(file, i);
      const bucket = hashBytes(file.bytes, start, length) & mask;
      let c = buckets[bucket]!;
      for (; c !== 0; c = next[c]!) {
        const other = files[firstFile[c]!]!;
        const otherStart = other.starts[firstLine[c]!]!;
        const otherLength = lengthWithNewline(other, firstLine[c]!);
        if (otherLength === length && sameRange(other.bytes, otherStart, file.bytes, start, length)) break;
      }
      if (c === 0) {
        c = next.length;
        firstFile.push(f);
        firstLine.push(i);
        next.push(buckets[bucket]!);
        buckets[bucket] = c;
      }
      numbers[i] = c;
      if (pacer.due(length)) await pacer.pause();
    }
    result.push(numbers);
  }
  return result;
}

/**
 * The length of line i with its newline, or without for an incomplete last line: compared so, the two never
 * equal. (No Math.min: a global looked up per line is slow where globals are trapped, as in Node's vm.)
 */
function lengthWithNewline(file: DiffFile, i: number): number {
  const next = file.starts[i + 1]!;
  return (next > file.bytes.length ? file.bytes.length : next) - file.starts[i]!;
}

/**
 * FNV-1a of `length` bytes from `start`, its multiplication by the FNV prime (2^24 + 2^8 + 0x93) written as
 * shifts and adds: Math.imul would be a global looked up per byte.
 */
function hashBytes(bytes: Uint8Array, start: number, length: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let i = start; i < start + length; i++) {
    hash ^= bytes[i]!;
    hash = (hash + (hash << 1) + (hash << 4) + (hash << 7) + (hash << 8) + (hash << 24)) | 0;
  }
  return hash;
}

/** Runs of changed lines, in order; flags are 1-based and count from line `offset`. */
function listChanges(changed0: ChangedFlags, changed1: ChangedFlags, offset: number): Change[] {
  const changes: Change[] = [];
  const end0 = changed0.length - 2;
  const end1 = changed1.length - 2;
  for (let i0 = 0, i1 = 0; i0 < end0 || i1 < end1; i0++, i1++) {
    if (!changed0[i0 + 1] && !changed1[i1 + 1]) continue;
    const line0 = i0;
    const line1 = i1;
    while (changed0[i0 + 1]) i0++;
    while (changed1[i1 + 1]) i1++;
    changes.push({ line0: line0 + offset, deleted: i0 - line0, line1: line1 + offset, inserted: i1 - line1 });
  }
  return changes;
}

const NO_NEWLINE = '\n\\ No newline at end of file\n';

/** Lines [from, to) of `file`, each after `prefix`. */
async function writeLines(stdout: Output, prefix: string, file: DiffFile, from: number, to: number, pacer: Pacer): Promise<void> {
  for (let i = from; i < to; i++) {
    stdout.write(prefix);
    stdout.write(file.bytes.subarray(file.starts[i]!, file.starts[i + 1]! - 1));
    stdout.write(i === file.lineCount - 1 && !file.complete ? NO_NEWLINE : '\n');
    if (pacer.due()) await pacer.pause();
  }
}

/** Lines first..last (1-based) as normal diff prints them: 'N' or 'N,M'; an empty range prints the line before. */
function normalRange(first: number, last: number): string {
  return last > first ? `${first},${last}` : String(last);
}

async function writeNormal(stdout: Output, a: DiffFile, b: DiffFile, changes: Change[], pacer: Pacer): Promise<void> {
  for (const change of changes) {
    const range0 = normalRange(change.line0 + 1, change.line0 + change.deleted);
    const range1 = normalRange(change.line1 + 1, change.line1 + change.inserted);
    const letter = change.inserted === 0 ? 'd' : change.deleted === 0 ? 'a' : 'c';
    stdout.write(`${range0}${letter}${range1}\n`);
    await writeLines(stdout, '< ', a, change.line0, change.line0 + change.deleted, pacer);
    if (letter === 'c') stdout.write('---\n');
    await writeLines(stdout, '> ', b, change.line1, change.line1 + change.inserted, pacer);
  }
}

/** GNU diff's time stamp: 'YYYY-MM-DD HH:MM:SS.NNNNNNNNN +0000'. */
function timeStamp(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const nanoseconds = Math.round((ms - seconds * 1000) * 1e6);
  return `${utcDateTime(seconds * 1000)}.${String(nanoseconds).padStart(9, '0')} +0000`;
}

/** Lines first..last (0-based, inclusive) as a unified header prints them: 'N', 'N,COUNT', or the line before and 0. */
function unifiedRange(first: number, last: number): string {
  if (last < first) return `${last + 1},0`;
  return last === first ? String(first + 1) : `${first + 1},${last - first + 1}`;
}

async function writeUnified(
  stdout: Output, a: DiffFile, b: DiffFile, changes: Change[], context: number, pacer: Pacer,
): Promise<void> {
  stdout.write(`--- ${a.name}\t${timeStamp(a.mtimeMs)}\n+++ ${b.name}\t${timeStamp(b.mtimeMs)}\n`);
  for (let first = 0; first < changes.length; ) {
    // Changes closer than twice the context share a hunk.
    let last = first;
    while (last + 1 < changes.length) {
      const current = changes[last]!;
      if (changes[last + 1]!.line0 - (current.line0 + current.deleted) > 2 * context) break;
      last++;
    }
    const head = changes[first]!;
    const tail = changes[last]!;
    const first0 = Math.max(0, head.line0 - context);
    const first1 = Math.max(0, head.line1 - context);
    const last0 = Math.min(a.lineCount - 1, tail.line0 + tail.deleted - 1 + context);
    const last1 = Math.min(b.lineCount - 1, tail.line1 + tail.inserted - 1 + context);
    stdout.write(`@@ -${unifiedRange(first0, last0)} +${unifiedRange(first1, last1)} @@\n`);
    let i = first0;
    for (const change of changes.slice(first, last + 1)) {
      await writeLines(stdout, ' ', a, i, change.line0, pacer);
      await writeLines(stdout, '-', a, change.line0, change.line0 + change.deleted, pacer);
      await writeLines(stdout, '+', b, change.line1, change.line1 + change.inserted, pacer);
      i = change.line0 + change.deleted;
    }
    await writeLines(stdout, ' ', a, i, last0 + 1, pacer);
    first = last + 1;
  }
}
