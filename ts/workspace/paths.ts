// Virtual paths: normalised absolute '/'-paths, and which mount (if any) one falls in. Normalising happens
// before anything is touched, so a bad path costs nothing and reaches no source.
import { invalidArg } from '../errors.js';

/** Where a normalised path points: a mount and the path inside it, or a directory above the mounts. */
export type Location = { directoryOnly: boolean } & (
  | { kind: 'mount'; path: string; mount: string; relative: string }
  | { kind: 'virtual'; path: string; children: string[] }
);

export function joinPath(directory: string, name: string): string {
  return directory === '/' ? `/${name}` : `${directory}/${name}`;
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** True when `path` is `ancestor` or below it. */
export function isWithin(path: string, ancestor: string): boolean {
  return ancestor === '/' || path === ancestor || path.startsWith(`${ancestor}/`);
}

/** A path as the one path rule reads it: normalised, and whether it must name a directory. */
export interface NormalisedPath {
  /** Absolute, '/'-separated, without '.', '..', empty segments or a trailing '/'; the root is '/'. */
  path: string;
  /** Whether the input ends in '/', '/.' or '/..': like POSIX, 'file/' names no file. */
  directoryOnly: boolean;
}

/**
 * The one path rule of the workspace, for its API and its shell alike. Relative paths start at '/'; '.' and
 * repeated '/' are dropped; '..' removes the segment before it and, as POSIX reads '/..', stays at '/'. Only
 * the normalised path is ever resolved, so no source sees a '..'. A backslash is an ordinary character. A path
 * that is not a non-empty string, or holds NUL, is ERR_INVALID_ARG. No recursion: any length is fine.
 */
export function normalisePath(input: string, what = 'path'): NormalisedPath {
  if (typeof input !== 'string' || input.length === 0) throw invalidArg(`${what} must be a non-empty string`);
  if (input.includes('\0')) throw invalidArg(`${what} must not contain NUL`);
  const segments: string[] = [];
  const parts = input.split('/');
  for (const part of parts) {
    if (part === '..') segments.pop();
    else if (part !== '' && part !== '.') segments.push(part);
  }
  const last = parts[parts.length - 1]!;
  return { path: `/${segments.join('/')}`, directoryOnly: parts.length > 1 && (last === '' || last === '.' || last === '..') };
}

/** Whether `path` is already what `normalisePath` makes of it. */
export function isNormalisedPath(path: string): boolean {
  try {
    return normalisePath(path).path === path;
  } catch {
    return false;
  }
}

/** A mount point as given in `mounts`: normalised, not the root, no '..'. */
export function normaliseMountPoint(point: string): string {
  const { path } = normalisePath(point, 'mount point');
  if (path === '/' || point.split('/').includes('..')) {
    throw invalidArg(`mount point '${point}' must be a path below '/' without '..', such as '/data'`);
  }
  return path;
}

/** Resolves paths against a fixed set of mount points (normalised, none inside another). */
export class MountTable {
  readonly points: readonly string[];

  constructor(points: string[]) {
    const sorted = [...points].sort();
    for (const point of sorted) {
      const outer = sorted.find((other) => other !== point && isWithin(point, other));
      if (outer !== undefined) throw invalidArg(`mount '${point}' lies inside mount '${outer}'`);
    }
    this.points = sorted;
  }

  /**
   * Normalises `input` (see `normalisePath`) and locates it. ERR_INVALID_ARG for a path outside every mount.
   */
  locate(input: string): Location {
    const { path, directoryOnly } = normalisePath(input);
    const mount = this.points.find((point) => isWithin(path, point));
    if (mount !== undefined) {
      return { kind: 'mount', path, mount, relative: path.slice(mount.length + 1), directoryOnly };
    }
    const prefix = path === '/' ? '/' : `${path}/`;
    const children = [...new Set(this.points.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('/')[0]!))];
    if (children.length === 0) throw invalidArg(`path '${input}' is outside every mount (${this.points.join(', ')})`);
    return { kind: 'virtual', path, children: children.sort(), directoryOnly };
  }
}
