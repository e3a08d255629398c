// memoryResource: files held in memory, for tests, examples, and browser apps that build their data in place.
import { invalidArg } from '../errors.js';
import type { ByteRange, Listing, ReadResult, Resource, ResourceEntry } from './resource.js';

export type MemoryFiles = Record<string, Uint8Array | string>;

export interface MemoryResourceOptions {
  /**
   * Whether a workspace may write here. Default true: the files live in this process only, so writing risks
   * nothing outside it.
   */
  writable?: boolean;
}

interface MemoryFile {
  bytes: Uint8Array;
  entry: ResourceEntry;
}

function cleanPath(path: string): string {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0 || parts.includes('..')) throw invalidArg(`memoryResource: '${path}' is not a file path`);
  return parts.join('/');
}

const nameOf = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const isBelow = (path: string, folder: string): boolean => folder === '' || path.startsWith(`${folder}/`);

/**
 * A source of the given files: `{ 'logs/a.txt': 'text', 'b.bin': bytes }`. Listings are deep. Folders exist
 * while a file is below them, or once made with mkdir.
 */
export function memoryResource(files: MemoryFiles, options: MemoryResourceOptions = {}): Resource {
  if (files === null || typeof files !== 'object') throw invalidArg('memoryResource takes an object of path → bytes or text');
  const writable = options.writable ?? true;
  if (typeof writable !== 'boolean') throw invalidArg('memoryResource: writable must be true or false');
  const byPath = new Map<string, MemoryFile>();
  const folders = new Set<string>(); // made with mkdir
  let versions = 0; // each write gets a new ETag, even at the same size
  const put = (path: string, bytes: Uint8Array, mtimeMs = Date.now()): ResourceEntry => {
    const entry: ResourceEntry = { name: path, type: 'file', size: bytes.length, mtimeMs, etag: `${bytes.length}-${versions++}` };
    byPath.set(path, { bytes, entry });
    return { ...entry, name: nameOf(path) };
  };
  const created = Date.now();
  for (const [name, value] of Object.entries(files)) {
    if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw invalidArg(`memoryResource: '${name}' must be bytes or text`);
    put(cleanPath(name), typeof value === 'string' ? new TextEncoder().encode(value) : value.slice(), created);
  }
  const isDirectory = (path: string): boolean =>
    path === '' || folders.has(path) || [...byPath.keys(), ...folders].some((known) => isBelow(known, path));
  return {
    kind: 'memory',
    writable,
    async list(path: string): Promise<Listing | undefined> {
      if (!isDirectory(path)) return undefined;
      const prefix = path === '' ? '' : `${path}/`;
      const entries: ResourceEntry[] = [...byPath]
        .filter(([file]) => file.startsWith(prefix))
        .map(([file, { entry }]) => ({ ...entry, name: file.slice(prefix.length) }));
      for (const folder of folders) {
        if (folder.startsWith(prefix)) entries.push({ name: folder.slice(prefix.length), type: 'directory', size: 0 });
      }
      return { entries, deep: true };
    },
    async stat(path: string): Promise<ResourceEntry | undefined> {
      const file = byPath.get(path);
      if (file !== undefined) return { ...file.entry, name: nameOf(path) };
      return isDirectory(path) ? { name: nameOf(path), type: 'directory', size: 0 } : undefined;
    },
    async read(path: string, range?: ByteRange): Promise<ReadResult | undefined> {
      const file = byPath.get(path);
      if (file === undefined) return undefined;
      return { bytes: file.bytes.slice(range?.start ?? 0, range?.end), entry: { ...file.entry } };
    },
    async write(path: string, bytes: Uint8Array): Promise<ResourceEntry> {
      return put(path, bytes.slice());
    },
    async mkdir(path: string): Promise<void> {
      for (let folder = path; folder !== ''; folder = folder.slice(0, Math.max(0, folder.lastIndexOf('/')))) folders.add(folder);
    },
    async delete(path: string, { recursive }: { recursive: boolean }): Promise<void> {
      byPath.delete(path);
      if (!recursive) return;
      for (const file of [...byPath.keys()]) if (isBelow(file, path)) byPath.delete(file);
      for (const folder of [...folders]) if (folder === path || isBelow(folder, path)) folders.delete(folder);
    },
    async copy(from: string, to: string): Promise<boolean> {
      const file = byPath.get(from);
      if (file !== undefined) put(to, file.bytes);
      return file !== undefined;
    },
    async touch(path: string): Promise<void> {
      const file = byPath.get(path);
      if (file !== undefined) put(path, file.bytes);
    },
  };
}
