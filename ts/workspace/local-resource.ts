// localResource: a folder on this machine (Node only). Symbolic links are followed; the ETag is size and mtime.
// Writes (with `writable: true`) stay inside the folder: a path whose folders or file lead outside it through
// a symbolic link is refused.
import type { Dirent, Stats } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, realpath, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';

import { invalidArg, StrataError } from '../errors.js';
import type { ByteRange, Listing, ReadResult, Resource, ResourceEntry } from './resource.js';

const MISSING = new Set(['ENOENT', 'ENOTDIR']);
const isMissing = (error: unknown): boolean => MISSING.has((error as { code?: string })?.code ?? '');

function entryOf(name: string, stats: Stats): ResourceEntry | undefined {
  if (stats.isDirectory()) return { name, type: 'directory', size: 0, mtimeMs: Math.trunc(stats.mtimeMs) };
  if (!stats.isFile()) return undefined; // sockets, devices, FIFOs are not files to read
  const mtimeMs = Math.trunc(stats.mtimeMs);
  return { name, type: 'file', size: stats.size, mtimeMs, etag: `${stats.size.toString(16)}-${mtimeMs.toString(16)}` };
}

async function statOrMissing(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

export interface LocalResourceOptions {
  /** Whether a workspace may change the folder's files. Default false: an agent's `rm -r` is opted into. */
  writable?: boolean;
}

/**
 * Where `target` really is once symbolic links are resolved: itself, or its nearest existing ancestor with the
 * rest appended. A link whose target does not exist is refused: writing through it would create that target.
 */
async function realLocation(target: string): Promise<string> {
  try {
    return await realpath(target);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  const link = await lstat(target).catch(() => undefined);
  if (link?.isSymbolicLink()) return '';
  const parent = dirname(target);
  return parent === target ? target : join(await realLocation(parent), target.slice(parent.length));
}

/** The files below folder `root` (relative to the working directory, or absolute). */
export function localResource(root: string, options: LocalResourceOptions = {}): Resource {
  if (typeof root !== 'string' || root.length === 0) throw invalidArg('localResource takes the path of a folder');
  const writable = options.writable ?? false;
  if (typeof writable !== 'boolean') throw invalidArg('localResource: writable must be true or false');
  const base = resolve(root);
  const full = (path: string): string => (path === '' ? base : join(base, path));
  const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
  /** The full path of `path` for a change, once sure that it stays inside the folder. */
  const inside = async (path: string, followLeaf = true): Promise<string> => {
    const realBase = await realpath(base);
    const target = full(path);
    const real = await realLocation(followLeaf ? target : dirname(target));
    if (real !== realBase && !real.startsWith(realBase + sep)) {
      throw invalidArg(`localResource: '${path}' leads outside ${base} through a symbolic link`);
    }
    return target;
  };
  return {
    kind: 'local',
    id: `file://${hostname()}${base}`, // the same path on another machine is another folder
    writable,
    async write(path: string, bytes: Uint8Array): Promise<ResourceEntry> {
      const target = await inside(path);
      await writeFile(target, bytes);
      return entryOf(nameOf(path), await stat(target))!;
    },
    async mkdir(path: string): Promise<void> {
      await mkdir(await inside(path), { recursive: true });
    },
    async delete(path: string, { recursive }: { recursive: boolean }): Promise<void> {
      // The link itself goes, never what it points to: its folder must be inside, not its target.
      const target = await inside(path, false);
      await (recursive ? rm(target, { recursive: true, force: true }) : unlink(target));
    },
    async copy(from: string, to: string): Promise<boolean> {
      try {
        await copyFile(full(from), await inside(to)); // reading follows links, as every read does
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
    async touch(path: string): Promise<void> {
      const now = new Date();
      await utimes(await inside(path), now, now);
    },
    async list(path: string): Promise<Listing | undefined> {
      let dirents: Dirent[];
      try {
        dirents = await readdir(full(path), { withFileTypes: true });
      } catch (error) {
        if (!isMissing(error)) throw error;
        if (path === '') throw new StrataError('ERR_NOT_FOUND', `localResource: folder ${base} does not exist`);
        return undefined;
      }
      const entries = await Promise.all(dirents.map(async (dirent) => {
        const stats = await statOrMissing(join(full(path), dirent.name)); // a dangling link is left out
        return stats === undefined ? undefined : entryOf(dirent.name, stats);
      }));
      return { entries: entries.filter((entry): entry is ResourceEntry => entry !== undefined), deep: false };
    },
    async stat(path: string): Promise<ResourceEntry | undefined> {
      const stats = await statOrMissing(full(path));
      return stats === undefined ? undefined : entryOf(nameOf(path), stats);
    },
    async read(path: string, range?: ByteRange): Promise<ReadResult | undefined> {
      let handle;
      try {
        handle = await open(full(path), 'r');
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
      try {
        const entry = entryOf(nameOf(path), await handle.stat());
        if (entry?.type !== 'file') return undefined;
        const start = Math.min(range?.start ?? 0, entry.size!);
        const end = Math.min(range?.end ?? entry.size!, entry.size!);
        const bytes = new Uint8Array(Math.max(0, end - start));
        let filled = 0;
        while (filled < bytes.length) {
          const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, start + filled);
          if (bytesRead === 0) break; // the file shrank while we read it
          filled += bytesRead;
        }
        return { bytes: bytes.subarray(0, filled), entry };
      } finally {
        await handle.close();
      }
    },
  };
}
