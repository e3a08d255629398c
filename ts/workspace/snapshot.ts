// Snapshots: the cached bytes of a workspace's files as a tar that GNU tar reads. `manifest.json` comes first
// (the version of every file, so a restored file is checked like a fetched one, and totals for progress), then
// each file under `files/<virtual path>`. The index is not stored: it is cheap to rebuild and goes stale.
import { StrataError } from '../errors.js';
import type { CachedFile, FileVersion } from './file-cache.js';
import { isNormalisedPath, parentOf } from './paths.js';
import { readTarHeads, type TarSink, TarWriter } from './tar.js';

const MANIFEST = 'manifest.json';
const FORMAT = 'stratacache-workspace-snapshot';
const FILES = 'files';

export interface SnapshotFile {
  /** Virtual path. */
  path: string;
  version: FileVersion;
}

export interface SnapshotProgress {
  files: number;
  totalFiles: number;
  /** File bytes so far (not counting tar headers). */
  bytes: number;
  totalBytes: number;
}

export interface SnapshotReport extends SnapshotProgress {
  /** Files read through the workspace whose bytes were evicted before they could be written. */
  missing: string[];
}

export interface LoadProgress extends SnapshotProgress {
  /**
   * Files of the snapshot not restored: under mount points the loading workspace does not have, or larger than
   * it caches (a quarter of `cacheLimit`; it reads those from their source, in ranges).
   */
  skipped: number;
}

interface Manifest {
  format: typeof FORMAT;
  version: 1;
  created: string;
  files: Array<SnapshotFile>;
}

const corrupt = (message: string): StrataError => new StrataError('ERR_CORRUPT', `snapshot: ${message}`);

/**
 * Writes `files` whose bytes `get` still finds. `present` says which are cached before anything is written,
 * so the manifest (first in the archive) lists only those.
 */
export async function writeSnapshot(
  files: SnapshotFile[],
  present: (path: string) => Promise<boolean>,
  get: (path: string) => Promise<CachedFile | undefined>,
  sink: TarSink,
  onProgress?: (progress: SnapshotProgress) => void,
): Promise<SnapshotReport> {
  const missing: string[] = [];
  const listed: SnapshotFile[] = [];
  for (const file of files) {
    if (await present(file.path)) listed.push(file);
    else missing.push(file.path);
  }
  const manifest: Manifest = { format: FORMAT, version: 1, created: new Date().toISOString(), files: listed };
  const progress = { files: 0, totalFiles: listed.length, bytes: 0, totalBytes: listed.reduce((sum, f) => sum + f.version.size, 0) };
  const writer = new TarWriter(sink);
  await writer.addFile(MANIFEST, new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`));
  for (const { path, version } of listed) {
    const cached = await get(path);
    // Evicted (or replaced) since the manifest was written: the loader reports it as missing.
    if (cached === undefined || cached.version.size !== version.size || cached.version.etag !== version.etag) {
      missing.push(path);
      continue;
    }
    await writer.addFile(`${FILES}${path}`, cached.bytes, version.mtimeMs === undefined ? {} : { mtimeMs: version.mtimeMs });
    progress.files += 1;
    progress.bytes += cached.bytes.length;
    onProgress?.({ ...progress });
  }
  await writer.finish();
  return { ...progress, missing };
}

/** A manifest larger than this is refused from its header: a million files take about 150 MB. */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

function checkVersion(path: string, version: unknown): FileVersion {
  const { size, etag, mtimeMs } = (version ?? {}) as Partial<Record<keyof FileVersion, unknown>>;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw corrupt(`${MANIFEST} gives '${path}' a size that is not a byte count`);
  }
  if ((etag !== undefined && typeof etag !== 'string') || (mtimeMs !== undefined && !Number.isFinite(mtimeMs))) {
    throw corrupt(`${MANIFEST} gives '${path}' an ETag or mtime of the wrong type`);
  }
  return { size, ...(etag === undefined ? {} : { etag }), ...(mtimeMs === undefined ? {} : { mtimeMs: mtimeMs as number }) };
}

/**
 * The manifest's files by path. Each path must be a normalised virtual path, listed once, and no file may lie
 * below another (that one would be a folder: the file cache would hide what is below it).
 */
function parseManifest(bytes: Uint8Array): { created: string | undefined; versions: Map<string, FileVersion> } {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes)) as Manifest;
  } catch {
    throw corrupt(`${MANIFEST} is not JSON`);
  }
  if (manifest?.format !== FORMAT || manifest.version !== 1 || !Array.isArray(manifest.files)) {
    throw corrupt(`${MANIFEST} is not a version 1 ${FORMAT} manifest`);
  }
  const versions = new Map<string, FileVersion>();
  for (const file of manifest.files) {
    const path: unknown = file?.path;
    if (typeof path !== 'string' || !isNormalisedPath(path) || path === '/') {
      throw corrupt(`${MANIFEST} lists a file without a normalised absolute path: ${JSON.stringify(path)}`);
    }
    if (versions.has(path)) throw corrupt(`${MANIFEST} lists '${path}' twice`);
    versions.set(path, checkVersion(path, file.version));
  }
  for (const path of versions.keys()) {
    for (let parent = parentOf(path); parent !== '/'; parent = parentOf(parent)) {
      if (versions.has(parent)) throw corrupt(`${MANIFEST} lists '${parent}' as a file and '${path}' below it`);
    }
  }
  return { created: typeof manifest.created === 'string' ? manifest.created : undefined, versions };
}

/** Where a snapshot's files go: `accepts` says from a file's path and version whether to restore it. */
export interface SnapshotTarget {
  /** Called with when the snapshot was made (the manifest's `created`), once the manifest has been checked. */
  opened?(created: string | undefined): void;
  /** False skips the file without reading its bytes (a mount the workspace lacks, a file too large to cache). */
  accepts(file: SnapshotFile): boolean;
  restore(file: SnapshotFile & { bytes: Uint8Array }): Promise<void>;
}

/**
 * Reads a snapshot, restoring each file that `target` accepts. Refuses (ERR_CORRUPT) archives that are not
 * snapshots, bad manifests (see `parseManifest`), files the manifest does not list, lists at another size or
 * that come twice, and truncated or damaged archives; entries that escape the root or are links are
 * ERR_INVALID_ARG from the tar reader. Each file is judged from its header: a file refused or skipped is passed
 * over without its bytes in memory.
 */
export async function readSnapshot(
  source: Uint8Array | AsyncIterable<Uint8Array>,
  target: SnapshotTarget,
  onProgress?: (progress: LoadProgress) => void,
): Promise<LoadProgress & { missing: string[] }> {
  let versions: Map<string, FileVersion> | undefined;
  let progress: LoadProgress = { files: 0, totalFiles: 0, bytes: 0, totalBytes: 0, skipped: 0 };
  const seen = new Set<string>();
  for await (const entry of readTarHeads(source)) {
    if (versions === undefined) {
      if (entry.path !== MANIFEST || entry.type !== 'file') throw corrupt(`not a workspace snapshot: ${MANIFEST} is not its first entry`);
      if (entry.size > MAX_MANIFEST_BYTES) throw corrupt(`${MANIFEST} holds ${entry.size} bytes, more than ${MAX_MANIFEST_BYTES}`);
      const manifest = parseManifest(await entry.read());
      versions = manifest.versions;
      target.opened?.(manifest.created);
      const totalBytes = [...versions.values()].reduce((sum, version) => sum + version.size, 0);
      progress = { ...progress, totalFiles: versions.size, totalBytes };
      continue;
    }
    const path = entry.path.startsWith(`${FILES}/`) ? entry.path.slice(FILES.length) : undefined;
    if (entry.type === 'directory' && (path === undefined || !versions.has(path))) continue;
    if (entry.type !== 'file' || path === undefined) throw corrupt(`unexpected ${entry.type} entry '${entry.path}'`);
    const version = versions.get(path);
    if (version === undefined) throw corrupt(`'${entry.path}' is not in the manifest`);
    if (seen.has(path)) throw corrupt(`'${entry.path}' is in the archive twice`);
    if (version.size !== entry.size) throw corrupt(`'${entry.path}' holds ${entry.size} bytes, the manifest says ${version.size}`);
    seen.add(path);
    if (target.accepts({ path, version })) {
      await target.restore({ path, version, bytes: await entry.read() });
      progress.files += 1;
      progress.bytes += entry.size;
    } else {
      progress.skipped += 1;
    }
    onProgress?.({ ...progress });
  }
  if (versions === undefined) throw corrupt('the archive is empty');
  return { ...progress, missing: [...versions.keys()].filter((path) => !seen.has(path)) };
}

/** What a snapshot holds, checked as `readSnapshot` checks it, with no file's bytes read. */
export interface SnapshotContents {
  /** When it was made (ISO 8601), as its manifest says. */
  created: string | undefined;
  /** The files it holds, in archive order. */
  files: SnapshotFile[];
  /** Files its manifest lists that the archive lacks. */
  missing: string[];
}

export async function describeSnapshot(source: Uint8Array | AsyncIterable<Uint8Array>): Promise<SnapshotContents> {
  let created: string | undefined;
  const files: SnapshotFile[] = [];
  const { missing } = await readSnapshot(source, {
    opened: (when) => (created = when),
    accepts: (file) => {
      files.push(file);
      return false;
    },
    restore: async () => {},
  });
  return { created, files, missing };
}
