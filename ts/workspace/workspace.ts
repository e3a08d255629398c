// A workspace: remote resources mounted under virtual paths, behind an index cache (listings and metadata, for
// `indexTtl`) and a file cache (bytes, bounded by `cacheLimit`, in the tiers of a Cache). Repeated work reads
// local state; the sources see one call per listing, stat or file until the index expires or a file changes.
import '../async-dispose.js';
import type { CacheStats, TierStats } from '../backend.js';
import type { Cache } from '../cache.js';
import { invalidArg, StrataError } from '../errors.js';
import { ram, type Tier } from '../tiers.js';
import { type Duration, parseSize, parseTtl, type Size } from '../units.js';
import type { FindOptions, ReadFileOptions, WorkspaceEntry, WorkspaceFs } from './entry.js';
import { concatBytes } from './bytes.js';
import { checkCompression, type GzipCodec, gzipSink, type SnapshotCompression, snapshotTar } from './compression.js';
import { type CachedFile, FileCache, type FileVersion, sameVersion, versionOf } from './file-cache.js';
import { expandListing, IndexCache, type Known } from './index-cache.js';
import { Mount, type MountStats } from './mount.js';
import { baseName, isWithin, joinPath, type Location, MountTable, normaliseMountPoint, parentOf } from './paths.js';
import type { Resource, ResourceEntry } from './resource.js';
import { execute, type ExecuteOptions, type ExecuteResult } from './shell.js';
import { globMatcher } from './shell/glob.js';
import { type LoadProgress, readSnapshot, type SnapshotProgress, type SnapshotFile, type SnapshotReport, writeSnapshot } from './snapshot.js';
import type { TarSink } from './tar.js';

export interface WorkspaceOptions {
  /** Virtual mount point → resource, as `{ '/data': localResource('./data') }`. */
  mounts: Record<string, Resource>;
  /**
   * Bytes the file cache may hold (default `'512MB'`), evicting least recently used files. With `tiers`, it is
   * the budget of the last tier and caps the ones above; without, the file cache is one RAM tier this size.
   */
  cacheLimit?: Size;
  /** How long listings and metadata are trusted before a source is asked again. Default `'10m'`; `null`: forever. */
  indexTtl?: Duration | null;
  /**
   * How many paths and listings the index cache keeps (about 200 bytes each); past it, those recorded longest
   * ago are forgotten. Default 1,000,000.
   */
  indexLimit?: number;
  /** Where the file cache lives, as in `Cache.open({ tiers })`. Default: `[ram({ cacheLimit })]`. */
  tiers?: Tier[];
}

export interface WorkspaceStats {
  index: { hits: number; misses: number; entries: number };
  files: { hits: number; misses: number; bytes: number; entries: number; evictions: number };
  /** Per mount point: calls made to its source, and bytes read from it. */
  mounts: Record<string, MountStats>;
  /** The file cache's tiers. */
  tiers: TierStats[];
}

export interface SnapshotOptions {
  /** Called after each file is written, with counts so far and totals. */
  onProgress?: (progress: SnapshotProgress) => void;
  /** `'gzip'` writes a .tar.gz; default `'none'` (a plain tar), or by the file name in Node (see NodeWorkspace). */
  compression?: SnapshotCompression;
}


export interface LoadOptions extends WorkspaceOptions {
  onProgress?: (progress: LoadProgress) => void;
}

export interface StreamOptions {
  start?: number;
  end?: number;
  /** Bytes per chunk. Default 64 KiB. */
  chunkSize?: number;
}

export type { LoadProgress, SnapshotCompression, SnapshotProgress, SnapshotReport };

const DEFAULT_CACHE_LIMIT = '512MB';
const DEFAULT_INDEX_TTL = '10m';
const DEFAULT_INDEX_LIMIT = 1_000_000;
const DEFAULT_CHUNK = 64 * 1024;
// Files larger than this share of the budget are read in ranges and not cached: one would push out most others.
const LARGEST_CACHED_SHARE = 4;

function fileCacheTiers(options: WorkspaceOptions): { tiers: Tier[]; budget: number } {
  const limit = options.cacheLimit === undefined ? undefined : parseSize(options.cacheLimit, 'cacheLimit');
  if (options.tiers === undefined) {
    const budget = limit ?? parseSize(DEFAULT_CACHE_LIMIT);
    return { tiers: [ram({ cacheLimit: budget })], budget };
  }
  const { tiers } = options;
  if (!Array.isArray(tiers) || tiers.length === 0) throw invalidArg('tiers must be a non-empty array, as in [ram()]');
  if (limit === undefined) return { tiers, budget: tiers[tiers.length - 1]!.cacheLimit };
  const last = tiers.length - 1;
  const sized = tiers.map((tier, i) => ({ ...tier, cacheLimit: i === last ? limit : Math.min(tier.cacheLimit, limit) }));
  return { tiers: sized, budget: limit };
}

function indexLimitOf(limit: unknown): number {
  if (limit === undefined) return DEFAULT_INDEX_LIMIT;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) throw invalidArg('indexLimit must be a whole number ≥ 1');
  return limit;
}

function mountsOf(mounts: unknown): Map<string, Mount> {
  if (mounts === null || typeof mounts !== 'object' || Object.keys(mounts).length === 0) {
    throw invalidArg("mounts must name at least one resource, as { '/data': localResource('./data') }");
  }
  const table = new Map<string, Mount>();
  for (const [point, resource] of Object.entries(mounts as Record<string, Resource>)) {
    const normalised = normaliseMountPoint(point);
    if (table.has(normalised)) throw invalidArg(`mount point '${point}' is given twice`);
    table.set(normalised, new Mount(normalised, resource));
  }
  return table;
}

function directoryEntry(path: string): WorkspaceEntry {
  return { path, name: baseName(path), type: 'directory', size: 0 };
}

function toEntry(path: string, known: ResourceEntry): WorkspaceEntry {
  const { type, size, mtimeMs, etag } = known;
  return {
    path,
    name: baseName(path),
    type,
    ...(type === 'directory' ? { size: 0 } : size === undefined ? {} : { size }),
    ...(mtimeMs === undefined ? {} : { mtimeMs }),
    ...(etag === undefined ? {} : { etag }),
  };
}

function notADirectory(path: string): StrataError {
  return invalidArg(`'${path}' is not a directory`);
}

function notFound(path: string): StrataError {
  return new StrataError('ERR_NOT_FOUND', `${path}: no such file or directory`);
}

function checkOffset(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalidArg(`${what} must be a byte offset (an integer ≥ 0)`);
  return value;
}

export class Workspace implements AsyncDisposable, WorkspaceFs {
  /** @internal The Cache class of the build this workspace runs in, set by each entry point's subclass. */
  static cacheClass: typeof Cache | undefined;
  /** @internal gzip as the build has it (zlib in Node, CompressionStream in browsers), set like `cacheClass`. */
  static gzipCodec: GzipCodec | undefined;

  readonly #mounts: Map<string, Mount>;
  readonly #table: MountTable;
  readonly #index: IndexCache;
  readonly #files: FileCache;
  readonly #largestCached: number;
  /** Files read or loaded through this workspace, with the version of their cached bytes: what a snapshot holds. */
  readonly #touched = new Map<string, FileVersion>();
  readonly #fetches = new Map<string, Promise<CachedFile>>(); // one fetch per file however many readers wait
  /**
   * Files whose index entry a snapshot gave and their source has not confirmed since. Their bytes are served
   * without a request, but their being files rules nothing out: the source may list a folder there.
   */
  readonly #restored = new Set<string>();
  #closed = false;
  #indexHits = 0;
  #indexMisses = 0;
  /** After `Workspace.load`: files restored and skipped, and those the snapshot listed but did not hold. */
  loaded: (LoadProgress & { missing: string[] }) | undefined;

  /** @internal Use `Workspace.open()`. */
  constructor(mounts: Map<string, Mount>, table: MountTable, index: IndexCache, cache: Cache, budget: number) {
    this.#mounts = mounts;
    this.#table = table;
    this.#index = index;
    this.#files = new FileCache(cache);
    this.#largestCached = Math.floor(budget / LARGEST_CACHED_SHARE);
  }

  /** Opens a workspace. Rejects with `ERR_INVALID_ARG` before touching any source when an option is wrong. */
  static async open<T extends typeof Workspace>(this: T, options: WorkspaceOptions): Promise<InstanceType<T>> {
    const cacheClass = this.cacheClass;
    if (cacheClass === undefined) throw invalidArg("import Workspace from 'stratacache' or 'stratacache/wasm'");
    if (options === null || typeof options !== 'object') throw invalidArg('Workspace.open takes an options object with mounts');
    const mounts = mountsOf(options.mounts);
    const table = new MountTable([...mounts.keys()]);
    const indexTtl = parseTtl(options.indexTtl === undefined ? DEFAULT_INDEX_TTL : options.indexTtl, 'indexTtl');
    const index = new IndexCache(indexTtl ?? null, indexLimitOf(options.indexLimit));
    const { tiers, budget } = fileCacheTiers(options);
    const cache = await cacheClass.open({ tiers, ttl: null });
    return new this(mounts, table, index, cache, budget) as InstanceType<T>;
  }

  /**
   * Opens a workspace and restores a snapshot's files into its file cache, so reading them makes no network
   * call. Files under mount points missing from `options.mounts` are skipped (counted in the result's progress).
   */
  static async load<T extends typeof Workspace>(
    this: T,
    source: Uint8Array | AsyncIterable<Uint8Array>,
    options: LoadOptions,
  ): Promise<InstanceType<T>> {
    const workspace = await this.open(options);
    try {
      await workspace.#restore(source, options.onProgress);
    } catch (error) {
      await workspace.close();
      throw error;
    }
    return workspace as InstanceType<T>;
  }

  /** A directory's entries, sorted by name. '/' (and any folder above the mount points) lists the mounts. */
  async ls(path: string): Promise<WorkspaceEntry[]> {
    const at = this.#locate(path);
    if (at.kind === 'virtual') return at.children.map((name) => directoryEntry(joinPath(at.path, name)));
    return this.#children(at);
  }

  async stat(path: string): Promise<WorkspaceEntry> {
    const at = this.#locate(path);
    if (at.kind === 'virtual' || at.relative === '') return directoryEntry(at.path);
    let known = this.#indexed(at.path); // null (known absent) must not fall through to the source
    if (known === undefined) known = await this.#statRemote(at);
    if (known === null) throw notFound(at.path);
    if (at.directoryOnly && known.type !== 'directory') throw notADirectory(path);
    return toEntry(at.path, known);
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.stat(path);
      return true;
    } catch (error) {
      if (error instanceof StrataError && error.code === 'ERR_NOT_FOUND') return false;
      if (error instanceof StrataError && this.#locate(path).directoryOnly) return false; // 'file/'
      throw error;
    }
  }

  readFile(path: string, options?: ReadFileOptions & { encoding?: undefined }): Promise<Uint8Array>;
  readFile(path: string, options: ReadFileOptions & { encoding: 'utf8' | 'utf-8' }): Promise<string>;
  /** A file's bytes, or a range [start, end) of them; with `encoding: 'utf8'`, its text. */
  async readFile(path: string, options: ReadFileOptions = {}): Promise<Uint8Array | string> {
    const start = checkOffset(options.start, 'start') ?? 0;
    const end = checkOffset(options.end, 'end');
    if (options.encoding !== undefined && options.encoding !== 'utf8' && options.encoding !== 'utf-8') {
      throw invalidArg("encoding must be 'utf8' or left out");
    }
    const at = await this.#fileLocation(path);
    const bytes = await this.#readRange(at, start, end);
    return options.encoding === undefined ? bytes : new TextDecoder().decode(bytes);
  }

  /** A file's bytes in chunks; files too large to cache are read from the source a range at a time. */
  async *stream(path: string, options: StreamOptions = {}): AsyncGenerator<Uint8Array> {
    const start = checkOffset(options.start, 'start') ?? 0;
    const chunkSize = checkOffset(options.chunkSize, 'chunkSize') || DEFAULT_CHUNK;
    const at = await this.#fileLocation(path);
    const entry = await this.stat(at.path);
    if (entry.type === 'directory') throw invalidArg(`${at.path} is a directory`);
    const size = entry.size;
    if (size === undefined || size <= this.#largestCached) {
      const bytes = await this.#readRange(at, start, checkOffset(options.end, 'end'));
      for (let offset = 0; offset < bytes.length; offset += chunkSize) yield bytes.subarray(offset, offset + chunkSize);
      return;
    }
    const end = Math.min(checkOffset(options.end, 'end') ?? size, size);
    const rangeSize = Math.max(chunkSize, 8 * 1024 * 1024);
    for (let offset = start; offset < end; offset += rangeSize) {
      const bytes = await this.#readRange(at, offset, Math.min(offset + rangeSize, end));
      if (bytes.length === 0) return;
      for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
    }
  }

  /** Walks `path` depth first, yielding it and everything below that matches, parents before children. */
  async *find(path: string, options: FindOptions = {}): AsyncGenerator<WorkspaceEntry> {
    const maxDepth = options.maxDepth === undefined ? Infinity : checkOffset(options.maxDepth, 'maxDepth')!;
    const minDepth = checkOffset(options.minDepth, 'minDepth') ?? 0;
    if (options.type !== undefined && options.type !== 'file' && options.type !== 'directory') {
      throw invalidArg("type must be 'file' or 'directory'");
    }
    const matchesName = options.name === undefined ? () => true : globMatcher(options.name, false);
    const wanted = (entry: WorkspaceEntry, depth: number): boolean =>
      depth >= minDepth && (options.type === undefined || entry.type === options.type) && matchesName(entry.name);
    // An explicit stack, not recursion: a tree may be deeper than the call stack.
    const pending = [{ entry: await this.#statForListing(path), depth: 0 }];
    while (pending.length > 0) {
      const { entry, depth } = pending.pop()!;
      if (wanted(entry, depth)) yield entry;
      if (entry.type !== 'directory' || depth >= maxDepth) continue;
      const children = await this.ls(entry.path);
      for (let i = children.length - 1; i >= 0; i--) pending.push({ entry: children[i]!, depth: depth + 1 });
    }
  }

  /**
   * `stat` for a path about to be listed: when the index does not know it, list it first. A folder then costs
   * its one listing (which the walk needs anyway) instead of a stat and a listing; a file costs one more call.
   */
  async #statForListing(path: string): Promise<WorkspaceEntry> {
    const at = this.#locate(path);
    if (at.kind === 'mount' && at.relative !== '' && this.#index.entry(at.path) === undefined) {
      await this.ls(at.path).catch((error: unknown) => {
        if (!(error instanceof StrataError && error.code === 'ERR_INVALID_ARG')) throw error; // a file: stat knows it now
      });
    }
    return this.stat(at.path);
  }

  /** Forgets what the index and the file cache hold at `path` and below; the next access asks the source. */
  async invalidate(path: string): Promise<void> {
    const at = this.#locate(path);
    const files = new Set(this.#index.invalidate(at.path));
    for (const touched of this.#touched.keys()) if (isWithin(touched, at.path)) files.add(touched);
    for (const file of files) await this.#drop(file);
  }

  /**
   * Writes the cached bytes of every file read through this workspace, with a manifest, as a tar (POSIX
   * ustar/pax), gzip-compressed with `compression: 'gzip'`. Files evicted since they were read are left out
   * (and listed as missing in the manifest).
   */
  async snapshot(sink: TarSink, options?: SnapshotOptions): Promise<SnapshotReport>;
  /** The same, returning the archive's bytes (for the browser, or small workspaces). */
  async snapshot(sink?: undefined, options?: SnapshotOptions): Promise<SnapshotReport & { archive: Uint8Array }>;
  async snapshot(sink?: TarSink, options: SnapshotOptions = {}): Promise<SnapshotReport & { archive?: Uint8Array }> {
    this.#checkOpen();
    const compression = checkCompression(options.compression);
    const files: SnapshotFile[] = [...this.#touched].map(([path, version]) => ({ path, version }));
    const chunks: Uint8Array[] = [];
    const output = sink ?? ((chunk) => void chunks.push(chunk));
    const gzip = compression === 'gzip' ? gzipSink(output, this.#gzipCodec()) : undefined;
    const report = await writeSnapshot(
      files,
      (path) => this.#files.has(path),
      (path) => this.#files.get(path),
      gzip?.sink ?? output,
      options.onProgress,
    );
    await gzip?.finish();
    return sink === undefined ? { ...report, archive: concatBytes(chunks) } : report;
  }

  /**
   * Runs a read-only shell command line over the workspace: ls, cat, head, tail, wc, grep, find, stat, du, echo
   * and pipes between them. Never rejects: errors are on stderr, with a non-zero exit code.
   */
  execute(commandLine: string, options?: ExecuteOptions): Promise<ExecuteResult> {
    return execute(this, commandLine, options);
  }

  stats(): WorkspaceStats {
    const cacheStats: CacheStats = this.#files.cache.stats();
    const last = cacheStats.tiers[cacheStats.tiers.length - 1]!;
    const mounts: Record<string, MountStats> = {};
    for (const [point, mount] of this.#mounts) mounts[point] = mount.stats();
    return {
      index: { hits: this.#indexHits, misses: this.#indexMisses, entries: this.#index.size },
      files: {
        hits: this.#files.hits,
        misses: this.#files.misses,
        bytes: last.bytes,
        entries: last.entries,
        evictions: cacheStats.tiers.reduce((sum, tier) => sum + tier.evictions, 0),
      },
      mounts,
      tiers: cacheStats.tiers,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled(this.#fetches.values());
    await this.#files.cache.close();
    await Promise.all([...this.#mounts.values()].map((mount) => mount.resource.close?.()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #gzipCodec(): GzipCodec {
    const codec = (this.constructor as typeof Workspace).gzipCodec;
    if (codec === undefined) throw invalidArg("import Workspace from 'stratacache' or 'stratacache/wasm'");
    return codec;
  }

  #checkOpen(): void {
    if (this.#closed) throw new StrataError('ERR_CLOSED', 'the workspace is closed');
  }

  #locate(path: string): Location {
    this.#checkOpen();
    return this.#table.locate(path);
  }

  /** Where the file `path` is; a path only a directory could be ('/', 'name/') rejects after one stat. */
  async #fileLocation(path: string): Promise<Extract<Location, { kind: 'mount' }>> {
    const at = this.#locate(path);
    if (at.directoryOnly) await this.stat(path); // ERR_NOT_FOUND, or not a directory
    if (at.kind === 'virtual' || at.relative === '' || at.directoryOnly) throw invalidArg(`${at.path} is a directory`);
    return at;
  }

  #mount(at: Extract<Location, { kind: 'mount' }>): Mount {
    return this.#mounts.get(at.mount)!;
  }

  /** What the index knows of `path` without asking the source: an entry, null (nothing there), or undefined. */
  #indexed(path: string): Known | undefined {
    const known = this.#lookUp(path);
    if (known === undefined) this.#indexMisses += 1;
    else this.#indexHits += 1;
    return known;
  }

  /** A loop up the ancestors, not recursion: a path may be deeper than the call stack. */
  #lookUp(path: string): Known | undefined {
    for (let child = path; ; child = parentOf(child)) {
      const entry = this.#index.entry(child);
      if (entry !== undefined || this.#table.points.includes(child)) {
        if (child === path) return entry;
        // An ancestor that is absent or a file rules the path out (one a snapshot calls a file: its source decides).
        return entry === null || (entry?.type === 'file' && !this.#restored.has(child)) ? null : undefined;
      }
      // A fresh listing of the parent without the name rules it out; one with the name cannot say more.
      const names = this.#index.listing(parentOf(child));
      if (names !== undefined) return names.set.has(baseName(child)) ? undefined : null;
      if (child === '/') return undefined;
    }
  }

  async #statRemote(at: Extract<Location, { kind: 'mount' }>): Promise<Known> {
    const entry = (await this.#mount(at).stat(at.relative)) ?? null;
    this.#learn(at.path, entry);
    return entry;
  }

  /** Records what a source said of `path`, dropping cached bytes it shows to be out of date. */
  #learn(path: string, entry: Known): void {
    this.#restored.delete(path);
    this.#index.putEntry(path, entry);
    const cached = this.#touched.get(path);
    if (cached !== undefined && (entry === null || entry.type !== 'file' || !sameVersion(cached, entry))) void this.#drop(path);
  }

  async #children(at: Extract<Location, { kind: 'mount' }>): Promise<WorkspaceEntry[]> {
    const names = this.#index.listing(at.path);
    if (names !== undefined) {
      const entries = names.sorted.map((name) => {
        const path = joinPath(at.path, name);
        const known = this.#index.entry(path);
        return known ? toEntry(path, known) : undefined;
      });
      if (entries.every((entry) => entry !== undefined)) {
        this.#indexHits += 1;
        return entries as WorkspaceEntry[];
      }
    }
    const known = at.relative === '' ? undefined : this.#indexed(at.path);
    if (known === null) throw notFound(at.path);
    if (known?.type === 'file' && !this.#restored.has(at.path)) throw invalidArg(`${at.path} is not a directory`);
    this.#indexMisses += 1;
    const listing = await this.#mount(at).list(at.relative);
    // A snapshot listed as a file what its source lists as a folder: the source wins.
    if (listing !== undefined && this.#restored.has(at.path)) this.#learn(at.path, { name: at.path, type: 'directory', size: 0 });
    if (listing === undefined) {
      const known = at.relative === '' ? null : await this.#statRemote(at);
      if (known?.type === 'file') throw invalidArg(`${at.path} is not a directory`);
      if (at.relative !== '') throw notFound(at.path);
      return [];
    }
    this.#index.putListing(at.path, listing);
    const { entries, listings } = expandListing(at.path, listing);
    for (const [path, version] of this.#touched) {
      const entry = entries.get(path);
      if (entry !== undefined && (entry.type !== 'file' || !sameVersion(version, entry))) void this.#drop(path);
    }
    return listings.get(at.path)!.map((name) => {
      const path = joinPath(at.path, name);
      return toEntry(path, entries.get(path)!);
    });
  }

  async #readRange(at: Extract<Location, { kind: 'mount' }>, start: number, end: number | undefined): Promise<Uint8Array> {
    const known = this.#indexed(at.path);
    if (known === null) throw notFound(at.path);
    if (known?.type === 'directory') throw invalidArg(`${at.path} is a directory`);
    if (known?.size !== undefined && known.size > this.#largestCached) return this.#readUncached(at, start, end);
    const file = (await this.#cachedFile(at, known)) ?? (await this.#fetch(at));
    return file.bytes.subarray(start, end);
  }

  /** The cached bytes of a file if they are still current, checking with the source when the index cannot say. */
  async #cachedFile(at: Extract<Location, { kind: 'mount' }>, known: ResourceEntry | undefined): Promise<CachedFile | undefined> {
    const cached = await this.#files.get(at.path);
    if (cached === undefined) return undefined;
    const current = known ?? (await this.#statRemote(at));
    if (current !== null && current.type === 'file' && sameVersion(cached.version, current)) {
      this.#touched.set(at.path, cached.version);
      return cached;
    }
    await this.#drop(at.path);
    if (current === null) throw notFound(at.path);
    if (current.type === 'directory') throw invalidArg(`${at.path} is a directory`);
    return undefined;
  }

  #fetch(at: Extract<Location, { kind: 'mount' }>): Promise<CachedFile> {
    let fetching = this.#fetches.get(at.path);
    if (fetching === undefined) {
      fetching = this.#fetchOnce(at).finally(() => this.#fetches.delete(at.path));
      this.#fetches.set(at.path, fetching);
    }
    return fetching;
  }

  async #fetchOnce(at: Extract<Location, { kind: 'mount' }>): Promise<CachedFile> {
    const result = await this.#mount(at).read(at.relative);
    if (result === undefined) {
      const entry = await this.stat(at.path); // a directory, or ERR_NOT_FOUND
      throw invalidArg(`${entry.path} is a directory`);
    }
    const { bytes } = result;
    const version = versionOf(result.entry, bytes.length);
    this.#index.putEntry(at.path, { ...result.entry, name: baseName(at.path), type: 'file', size: bytes.length });
    const file = { version, bytes };
    if (bytes.length <= this.#largestCached) {
      await this.#files.put(at.path, file);
      this.#touched.set(at.path, version);
    }
    return file;
  }

  async #readUncached(at: Extract<Location, { kind: 'mount' }>, start: number, end: number | undefined): Promise<Uint8Array> {
    if (end !== undefined && end <= start) return new Uint8Array(0);
    const range = end === undefined ? { start } : { start, end };
    const result = await this.#mount(at).read(at.relative, range);
    if (result === undefined) throw notFound(at.path);
    return result.bytes;
  }

  // A failed delete leaves bytes that the version check refuses again on the next read, so it is not an error.
  async #drop(path: string): Promise<void> {
    this.#touched.delete(path);
    await this.#files.delete(path).catch(() => undefined);
  }

  async #restore(source: Uint8Array | AsyncIterable<Uint8Array>, onProgress: LoadOptions['onProgress']): Promise<void> {
    const inMount = (path: string): boolean => {
      try {
        return this.#table.locate(path).kind === 'mount' && !this.#table.points.includes(path);
      } catch {
        return false; // outside every mount of this workspace
      }
    };
    try {
      this.loaded = await readSnapshot(await snapshotTar(source, this.#gzipCodec()), {
        // A file too large to cache is read from its source in ranges, as if it had never been read.
        accepts: ({ path, version }) => version.size <= this.#largestCached && this.#files.holds(path) && inMount(path),
        restore: async ({ path, version, bytes }) => {
          this.#restored.add(path);
          await this.#files.put(path, { version, bytes });
          this.#touched.set(path, version);
          // The snapshot says what version these bytes are; trust it as a fresh stat so replaying reads them locally.
          this.#index.putEntry(path, { name: baseName(path), type: 'file', ...version });
        },
      }, onProgress);
    } catch (error) {
      // A compressed archive's checksum is checked only at its end: what came before may be damaged, and a
      // persistent tier (disk, IndexedDB) would keep it. Nothing of a failed load stays.
      for (const path of this.#restored) await this.#drop(path);
      throw error;
    }
  }
}
