// The Node build's workspace: snapshots to and from tar files (gzip through zlib), and createReadStream as a
// Node Readable.
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';

import { fromNative, StrataError } from '../errors.js';
import type { GzipCodec, SnapshotCompression } from './compression.js';
import { nodeGzip } from './gzip-node.js';
import type { TarSink } from './tar.js';
import { type LoadOptions, type SnapshotOptions, type SnapshotReport, type StreamOptions, Workspace } from './workspace.js';

/** Chunks of a file on disk; ERR_NOT_FOUND if it does not exist. */
async function fileChunks(path: string): Promise<AsyncIterable<Uint8Array>> {
  try {
    await (await open(path, 'r')).close();
  } catch (error) {
    const code = (error as { code?: string }).code === 'ENOENT' ? 'ERR_NOT_FOUND' : 'ERR_IO';
    throw new StrataError(code, `cannot read snapshot ${path}: ${fromNative(error).message}`, { cause: error });
  }
  return createReadStream(path, { highWaterMark: 1024 * 1024 });
}

/**
 * A snapshot file's compression when the options do not say: gzip for `.tar.gz` and `.tgz`. Names of formats it
 * cannot write are refused rather than given a plain tar.
 */
function compressionByName(path: string): SnapshotCompression {
  if (/\.(tar\.gz|tgz)$/i.test(path)) return 'gzip';
  const other = /\.(?:tar\.)?(bz2|tbz2?|xz|txz|zst|tzst|lz)$/i.exec(path);
  if (other !== null) {
    throw new StrataError('ERR_UNSUPPORTED', `cannot write snapshot ${path}: .${other[1]} archives are not written; use .tar.gz or .tar`);
  }
  return 'none';
}

export class NodeWorkspace extends Workspace {
  static override gzipCodec: GzipCodec | undefined = nodeGzip;

  /**
   * Writes the snapshot to the file `dest` (a tar; gzip-compressed if its name ends in `.tar.gz` or `.tgz`, unless
   * `options.compression` says otherwise), atomically: a temporary file in the same folder, renamed over `dest`
   * once complete. A sink function or no argument work as in the browser build.
   */
  override async snapshot(dest: string | TarSink, options?: SnapshotOptions): Promise<SnapshotReport>;
  override async snapshot(dest?: undefined, options?: SnapshotOptions): Promise<SnapshotReport & { archive: Uint8Array }>;
  override async snapshot(dest?: string | TarSink, options: SnapshotOptions = {}): Promise<SnapshotReport & { archive?: Uint8Array }> {
    if (typeof dest !== 'string') return dest === undefined ? super.snapshot(undefined, options) : super.snapshot(dest, options);
    options = { ...options, compression: options.compression ?? compressionByName(dest) };
    const temporary = `${dest}.${process.pid}.${Date.now().toString(36)}.tmp`;
    let handle;
    try {
      handle = await open(temporary, 'wx');
    } catch (error) {
      throw new StrataError('ERR_IO', `cannot write snapshot ${dest}: ${fromNative(error).message}`, { cause: error });
    }
    try {
      const report = await super.snapshot(async (chunk) => void (await handle.write(chunk)), options);
      await handle.sync();
      await handle.close();
      await rename(temporary, dest);
      return report;
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** Opens a workspace and restores the snapshot in the tar file `source` (or bytes, or a stream of chunks). */
  static override async load<T extends typeof Workspace>(
    this: T,
    source: string | Uint8Array | AsyncIterable<Uint8Array>,
    options: LoadOptions,
  ): Promise<InstanceType<T>> {
    const chunks = typeof source === 'string' ? await fileChunks(source) : source;
    return Workspace.load.call(this, chunks, options) as Promise<InstanceType<T>>;
  }

  /** The file as a Node Readable stream of Buffers-compatible chunks. */
  createReadStream(path: string, options?: StreamOptions): Readable {
    return Readable.from(this.stream(path, options), { objectMode: false });
  }
}
