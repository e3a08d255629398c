// Snapshots: the cached bytes of a workspace's files as a tar that GNU tar reads. `manifest.json` comes first
// (the version of every file, so a restored file is checked like a fetched one, and totals for progress), then
// each file under `files/<virtual path>`. The index is not stored: it is cheap to rebuild and goes stale.
import { StrataError } from '../errors.js';
import type { CachedFile, FileVersion } from './file-cache.js';
import { readTar, type TarSink, TarWriter } from './tar.js';

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
  /** Files of the snapshot under mount points the loading workspace does not have. */
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

function parseManifest(bytes: Uint8Array): Map<string, FileVersion> {
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
    if (typeof file?.path !== 'string' || !file.path.startsWith('/') || typeof file.version?.size !== 'number') {
      throw corrupt(`${MANIFEST} lists a file without a path or size`);
    }
    versions.set(file.path, file.version);
  }
  return versions;
}

/**
 * Reads a snapshot, handing each file to `restore` (which returns false to skip it). Refuses archives that are
 * not snapshots, entries that escape the root or are links, files the manifest does not list or lists at
 * another size, and truncated or damaged archives (ERR_CORRUPT / ERR_INVALID_ARG from the tar reader).
 */
export async function readSnapshot(
  source: Uint8Array | AsyncIterable<Uint8Array>,
  restore: (file: SnapshotFile & { bytes: Uint8Array }) => Promise<boolean>,
  onProgress?: (progress: LoadProgress) => void,
): Promise<LoadProgress & { missing: string[] }> {
  let versions: Map<string, FileVersion> | undefined;
  let progress: LoadProgress = { files: 0, totalFiles: 0, bytes: 0, totalBytes: 0, skipped: 0 };
  const seen = new Set<string>();
  for await (const entry of readTar(source)) {
    if (versions === undefined) {
      if (entry.path !== MANIFEST || entry.type !== 'file') throw corrupt(`not a workspace snapshot: ${MANIFEST} is not its first entry`);
      versions = parseManifest(entry.bytes);
      const totalBytes = [...versions.values()].reduce((sum, version) => sum + version.size, 0);
      progress = { ...progress, totalFiles: versions.size, totalBytes };
      continue;
    }
    if (entry.type === 'directory') continue;
    if (entry.type !== 'file' || !entry.path.startsWith(`${FILES}/`)) throw corrupt(`unexpected entry '${entry.path}'`);
    const path = entry.path.slice(FILES.length);
    const version = versions.get(path);
    if (version === undefined) throw corrupt(`'${entry.path}' is not in the manifest`);
    if (version.size !== entry.bytes.length) {
      throw corrupt(`'${entry.path}' holds ${entry.bytes.length} bytes, the manifest says ${version.size}`);
    }
    seen.add(path);
    if (await restore({ path, version, bytes: entry.bytes })) {
      progress.files += 1;
      progress.bytes += entry.bytes.length;
    } else {
      progress.skipped += 1;
    }
    onProgress?.({ ...progress });
  }
  if (versions === undefined) throw corrupt('the archive is empty');
  return { ...progress, missing: [...versions.keys()].filter((path) => !seen.has(path)) };
}
