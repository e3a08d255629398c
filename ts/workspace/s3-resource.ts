// A workspace mount of an S3 bucket (or a prefix of one), through the addon's own S3 client
// (native/node/s3_mount.cc). Objects are files; '/' in their keys makes the directories, including the implied
// ones no object names, and keys ending in '/' (the folder markers consoles create) are directories. Node only.

import { fromNative, StrataError } from '../errors.js';
import { addonLoad, noAddon } from '../native-addon.js';
import { type S3ConnectionOptions, s3Settings } from '../s3.js';
import type { ByteRange, Listing, ReadResult, Resource, ResourceEntry } from './resource.js';

export interface S3ResourceOptions extends S3ConnectionOptions {
  /** The mount's root in the bucket: its files are the objects under `<prefix>/`. Default: the whole bucket. */
  prefix?: string;
  /**
   * How many keys `list` may read (in pages of 1,000) to describe a directory's whole subtree in one call. A
   * directory holding more is listed one level deep instead. 0 always lists one level. Default 10,000.
   */
  deepListLimit?: number;
  /**
   * Whether a workspace may write objects under the prefix (PUT, DELETE, server-side copy). Default false: a
   * bucket is shared, and an agent's `rm -r` is opted into.
   */
  writable?: boolean;
}

const DEFAULT_DEEP_LIST_LIMIT = 10_000;
/** S3's largest page. */
const PAGE_KEYS = 1000;

type MountHandle = { readonly __brand: 'S3MountHandle' };
type SignalHandle = { readonly __brand: 'S3MountSignal' };

/** The whole object's metadata; lastModified is 0 when the service did not say. */
interface ObjectInfo {
  size: number;
  etag: string;
  lastModified: number;
}

interface Page {
  objects: Array<ObjectInfo & { key: string }>;
  prefixes: string[];
  /** Set when there are more pages. */
  nextToken?: string;
}

/** The addon's S3 mount functions (native/node/s3_mount.cc); each call is one request. */
interface S3MountAddon {
  s3MountOpen(settings: Record<string, string>): MountHandle;
  s3MountClose(mount: MountHandle): void;
  s3MountList(mount: MountHandle, prefix: string, delimiter: string, token: string, maxKeys: number, signal?: SignalHandle): Promise<Page>;
  s3MountHead(mount: MountHandle, key: string, signal?: SignalHandle): Promise<ObjectInfo | undefined>;
  /** undefined: no such object; null: `start` is at or past its end. */
  s3MountGet(mount: MountHandle, key: string, start: number, end: number | undefined, signal?: SignalHandle): Promise<(ObjectInfo & { bytes: Uint8Array }) | undefined | null>;
  s3MountPut(mount: MountHandle, key: string, bytes: Uint8Array, signal?: SignalHandle): Promise<{ etag: string }>;
  /** undefined: no object at `sourceKey`. */
  s3MountCopy(mount: MountHandle, sourceKey: string, key: string, signal?: SignalHandle): Promise<{ etag: string } | undefined>;
  s3MountDelete(mount: MountHandle, key: string, signal?: SignalHandle): Promise<void>;
  /** Multi-object deletes of up to 1,000 keys each; the keys that could not be deleted. */
  s3MountDeleteMany(mount: MountHandle, keys: string[], signal?: SignalHandle): Promise<Array<{ key: string; code: string; message: string }>>;
  s3MountSignal(): SignalHandle;
  s3MountAbort(signal: SignalHandle): void;
}

// Used only once s3Resource() has checked it loaded.
const addon = addonLoad.addon as S3MountAddon;

/** A directory listing's raw material: the objects under its key prefix and, when listed one level, its subfolders. */
interface Contents {
  objects: Page['objects'];
  prefixes: string[];
}

/**
 * An S3 bucket, or the objects under a prefix of it, as a workspace resource. Takes the s3() tier's connection
 * options; nothing is sent until the first call. Node build only.
 */
export function s3Resource(options: S3ResourceOptions): Resource {
  const settings = s3Settings(options, 's3Resource()');
  const deepListLimit = options.deepListLimit ?? DEFAULT_DEEP_LIST_LIMIT;
  if (!Number.isSafeInteger(deepListLimit) || deepListLimit < 0) {
    throw new StrataError('ERR_INVALID_ARG', 'deepListLimit must be a whole number of keys, 0 or more');
  }
  const writable = options.writable ?? false;
  if (typeof writable !== 'boolean') throw new StrataError('ERR_INVALID_ARG', 's3Resource: writable must be true or false');
  const root = settings.prefix === undefined ? '' : settings.prefix.replace(/\/?$/, '/');
  const name = `s3://${settings.bucket}/${root}`.replace(/\/$/, '');
  if (addonLoad.reason !== undefined) throw noAddon('s3Resource()', addonLoad.reason);
  let mount: MountHandle;
  try {
    mount = addon.s3MountOpen(settings);
  } catch (error) {
    throw fromNative(error, name);
  }
  // The service and the objects' names: credentials, profile and region say nothing of which files these are.
  const endpoint = settings.endpoint === undefined ? undefined : new URL(settings.endpoint);
  const service = endpoint === undefined ? 'aws' : `${endpoint.host}${endpoint.pathname.replace(/\/$/, '')}`;
  return new S3Resource(mount, name, `s3:${service}/${settings.bucket}/${root}`, root, deepListLimit, writable);
}

class S3Resource implements Resource {
  readonly kind = 's3';
  readonly id: string;
  readonly #mount: MountHandle;
  /** Names the mount in errors: s3://bucket/prefix. */
  readonly #name: string;
  /** The key prefix of the mount's root: '' or ending in '/'. */
  readonly #root: string;
  readonly #deepListLimit: number;
  readonly writable: boolean;

  constructor(mount: MountHandle, name: string, id: string, root: string, deepListLimit: number, writable: boolean) {
    this.#mount = mount;
    this.id = id;
    this.#name = name;
    this.#root = root;
    this.#deepListLimit = deepListLimit;
    this.writable = writable;
  }

  list(path: string, signal?: AbortSignal): Promise<Listing | undefined> {
    return this.#request(path, signal, async (native) => {
      const prefix = path === '' ? this.#root : `${this.#root}${path}/`;
      const deep = await this.#listDeep(prefix, native);
      const contents = deep ?? (await this.#listAll(prefix, '/', native));
      // S3 has no directories: one exists while some key is under its prefix. The mount's root always does.
      if (path !== '' && contents.objects.length === 0 && contents.prefixes.length === 0) return undefined;
      const entries = deep === undefined ? shallowEntries(prefix, contents) : deepEntries(prefix, contents);
      return { deep: deep !== undefined, entries: entries.sort(byName) };
    });
  }

  stat(path: string, signal?: AbortSignal): Promise<ResourceEntry | undefined> {
    return this.#request(path, signal, async (native) => {
      if (path === '') return directory('');
      const info = await addon.s3MountHead(this.#mount, this.#root + path, native);
      if (info !== undefined) return fileEntry(baseName(path), info);
      const page = await addon.s3MountList(this.#mount, `${this.#root}${path}/`, '', '', 1, native);
      return page.objects.length > 0 ? directory(baseName(path)) : undefined;
    });
  }

  read(path: string, range?: ByteRange, signal?: AbortSignal): Promise<ReadResult | undefined> {
    return this.#request(path, signal, async (native) => {
      const { start, end } = this.#checkRange(range);
      if (path === '') return undefined;
      const key = this.#root + path;
      const got = end === start ? null : await addon.s3MountGet(this.#mount, key, start, end, native);
      if (got === undefined) return undefined;
      if (got === null) {
        // No bytes in the range (S3 refuses ranges past the end, and any range of an empty object); the file's
        // metadata still comes back.
        const info = await addon.s3MountHead(this.#mount, key, native);
        return info && { bytes: new Uint8Array(0), entry: fileEntry(baseName(path), info) };
      }
      const { bytes, ...info } = got;
      return { bytes, entry: fileEntry(baseName(path), info) };
    });
  }

  write(path: string, bytes: Uint8Array, signal?: AbortSignal): Promise<ResourceEntry> {
    return this.#request(path, signal, async (native) => {
      const { etag } = await addon.s3MountPut(this.#mount, this.#root + path, bytes, native);
      return fileEntry(baseName(path), { size: bytes.length, etag, lastModified: 0 });
    });
  }

  /** A folder marker: an empty object named `<path>/`, as S3 consoles make. */
  mkdir(path: string, signal?: AbortSignal): Promise<void> {
    return this.#request(path, signal, async (native) => {
      await addon.s3MountPut(this.#mount, `${this.#root}${path}/`, new Uint8Array(0), native);
    });
  }

  /**
   * A folder goes as every key under its prefix (its marker included), in multi-object deletes. Its parent
   * stays, as on a file system: a marker is put first when nothing else is under it. The delete comes last,
   * so a failure before it leaves the path as it was.
   */
  delete(path: string, { recursive }: { recursive: boolean }, signal?: AbortSignal): Promise<void> {
    return this.#request(path, signal, async (native) => {
      await this.#keepParent(path, native);
      if (recursive) await this.#deleteTree(path, native);
      else await addon.s3MountDelete(this.#mount, this.#root + path, native);
    });
  }

  /** Puts a marker for the folder of `path` unless something besides `path` is under it. */
  async #keepParent(path: string, signal: SignalHandle | undefined): Promise<void> {
    const slash = path.lastIndexOf('/');
    if (slash < 0) return; // the mount's root always exists
    const folder = `${this.#root}${path.slice(0, slash)}/`;
    const page = await addon.s3MountList(this.#mount, folder, '/', '', 2, signal);
    if (page.objects.length + page.prefixes.length <= 1) await addon.s3MountPut(this.#mount, folder, new Uint8Array(0), signal);
  }

  copy(from: string, to: string, signal?: AbortSignal): Promise<boolean> {
    return this.#request(to, signal, async (native) => {
      this.#checkPath(from);
      return (await addon.s3MountCopy(this.#mount, this.#root + from, this.#root + to, native)) !== undefined;
    });
  }

  async close(): Promise<void> {
    addon.s3MountClose(this.#mount);
  }

  async #deleteTree(path: string, signal: SignalHandle | undefined): Promise<void> {
    const { objects } = await this.#listAll(`${this.#root}${path}/`, '', signal);
    const failures = await addon.s3MountDeleteMany(this.#mount, objects.map((object) => object.key), signal);
    if (failures.length === 0) return;
    const [first] = failures;
    throw new StrataError('ERR_IO', `${this.#name}: ${failures.length} objects under '${path}' were not deleted, ` +
      `the first '${first!.key}': ${first!.code} ${first!.message}`, { tier: this.#name });
  }

  /** Every object under `prefix`, or undefined when there are more than deepListLimit. */
  async #listDeep(prefix: string, signal: SignalHandle | undefined): Promise<Contents | undefined> {
    if (this.#deepListLimit === 0) return undefined;
    const objects: Page['objects'] = [];
    let token = '';
    do {
      const maxKeys = Math.min(PAGE_KEYS, this.#deepListLimit - objects.length);
      const page = await addon.s3MountList(this.#mount, prefix, '', token, maxKeys, signal);
      objects.push(...page.objects);
      token = page.nextToken ?? '';
      if (token !== '' && objects.length >= this.#deepListLimit) return undefined;
    } while (token !== '');
    return { objects, prefixes: [] };
  }

  /**
   * Every page of a listing of `prefix`: with delimiter '/', the objects directly under it and its subfolders'
   * prefixes; with '', every object below it.
   */
  async #listAll(prefix: string, delimiter: '/' | '', signal: SignalHandle | undefined): Promise<Contents> {
    const contents: Contents = { objects: [], prefixes: [] };
    let token = '';
    do {
      const page = await addon.s3MountList(this.#mount, prefix, delimiter, token, PAGE_KEYS, signal);
      contents.objects.push(...page.objects);
      contents.prefixes.push(...page.prefixes);
      token = page.nextToken ?? '';
    } while (token !== '');
    return contents;
  }

  #checkPath(path: string): void {
    if (typeof path !== 'string' || (path !== '' && (path.startsWith('/') || path.endsWith('/') || path.includes('//')))) {
      throw this.#invalid("paths are relative, without a leading or trailing '/' or empty segments");
    }
  }

  #checkRange(range: ByteRange | undefined): { start: number; end: number | undefined } {
    const start = range?.start ?? 0;
    const end = range?.end;
    if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start))) {
      throw this.#invalid('a range must be { start, end? } with whole numbers, 0 <= start <= end');
    }
    return { start, end };
  }

  #invalid(message: string): StrataError {
    return new StrataError('ERR_INVALID_ARG', `${this.#name}: ${message}`, { tier: this.#name });
  }

  /**
   * Runs the requests of one call with the caller's AbortSignal mirrored onto a native one, and turns failures
   * into StrataErrors naming the mount.
   */
  async #request<T>(path: string, signal: AbortSignal | undefined, work: (native?: SignalHandle) => Promise<T>): Promise<T> {
    this.#checkPath(path);
    if (signal === undefined) return this.#attributed(work());
    if (signal.aborted) throw new StrataError('ERR_ABORTED', `${this.#name}: aborted`, { tier: this.#name });
    const native = addon.s3MountSignal();
    const abort = () => addon.s3MountAbort(native);
    signal.addEventListener('abort', abort, { once: true });
    try {
      return await this.#attributed(work(native));
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }

  async #attributed<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      throw fromNative(error, this.#name);
    }
  }
}

/** Entries of a listing without delimiter: every descendant, with the directories their keys imply. */
function deepEntries(prefix: string, { objects }: Contents): ResourceEntry[] {
  const files: ResourceEntry[] = [];
  const directories = new Set<string>();
  for (const object of objects) {
    const segments = object.key.slice(prefix.length).split('/');
    const blank = segments.indexOf('');
    if (blank === -1) files.push(fileEntry(segments.join('/'), object));
    // A file's parents; for a folder marker ('a/b/'), or a key no path can name past an empty segment ('a//b'),
    // the directories before it. The listed directory's own marker ('') adds none.
    for (let depth = blank === -1 ? segments.length - 1 : blank; depth > 0; depth--) {
      const parent = segments.slice(0, depth).join('/');
      if (directories.has(parent)) break; // and so are its ancestors
      directories.add(parent);
    }
  }
  return [...files, ...[...directories].map(directory)];
}

/** Entries of a listing with delimiter '/': the objects directly under `prefix` and its subfolders. */
function shallowEntries(prefix: string, { objects, prefixes }: Contents): ResourceEntry[] {
  const entries: ResourceEntry[] = [];
  for (const object of objects) {
    const name = object.key.slice(prefix.length);
    if (name !== '') entries.push(fileEntry(name, object)); // '' is the directory's own marker
  }
  for (const folder of prefixes) {
    const name = folder.slice(prefix.length, -1);
    if (name !== '') entries.push(directory(name));
  }
  return entries;
}

function fileEntry(name: string, info: ObjectInfo): ResourceEntry {
  return {
    name,
    type: 'file',
    size: info.size,
    ...(info.lastModified > 0 ? { mtimeMs: info.lastModified } : {}),
    ...(info.etag === '' ? {} : { etag: info.etag.replace(/^"(.*)"$/, '$1') }),
  };
}

function directory(name: string): ResourceEntry {
  return { name, type: 'directory', size: 0 };
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function byName(a: ResourceEntry, b: ResourceEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
