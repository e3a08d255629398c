// Entry paths: how they are tidied, and which entries are safe to restore under a root directory. A tar from
// elsewhere may name '../../.bashrc' or '/etc/passwd', or hold a symlink that a later entry writes through.
import { invalidArg } from '../errors.js';
import type { TarEntryType } from './tar-header.js';

/**
 * Drops '.' and empty segments and any trailing '/': './a//b/' is 'a/b', './' is ''. Keeps everything that makes
 * a path unsafe (a leading '/', '..', backslashes), so that `checkTarEntry` still sees it.
 */
export function normalizeTarPath(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  return (path.startsWith('/') ? '/' : '') + segments.join('/');
}

/** Why a path would not stay under the root it is restored into, or undefined when it would. */
export function unsafePathReason(path: string): string | undefined {
  if (path === '') return 'has an empty path';
  if (path.includes('\0')) return 'has a NUL character in its path';
  if (path.startsWith('/')) return 'has an absolute path';
  if (/^[A-Za-z]:/.test(path)) return 'has a path with a drive letter';
  if (path.includes('\\')) return 'has a backslash in its path, which Windows reads as a separator';
  if (path.split('/').includes('..')) return "has a '..' segment that escapes the root";
  return undefined;
}

/**
 * Refuses, with StrataError `ERR_INVALID_ARG` naming the entry, an entry that is not a plain file or directory
 * (links and devices can point outside the root) or whose path is unsafe (see `unsafePathReason`).
 */
export function checkTarEntry(entry: { path: string; type: TarEntryType }): void {
  const name = `tar entry ${JSON.stringify(entry.path)}`;
  if (entry.type !== 'file' && entry.type !== 'directory') {
    throw invalidArg(`${name} is a ${entry.type} entry; only files and directories are restored`);
  }
  const reason = unsafePathReason(entry.path);
  if (reason !== undefined) throw invalidArg(`${name} ${reason}`);
}
