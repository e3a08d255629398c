// localResource: a folder on this machine (Node only). Symbolic links are followed; the ETag is size and mtime.
import type { Dirent, Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

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

/** The files below folder `root` (relative to the working directory, or absolute). */
export function localResource(root: string): Resource {
  if (typeof root !== 'string' || root.length === 0) throw invalidArg('localResource takes the path of a folder');
  const base = resolve(root);
  const full = (path: string): string => (path === '' ? base : join(base, path));
  const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
  return {
    kind: 'local',
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
