// Virtual paths as commands take them: relative paths start at '/', since a workspace has no working
// directory. Commands print paths as the user wrote them and resolve them only to call the file system.
import type { WorkspaceEntry, WorkspaceFs } from '../entry.js';
import { normalisePath } from '../paths.js';

/**
 * The normalised absolute path for `path`, by the workspace's one path rule (`normalisePath`). A path the rule
 * refuses (empty, NUL) is passed on as it is, for the file system to refuse as its API would.
 */
export function resolvePath(path: string): string {
  try {
    return normalisePath(path).path;
  } catch {
    return path;
  }
}

/** `relative` below the directory the user named `shown`, without doubling a '/': 'd/' + 'x' → 'd/x'. */
export function joinShown(shown: string, relative: string): string {
  if (relative === '') return shown;
  if (shown === '') return relative;
  return shown.endsWith('/') ? shown + relative : `${shown}/${relative}`;
}

/** The path of `entry` relative to the directory `root` it was found under ('' for the root itself). */
export function relativeTo(root: string, entry: WorkspaceEntry): string {
  if (entry.path === root) return '';
  return root === '/' ? entry.path.slice(1) : entry.path.slice(root.length + 1);
}

/** Compares names by their code points, as GNU tools sort under LC_ALL=C. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function codeOf(error: unknown): string | undefined {
  const { code } = (error ?? {}) as { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}

export function isAbort(error: unknown): boolean {
  const { name } = (error ?? {}) as { name?: unknown };
  return codeOf(error) === 'ERR_ABORTED' || name === 'AbortError';
}

/**
 * The reason a file-system call on `path` failed, worded as the C library would ('No such file or
 * directory'). A workspace rejects reading a directory and a path outside every mount alike
 * (ERR_INVALID_ARG), so one stat tells them apart.
 */
export async function failureReason(fs: WorkspaceFs, path: string, error: unknown): Promise<string> {
  if (isAbort(error)) throw error;
  const code = codeOf(error);
  if (code === 'ERR_NOT_FOUND') return 'No such file or directory';
  if (code === 'ERR_INVALID_ARG') {
    const entry = await fs.stat(path).catch(() => undefined);
    if (entry?.type === 'directory') return 'Is a directory';
    if (entry === undefined) return 'No such file or directory';
  }
  const { message } = (error ?? {}) as { message?: unknown };
  return typeof message === 'string' ? message : String(error);
}

/** Whether `operand` can name only a directory ('name/', 'name/.'), by the workspace's one path rule. */
export function isDirectoryOnly(operand: string): boolean {
  try {
    return normalisePath(operand).directoryOnly;
  } catch {
    return false;
  }
}

/** Whether `operand` ends in '/' but names a file: 'file/' is a directory that is not there, as in POSIX. */
export function isSlashedFile(operand: string, entry: WorkspaceEntry): boolean {
  return isDirectoryOnly(operand) && entry.type !== 'directory';
}

/** Quotes a path in a message as GNU tools do under LC_ALL=C: 'name', or "name" when it holds a "'". */
export function quoted(path: string): string {
  return path.includes("'") ? `"${path}"` : `'${path}'`;
}
