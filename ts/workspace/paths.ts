// Virtual paths: normalised absolute '/'-paths, and which mount (if any) one falls in. Normalising happens
// before anything is touched, so a bad path costs nothing and reaches no source.
import { invalidArg } from '../errors.js';

/** Where a normalised path points: a mount and the path inside it, or a directory above the mounts. */
export type Location =
  | { kind: 'mount'; path: string; mount: string; relative: string }
  | { kind: 'virtual'; path: string; children: string[] };

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

function segmentsOf(path: string, what: string): { segments: string[]; lowest: number } {
  if (typeof path !== 'string' || path.length === 0) throw invalidArg(`${what} must be a non-empty string`);
  if (path.includes('\0')) throw invalidArg(`${what} must not contain NUL`);
  const segments: string[] = [];
  let lowest = Infinity; // the shallowest depth a '..' brought the path back to
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (segments.length === 0) throw invalidArg(`${what} '${path}' goes above the root`);
      segments.pop();
      lowest = Math.min(lowest, segments.length);
    } else {
      segments.push(part);
    }
  }
  return { segments, lowest };
}

/** Whether `path` is already a normalised absolute path: '/', or '/'-separated names none '', '.' or '..'. */
export function isNormalisedPath(path: string): boolean {
  if (path === '/') return true;
  if (!path.startsWith('/') || path.includes('\0')) return false;
  return path.slice(1).split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** A mount point as given in `mounts`: normalised, not the root, no '..'. */
export function normaliseMountPoint(point: string): string {
  const { segments, lowest } = segmentsOf(point, 'mount point');
  if (segments.length === 0 || lowest !== Infinity) {
    throw invalidArg(`mount point '${point}' must be a path below '/' without '..', such as '/data'`);
  }
  return `/${segments.join('/')}`;
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
   * Normalises `input` ('.', '..', repeated and trailing '/'; relative paths start at '/') and locates it.
   * ERR_INVALID_ARG for a path outside every mount and for one whose '..' climbs out of the mount it names.
   */
  locate(input: string): Location {
    const { segments, lowest } = segmentsOf(input, 'path');
    const path = `/${segments.join('/')}`;
    const mount = this.points.find((point) => isWithin(path, point));
    if (mount !== undefined) {
      const depth = mount.split('/').length - 1;
      if (lowest < depth) throw invalidArg(`path '${input}' escapes its mount with '..'`);
      return { kind: 'mount', path, mount, relative: path.slice(mount.length + 1) };
    }
    const prefix = path === '/' ? '/' : `${path}/`;
    const children = [...new Set(this.points.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length).split('/')[0]!))];
    if (children.length === 0) throw invalidArg(`path '${input}' is outside every mount (${this.points.join(', ')})`);
    return { kind: 'virtual', path, children: children.sort() };
  }
}
