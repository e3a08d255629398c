// A workspace: remote resources mounted under virtual paths, behind an index cache (listings and metadata, for
// `indexTtl`) and a file cache (bytes, bounded by `cacheLimit`, in the tiers of a Cache). Repeated work reads
// local state; the sources see one call per listing, stat or file until the index expires or a file changes.
import '../async-dispose.js';
import type { CacheStats, TierStats } from '../backend.js';
import type { Cache } from '../cache.js';
import { invalidArg, StrataError } from '../errors.js';
import { ram, type Tier } from '../tiers.js';
import { type Duration, parseSize, parseTtl, type Size } from '../units.js';
import type { CpOptions, FindOptions, MkdirOptions, ReadFileOptions, RmOptions, WorkspaceEntry, WorkspaceFs } from './entry.js';
import { concatBytes } from './bytes.js';
import { checkCompression, type GzipCodec, gzipSink, type SnapshotCompression, snapshotTar } from './compression.js';
import { type CachedFile, FileCache, type FileVersion, sameVersion, versionOf } from './file-cache.js';
import { expandListing, IndexCache, type Known } from './index-cache.js';
import { Mount, type MountStats } from './mount.js';
import { baseName, isWithin, joinPath, type Location, MountTable, normaliseMountPoint, parentOf } from './paths.js';
import type { Listing, Resource, ResourceEntry } from './resource.js';
import { type Lookup, type Recalled, SharedIndex } from './shared-index.js';
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
  /**
   * A tier other workspaces use too (`redis()`, `custom()`, `indexedDb()`), keeping what sources answered, for
   * `indexTtl`, behind this workspace's own index: a listing or stat it lacks is looked up there before the source
   * is asked, and the source's answer is recorded there too. Only mounts whose resource has an `id` share.
   */
  index?: Tier;
}

export interface WorkspaceStats {
  /** `shared`, with the option `index`: look-ups it answered and not, and calls to its tier that failed. */
  index: { hits: number; misses: number; entries: number; shared?: { hits: number; misses: number; errors: number } };
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


/**
 * What loading trusts of a snapshot's versions. 'off': they count as fresh for `indexTtl`, and restored files are
 * read without a request. 'evict': the first read of each restored file checks its version with the source
 * (one stat, or one listing for a folder holding several restored files) and reads a file that changed anew.
 * 'strict': the same check, and a file that changed fails that read with ERR_DRIFT.
 */
export type DriftPolicy = 'strict' | 'evict' | 'off';

export interface LoadOptions extends WorkspaceOptions {
  onProgress?: (progress: LoadProgress) => void;
  /** Default 'off': a replay makes no request for what the snapshot holds, and works with its sources away. */
  drift?: DriftPolicy;
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
  if (limit === undefined) {
    // A custom() tier (redis(), keyv()) has no budget of its own: its store bounds itself.
    const last = tiers[tiers.length - 1]!;
    return { tiers, budget: last.kind === 'custom' ? parseSize(DEFAULT_CACHE_LIMIT) : last.cacheLimit };
  }
  const last = tiers.length - 1;
  const sized = tiers.map((tier, i) => ({ ...tier, cacheLimit: i === last ? limit : Math.min(tier.cacheLimit, limit) }));
  return { tiers: sized, budget: limit };
}

function indexLimitOf(limit: unknown): number {
  if (limit === undefined) return DEFAULT_INDEX_LIMIT;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) throw invalidArg('indexLimit must be a whole number ≥ 1');
  return limit;
}

function sharedTierOf(tier: unknown): Tier | undefined {
  if (tier === undefined) return undefined;
  if (tier === null || typeof tier !== 'object' || typeof (tier as Tier).kind !== 'string') {
    throw invalidArg('index must be a tier other workspaces use too, as redis({ url })');
  }
  if ((tier as Tier).kind === 'http') throw invalidArg('index must be a tier that takes writes: http() is read-only');
  return tier as Tier;
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

function isDirectoryError(path: string): StrataError {
  return invalidArg(`${path} is a directory`);
}

function checkBytes(data: unknown): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (!(data instanceof Uint8Array)) throw invalidArg('data must be a Uint8Array or a string');
  return data;
}

function driftError(path: string, was: FileVersion, now: ResourceEntry | null): StrataError {
  const describe = (version: { size?: number; etag?: string; mtimeMs?: number }): string =>
    [`size ${version.size ?? '?'}`, ...(version.etag === undefined ? [] : [`etag ${version.etag}`]),
      ...(version.mtimeMs === undefined ? [] : [`mtime ${new Date(version.mtimeMs).toISOString()}`])].join(', ');
  const current = now === null ? 'it is gone' : now.type === 'directory' ? 'it is now a directory' : `now ${describe(now)}`;
  return new StrataError('ERR_DRIFT', `${path} changed since the snapshot: it held ${describe(was)}, ${current}`);
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
  readonly #shared: SharedIndex | undefined;
  readonly #largestCached: number;
  /** Files read or loaded through this workspace, with the version of their cached bytes: what a snapshot holds. */
  readonly #touched = new Map<string, FileVersion>();
  readonly #fetches = new Map<string, Promise<CachedFile>>(); // one fetch per file however many readers wait
  /**
   * Files whose index entry a snapshot gave and their source has not confirmed since. Their bytes are served
   * without a request, but their being files rules nothing out: the source may list a folder there.
   */
  readonly #restored = new Set<string>();
  /** Restored files whose version the source has not been asked about yet (drift 'strict' and 'evict'). */
  readonly #unverified = new Map<string, FileVersion>();
  /** Under drift 'strict': restored files found changed, and what the source said; their reads fail. */
  readonly #drifted = new Map<string, StrataError>();
  #drift: DriftPolicy = 'off';
  /** Counts writes, so that a fetch begun before one does not record what it read over what was written. */
  #generation = 0;
  #closed = false;
  #indexHits = 0;
  #indexMisses = 0;
  /** After `Workspace.load`: files restored and skipped, and those the snapshot listed but did not hold. */
  loaded: (LoadProgress & { missing: string[] }) | undefined;

  /** @internal Use `Workspace.open()`. */
  constructor(
    mounts: Map<string, Mount>, table: MountTable, index: IndexCache, cache: Cache, budget: number, shared: SharedIndex | undefined,
  ) {
    this.#mounts = mounts;
    this.#table = table;
    this.#index = index;
    this.#files = new FileCache(cache);
    this.#shared = shared;
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
    const sharedTier = indexTtl === 0 ? undefined : sharedTierOf(options.index); // 0: nothing is kept, here or there
    const cache = await cacheClass.open({ tiers, ttl: null });
    let shared: SharedIndex | undefined;
    try {
      if (sharedTier !== undefined) shared = new SharedIndex(await cacheClass.open({ tiers: [sharedTier], ttl: null }), indexTtl ?? null);
    } catch (error) {
      await cache.close();
      throw error;
    }
    return new this(mounts, table, index, cache, budget, shared) as InstanceType<T>;
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
    const drift = options.drift ?? 'off';
    if (drift !== 'strict' && drift !== 'evict' && drift !== 'off') throw invalidArg("drift must be 'strict', 'evict' or 'off'");
    const workspace = await this.open(options);
    workspace.#drift = drift;
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
    await this.#checkDrift(at);
    const bytes = await this.#readRange(at, start, end);
    return options.encoding === undefined ? bytes : new TextDecoder().decode(bytes);
  }

  /** A file's bytes in chunks; files too large to cache are read from the source a range at a time. */
  async *stream(path: string, options: StreamOptions = {}): AsyncGenerator<Uint8Array> {
    const start = checkOffset(options.start, 'start') ?? 0;
    const chunkSize = checkOffset(options.chunkSize, 'chunkSize') || DEFAULT_CHUNK;
    const at = await this.#fileLocation(path);
    await this.#checkDrift(at);
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
    for (const drifted of this.#drifted.keys()) if (isWithin(drifted, at.path)) this.#drifted.delete(drifted);
    for (const file of files) await this.#drop(file);
  }

  /** Creates or replaces the file at `path` with `data` (bytes, or text as UTF-8); its folder must exist. */
  async writeFile(path: string, data: Uint8Array | string): Promise<void> {
    const bytes = checkBytes(data);
    const at = await this.#fileToWrite(path);
    await this.#putFile(at, bytes);
  }

  /**
   * Adds `data` at the end of the file at `path`, creating it when there is none. Sources cannot append (S3
   * has no such call), so the file is read and written whole: two appends at once may lose one.
   */
  async appendFile(path: string, data: Uint8Array | string): Promise<void> {
    const bytes = checkBytes(data);
    const at = await this.#fileToWrite(path);
    const before = (await this.#existing(at.path)) === null ? new Uint8Array(0) : await this.readFile(at.path);
    await this.#putFile(at, concatBytes([before, bytes]));
  }

  /** Creates a folder; `recursive` creates its missing parents and accepts one that exists. */
  async mkdir(path: string, options: MkdirOptions = {}): Promise<void> {
    const at = this.#writable(path);
    const existing = at.relative === '' ? directoryEntry(at.path) : await this.#existing(at.path);
    if (existing !== null) {
      if (options.recursive === true && existing.type === 'directory') return;
      throw new StrataError('ERR_EXISTS', `${at.path}: file exists`);
    }
    if (options.recursive === true) await this.#checkNoFileAbove(at);
    else await this.#requireFolder(parentOf(at.path));
    await this.#mount(at).mkdir(at.relative);
    await this.#changed(at.path);
    if (options.recursive !== true) this.#index.relist(parentOf(at.path), baseName(at.path), true);
    else {
      // Folders above may have been made too: what was known of them goes.
      for (let folder = parentOf(at.path); isWithin(folder, at.mount); folder = parentOf(folder)) this.#index.forget(folder);
    }
    this.#index.putEntry(at.path, { name: baseName(at.path), type: 'directory', size: 0 });
  }

  /** Removes a file, or with `recursive` a folder and everything below it; `force`: no error when missing. */
  async rm(path: string, options: RmOptions = {}): Promise<void> {
    const at = this.#writable(path);
    if (at.relative === '') throw invalidArg(`${at.path} is a mount point: it cannot be removed`);
    const existing = await this.#existing(at.path);
    if (existing === null) {
      if (options.force === true) return;
      throw notFound(at.path);
    }
    const recursive = existing.type === 'directory';
    if (recursive && options.recursive !== true) throw isDirectoryError(at.path);
    if (recursive) await this.#changing(at.path, () => this.#mount(at).delete(at.relative, true));
    else {
      await this.#mount(at).delete(at.relative, false);
      await this.#changed(at.path);
      await this.#drop(at.path);
    }
    this.#index.relist(parentOf(at.path), baseName(at.path), false);
    this.#index.putEntry(at.path, null);
  }

  /**
   * Copies the file `from` to exactly the path `to` (replacing a file there), or with `recursive` a folder and
   * everything below it. Within one mount the source copies (S3: server-side); across mounts the bytes pass
   * through this workspace.
   */
  async cp(from: string, to: string, options: CpOptions = {}): Promise<void> {
    const source = this.#locate(from);
    const target = this.#writable(to);
    const entry = await this.stat(source.path);
    if (entry.type === 'directory' && options.recursive !== true) throw isDirectoryError(source.path);
    if (isWithin(target.path, source.path)) throw invalidArg(`cannot copy ${source.path} into itself, ${target.path}`);
    if (entry.type === 'file') return this.#copyFile(source.path, await this.#fileToWrite(target.path));
    const existing = target.relative === '' ? directoryEntry(target.path) : await this.#existing(target.path);
    if (existing?.type === 'file') throw notADirectory(target.path);
    if (existing === null) await this.#requireFolder(parentOf(target.path));
    await this.#changing(target.path, async () => {
      for await (const below of this.find(source.path)) {
        const path = target.path + below.path.slice(source.path.length);
        if (below.type === 'directory') await this.mkdir(path, { recursive: true });
        else await this.#copyFile(below.path, this.#writable(path));
      }
    });
    this.#index.relist(parentOf(target.path), baseName(target.path), true);
  }

  /** Moves a file or folder to exactly the path `to`: a copy, then the removal of `from`. */
  async mv(from: string, to: string): Promise<void> {
    const source = this.#writable(from);
    if (source.relative === '') throw invalidArg(`${source.path} is a mount point: it cannot be moved`);
    if (source.path === this.#locate(to).path) return;
    await this.cp(source.path, to, { recursive: true });
    await this.rm(source.path, { recursive: true });
  }

  /** Sets the time of the file at `path` to now (where its source can: not S3), or creates it empty. */
  async touch(path: string): Promise<void> {
    const at = this.#writable(path);
    const existing = at.relative === '' ? directoryEntry(at.path) : await this.#existing(at.path);
    if (existing === null) return this.writeFile(at.path, new Uint8Array(0));
    if (existing.type === 'directory' || !(await this.#mount(at).touch(at.relative))) return;
    await this.#changed(at.path);
    this.#index.forget(at.path); // its new time comes from the source when next asked
    await this.#drop(at.path);
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
   * Runs a shell command line over the workspace: ls, cat, head, tail, wc, grep, find, stat, du, echo, and
   * mkdir, rm, cp, mv, touch on writable mounts, with pipes between them. Never rejects: errors are on stderr, with a non-zero exit code.
   */
  execute(commandLine: string, options?: ExecuteOptions): Promise<ExecuteResult> {
    return execute(this, commandLine, options);
  }

  stats(): WorkspaceStats {
    const cacheStats: CacheStats = this.#files.cache.stats();
    const last = cacheStats.tiers[cacheStats.tiers.length - 1]!;
    const mounts: Record<string, MountStats> = {};
    for (const [point, mount] of this.#mounts) mounts[point] = mount.stats();
    const shared = this.#shared === undefined ? {} : { shared: { hits: this.#shared.hits, misses: this.#shared.misses, errors: this.#shared.errors } };
    return {
      index: { hits: this.#indexHits, misses: this.#indexMisses, entries: this.#index.size, ...shared },
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
    await this.#shared?.close();
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

  /** Where `path` is, in a mount that takes writes: ERR_READ_ONLY before any request otherwise. */
  #writable(path: string): Extract<Location, { kind: 'mount' }> {
    const at = this.#locate(path);
    if (at.kind === 'virtual') throw invalidArg(`${at.path} lies above the mounts: nothing can be written there`);
    const mount = this.#mount(at);
    if (!mount.writable) {
      throw new StrataError('ERR_READ_ONLY', `mount '${mount.point}' (${mount.stats().kind}) is read-only: cannot change ${at.path}`, {
        tier: mount.point,
      });
    }
    return at;
  }

  /** A file path to write: not a folder, in a folder that exists. */
  async #fileToWrite(path: string): Promise<Extract<Location, { kind: 'mount' }>> {
    const at = this.#writable(path);
    if (at.relative === '' || at.directoryOnly) throw isDirectoryError(at.path);
    if ((await this.#existing(at.path))?.type === 'directory') throw isDirectoryError(at.path);
    await this.#requireFolder(parentOf(at.path));
    return at;
  }

  /** The entry at `path`, or null when there is nothing there. */
  async #existing(path: string): Promise<WorkspaceEntry | null> {
    try {
      return await this.stat(path);
    } catch (error) {
      if (error instanceof StrataError && error.code === 'ERR_NOT_FOUND') return null;
      throw error;
    }
  }

  async #requireFolder(path: string): Promise<void> {
    const entry = await this.stat(path); // ERR_NOT_FOUND when missing
    if (entry.type !== 'directory') throw notADirectory(path);
  }

  /** For `mkdir -p`: the nearest ancestor that exists must be a folder. */
  async #checkNoFileAbove(at: Extract<Location, { kind: 'mount' }>): Promise<void> {
    for (let path = parentOf(at.path); path !== at.mount; path = parentOf(path)) {
      const entry = await this.#existing(path);
      if (entry === null) continue;
      if (entry.type !== 'directory') throw notADirectory(path);
      return;
    }
  }

  async #putFile(at: Extract<Location, { kind: 'mount' }>, bytes: Uint8Array): Promise<void> {
    const written = await this.#mount(at).write(at.relative, bytes);
    await this.#changed(at.path);
    const entry: ResourceEntry = { ...written, name: baseName(at.path), type: 'file', size: bytes.length };
    this.#index.putEntry(at.path, entry);
    this.#index.relist(parentOf(at.path), baseName(at.path), true);
    if (bytes.length > this.#largestCached) return this.#drop(at.path);
    const version = versionOf(entry, bytes.length);
    await this.#files.put(at.path, { version, bytes: bytes.slice() });
    this.#touched.set(at.path, version);
  }

  async #copyFile(from: string, to: Extract<Location, { kind: 'mount' }>): Promise<void> {
    const source = this.#locate(from);
    if (source.kind !== 'mount' || source.mount !== to.mount) return this.#putFile(to, await this.readFile(from));
    if (!(await this.#mount(to).copy(source.relative, to.relative))) throw notFound(from);
    await this.#changed(to.path);
    this.#index.forget(to.path); // the copy's version comes from the source when next asked
    this.#index.relist(parentOf(to.path), baseName(to.path), true);
    await this.#drop(to.path);
  }

  /**
   * Runs a change of what is at `path` and below it. Whether it succeeds or fails half way, what the index and
   * the file cache knew there is dropped, and a failure drops the folder's listing too: the source says what
   * is there now.
   */
  async #changing(path: string, change: () => Promise<void>): Promise<void> {
    try {
      await change();
    } catch (error) {
      this.#index.forget(parentOf(path));
      throw error;
    } finally {
      await this.#changed(path);
      await this.invalidate(path);
    }
  }

  /**
   * After a write at `path` (its folders exist, and still do): fetches under way record nothing, what a
   * snapshot said of the path no longer holds, and no workspace counts what the shared index held of its source.
   */
  async #changed(path: string): Promise<void> {
    this.#generation += 1;
    for (const fetching of this.#fetches.keys()) if (isWithin(fetching, path)) this.#fetches.delete(fetching);
    for (const paths of [this.#restored, this.#unverified, this.#drifted]) {
      for (const known of paths.keys()) if (isWithin(known, path)) paths.delete(known);
    }
    const at = this.#table.locate(path);
    const id = at.kind === 'mount' ? this.#sharedId(at) : undefined;
    if (id !== undefined) await this.#shared!.changed(id);
  }

  /**
   * Drift 'strict' and 'evict': the first read of a restored file asks its source for the version, with one
   * listing of its folder when that holds other unchecked restored files, else with one stat.
   */
  async #checkDrift(at: Extract<Location, { kind: 'mount' }>): Promise<void> {
    const drifted = this.#drifted.get(at.path);
    if (drifted !== undefined) throw drifted;
    const was = this.#unverified.get(at.path);
    if (was === undefined) return;
    let now = this.#index.entry(at.path);
    if (now === undefined && this.#unverifiedSiblings(at.path) > 0) {
      await this.ls(parentOf(at.path)).catch(() => undefined); // a folder gone: the stat below says so
      now = this.#index.entry(at.path);
    }
    if (now === undefined) now = await this.#statRemote(at);
    this.#unverified.delete(at.path);
    if (now !== null && now.type === 'file' && sameVersion(was, now)) return;
    if (this.#drift === 'strict') {
      const error = driftError(at.path, was, now);
      this.#drifted.set(at.path, error);
      throw error;
    }
  }

  #unverifiedSiblings(path: string): number {
    const folder = parentOf(path);
    let count = 0;
    for (const other of this.#unverified.keys()) if (other !== path && parentOf(other) === folder) count++;
    return count;
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
    const { value, expires } = await this.#statSource(at);
    this.#learn(at.path, value, expires);
    return value;
  }

  /** What the source says is at `at` (null: nothing). */
  #statSource(at: Extract<Location, { kind: 'mount' }>): Promise<Recalled<Known>> {
    return this.#askSource(at, (shared, id, folders) => shared.entry(id, at.relative, folders),
      async () => (await this.#mount(at).stat(at.relative)) ?? null);
  }

  /** The source's listing of `at` (undefined: no folder there). */
  #listSource(at: Extract<Location, { kind: 'mount' }>): Promise<Recalled<Listing | undefined>> {
    return this.#askSource(at, (shared, id, folders) => shared.listing(id, at.relative, folders), () => this.#mount(at).list(at.relative));
  }

  /** The source's answer as the shared index recorded it (`look`), else from the source (`ask`), recorded there. */
  async #askSource<T>(
    at: Extract<Location, { kind: 'mount' }>,
    look: (shared: SharedIndex, id: string, unlistedFolders: string[]) => Promise<Lookup<T>>,
    ask: () => Promise<T>,
  ): Promise<Recalled<T>> {
    const id = this.#sharedId(at);
    const lookup = id === undefined ? undefined : await look(this.#shared!, id, this.#unlistedFolders(at));
    for (const { directory, listing, expires } of lookup?.listings ?? []) {
      this.#learnListing(directory === '' ? at.mount : `${at.mount}/${directory}`, listing, expires);
    }
    if (lookup?.found !== undefined) return lookup.found;
    const answer = await ask();
    lookup?.remember(answer);
    return { value: answer, expires: Infinity };
  }

  /** The `id` the shared index knows the source of `at` by; undefined when there is no shared index or no id. */
  #sharedId(at: Extract<Location, { kind: 'mount' }>): string | undefined {
    return this.#shared === undefined ? undefined : this.#mount(at).resource.id;
  }

  /** The folders above `at` in its mount whose listing the index lacks, nearest first, as paths in the source. */
  #unlistedFolders(at: Extract<Location, { kind: 'mount' }>): string[] {
    const folders: string[] = [];
    for (let path = at.path; path !== at.mount; ) {
      path = parentOf(path);
      if (this.#index.listing(path) === undefined) folders.push(path === at.mount ? '' : path.slice(at.mount.length + 1));
    }
    return folders;
  }

  /** Records a source's listing of folder `path`, as `#learn` an entry; returns what it says, path by path. */
  #learnListing(path: string, listing: Listing, expires: number): ReturnType<typeof expandListing> {
    // A snapshot listed as a file what its source lists as a folder: the source wins.
    if (this.#restored.has(path)) this.#learn(path, { name: baseName(path), type: 'directory', size: 0 });
    this.#index.putListing(path, listing, expires);
    const expanded = expandListing(path, listing);
    for (const [file, version] of this.#touched) {
      const entry = expanded.entries.get(file);
      if (entry !== undefined && (entry.type !== 'file' || !sameVersion(version, entry))) void this.#drop(file);
    }
    return expanded;
  }

  /** Records what a source said of `path`, dropping cached bytes it shows to be out of date. */
  #learn(path: string, entry: Known, expires = Infinity): void {
    this.#restored.delete(path);
    this.#index.putEntry(path, entry, expires);
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
    const { value: listing, expires } = await this.#listSource(at);
    if (listing === undefined) {
      const known = at.relative === '' ? null : await this.#statRemote(at);
      if (known?.type === 'file') throw invalidArg(`${at.path} is not a directory`);
      if (at.relative !== '') throw notFound(at.path);
      return [];
    }
    const { entries, listings } = this.#learnListing(at.path, listing, expires);
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
      const started = this.#fetchOnce(at).finally(() => {
        if (this.#fetches.get(at.path) === started) this.#fetches.delete(at.path);
      });
      this.#fetches.set(at.path, started);
      return started;
    }
    return fetching;
  }

  async #fetchOnce(at: Extract<Location, { kind: 'mount' }>): Promise<CachedFile> {
    const generation = this.#generation;
    const result = await this.#mount(at).read(at.relative);
    if (result === undefined) {
      const entry = await this.stat(at.path); // a directory, or ERR_NOT_FOUND
      throw invalidArg(`${entry.path} is a directory`);
    }
    const { bytes } = result;
    const version = versionOf(result.entry, bytes.length);
    if (generation !== this.#generation) return { version, bytes }; // written meanwhile: these may be older
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
    const restoring: string[] = [];
    try {
      this.loaded = await readSnapshot(await snapshotTar(source, this.#gzipCodec()), {
        // A file too large to cache is read from its source in ranges, as if it had never been read.
        accepts: ({ path, version }) => version.size <= this.#largestCached && this.#files.holds(path) && inMount(path),
        restore: async ({ path, version, bytes }) => {
          restoring.push(path);
          await this.#files.put(path, { version, bytes });
          this.#touched.set(path, version);
          if (this.#drift !== 'off') {
            this.#unverified.set(path, version);
            return;
          }
          // The snapshot says what version these bytes are; trust it as a fresh stat so replaying reads them locally.
          this.#index.putEntry(path, { name: baseName(path), type: 'file', ...version });
          this.#restored.add(path);
        },
      }, onProgress);
    } catch (error) {
      // A compressed archive's checksum is checked only at its end: what came before may be damaged, and a
      // persistent tier (disk, IndexedDB) would keep it. Nothing of a failed load stays.
      for (const path of restoring) await this.#drop(path);
      throw error;
    }
  }
}
