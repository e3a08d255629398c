// Redirections of one command, applied left to right as sh applies them: '< file' replaces its input,
// '> file' and '>> file' send a descriptor to a file of the workspace (written when the command ends; '>'
// truncates first, as sh does before running the command), 'N>&M' makes N write where M writes. '/dev/null'
// reads as empty and swallows writes. Files are written through WorkspaceFs.writeFile/appendFile; a file
// system without them, or whose write fails, refuses as a read-only file system does.
import type { WorkspaceFs } from '../entry.js';
import { Output } from './io.js';
import type { Redirection } from './parse.js';
import { changeFailure } from './change.js';
import { failureReason, resolvePath } from './paths.js';
import { expandPlain } from './words.js';

/** Where a descriptor's bytes go: collected, then written to `file` (if any) when the command ends. */
export interface Sink {
  output: Output;
  file?: { path: string; append: boolean };
}

export interface Descriptors {
  /** Replaced input, or undefined to keep the pipe's. */
  stdin: Uint8Array | undefined;
  stdout: Sink;
  stderr: Sink;
}

/** A redirection that failed: `sh: message`, and the command does not run (exit 1). */
export class RedirectionError extends Error {}

const DEV_NULL = '/dev/null';

export async function applyRedirections(
  fs: WorkspaceFs,
  redirections: Redirection[],
  status: number,
  descriptors: Descriptors,
): Promise<Descriptors> {
  const result = { ...descriptors };
  for (const redirection of redirections) {
    const target = expandPlain(redirection.target, status);
    if (redirection.op === '<') {
      if (redirection.fd !== 0) throw new RedirectionError(`${redirection.fd}: input redirection of a descriptor other than 0 is not supported`);
      result.stdin = await readInput(fs, target);
      continue;
    }
    const sink = redirection.op === '>&' ? duplicate(result, target) : await openOutput(fs, target, redirection.op === '>>');
    if (redirection.fd === 1) result.stdout = sink;
    else if (redirection.fd === 2) result.stderr = sink;
    else throw new RedirectionError(`${redirection.fd}: Bad file descriptor`);
  }
  return result;
}

function duplicate(descriptors: Descriptors, target: string): Sink {
  if (target === '1') return descriptors.stdout;
  if (target === '2') return descriptors.stderr;
  throw new RedirectionError(`${target}: Bad file descriptor`);
}

async function readInput(fs: WorkspaceFs, target: string): Promise<Uint8Array> {
  if (target === DEV_NULL) return new Uint8Array(0);
  const path = resolvePath(target);
  try {
    return await fs.readFile(path);
  } catch (error) {
    throw new RedirectionError(`${target}: ${await failureReason(fs, path, error)}`);
  }
}

async function openOutput(fs: WorkspaceFs, target: string, append: boolean): Promise<Sink> {
  if (target === DEV_NULL) return { output: new Output() };
  const path = resolvePath(target);
  // As sh, the file is created (and with '>' emptied) before the command runs.
  await writeTo(fs, target, path, new Uint8Array(0), append);
  return { output: new Output(), file: { path, append } };
}

/** Writes `data` to `path` (shown as `target` in errors), appending or replacing. */
export async function writeTo(fs: WorkspaceFs, target: string, path: string, data: Uint8Array, append: boolean): Promise<void> {
  const write = append ? fs.appendFile : fs.writeFile;
  try {
    if (write === undefined) throw Object.assign(new Error('read-only'), { code: 'ERR_READ_ONLY' });
    await write.call(fs, path, data);
  } catch (error) {
    throw new RedirectionError(`${target}: ${await changeFailure(fs, path, error)}`);
  }
}

/** Writes what a sink collected to its file, if it has one. */
export async function flushSink(fs: WorkspaceFs, sink: Sink): Promise<void> {
  if (sink.file === undefined) return;
  const data = sink.output.bytes();
  if (data.length > 0) await writeTo(fs, sink.file.path, sink.file.path, data, sink.file.append);
}
