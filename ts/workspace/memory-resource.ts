// memoryResource: files held in memory, for tests, examples, and browser apps that build their data in place.
import { invalidArg } from '../errors.js';
import type { ByteRange, Listing, ReadResult, Resource, ResourceEntry } from './resource.js';

export type MemoryFiles = Record<string, Uint8Array | string>;

interface MemoryFile {
  bytes: Uint8Array;
  entry: ResourceEntry;
}

function cleanPath(path: string): string {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.length === 0 || parts.includes('..')) throw invalidArg(`memoryResource: '${path}' is not a file path`);
  return parts.join('/');
}

/** A read-only source of the given files: `{ 'logs/a.txt': 'text', 'b.bin': bytes }`. Listings are deep. */
export function memoryResource(files: MemoryFiles): Resource {
  if (files === null || typeof files !== 'object') throw invalidArg('memoryResource takes an object of path → bytes or text');
  const mtimeMs = Date.now();
  const byPath = new Map<string, MemoryFile>();
  for (const [name, value] of Object.entries(files)) {
    const path = cleanPath(name);
    if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw invalidArg(`memoryResource: '${name}' must be bytes or text`);
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value.slice();
    byPath.set(path, { bytes, entry: { name: path, type: 'file', size: bytes.length, mtimeMs, etag: `${bytes.length}-${byPath.size}` } });
  }
  const isDirectory = (path: string): boolean => path === '' || [...byPath.keys()].some((file) => file.startsWith(`${path}/`));
  return {
    kind: 'memory',
    async list(path: string): Promise<Listing | undefined> {
      if (!isDirectory(path)) return undefined;
      const prefix = path === '' ? '' : `${path}/`;
      const entries = [...byPath]
        .filter(([file]) => file.startsWith(prefix))
        .map(([file, { entry }]) => ({ ...entry, name: file.slice(prefix.length) }));
      return { entries, deep: true };
    },
    async stat(path: string): Promise<ResourceEntry | undefined> {
      const file = byPath.get(path);
      if (file !== undefined) return { ...file.entry, name: path.slice(path.lastIndexOf('/') + 1) };
      return isDirectory(path) ? { name: path.slice(path.lastIndexOf('/') + 1), type: 'directory', size: 0 } : undefined;
    },
    async read(path: string, range?: ByteRange): Promise<ReadResult | undefined> {
      const file = byPath.get(path);
      if (file === undefined) return undefined;
      return { bytes: file.bytes.slice(range?.start ?? 0, range?.end), entry: { ...file.entry } };
    },
  };
}
