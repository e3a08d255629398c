// What the commands that change files (mkdir, rm, cp, mv, touch) share: the file system's writes, and the
// reason a change failed worded as the C library would ('File exists', 'Read-only file system').
import type { WorkspaceEntry, WorkspaceFs } from '../entry.js';
import { parentOf } from '../paths.js';
import { isAbort } from './paths.js';

type Writes = Required<Pick<WorkspaceFs, 'writeFile' | 'appendFile' | 'mkdir' | 'rm' | 'cp' | 'mv' | 'touch'>>;

/** A file system without writes (a read-only view) is a read-only file system to every command. */
export function writesOf(fs: WorkspaceFs): Writes {
  const { writeFile, appendFile, mkdir, rm, cp, mv, touch } = fs;
  if (!writeFile || !appendFile || !mkdir || !rm || !cp || !mv || !touch) throw new Error('Read-only file system');
  return fs as WorkspaceFs & Writes;
}

const REASONS: Record<string, string> = {
  ERR_READ_ONLY: 'Read-only file system',
  ERR_EXISTS: 'File exists',
  ERR_NOT_FOUND: 'No such file or directory',
};

/** The entry at `path`, or undefined when there is none (or it cannot be known). */
export function entryAt(fs: WorkspaceFs, path: string): Promise<WorkspaceEntry | undefined> {
  return fs.stat(path).catch((error: unknown) => {
    if (isAbort(error)) throw error;
    return undefined;
  });
}

/**
 * Why a change at `path` failed. The workspace refuses a folder where a file is wanted and a file where a
 * folder is wanted alike (ERR_INVALID_ARG), so the path and its parents tell them apart.
 */
export async function changeFailure(fs: WorkspaceFs, path: string, error: unknown): Promise<string> {
  if (isAbort(error)) throw error;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const reason = typeof code === 'string' ? REASONS[code] : undefined;
  if (reason !== undefined) return reason;
  if (code === 'ERR_INVALID_ARG') {
    if ((await entryAt(fs, path))?.type === 'directory') return 'Is a directory';
    for (let parent = parentOf(path); parent !== '/'; parent = parentOf(parent)) {
      if ((await entryAt(fs, parent))?.type === 'file') return 'Not a directory';
    }
  }
  return typeof message === 'string' ? message : String(error);
}
