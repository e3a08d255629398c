// Writes a POSIX tar archive (ustar headers, with a pax header in front of an entry whose path, size or time
// the ustar fields cannot hold) to a sink, one entry at a time: the archive is never held in memory whole.
import { invalidArg, StrataError } from '../errors.js';
import { concatBytes } from './bytes.js';
import {
  BLOCK_SIZE,
  encodeHeader,
  MAX_OCTAL_NUMBER,
  NAME_LENGTH,
  PAX_HEADER,
  paddingFor,
  PREFIX_LENGTH,
} from './tar-header.js';
import { encodePaxRecords, paxTime } from './tar-pax.js';
import { normalizeTarPath, unsafePathReason } from './tar-paths.js';

/** Receives the archive's bytes in order; the writer waits for a returned promise before the next chunk. */
export type TarSink = (chunk: Uint8Array) => void | Promise<void>;

export interface TarEntryOptions {
  /** Last modification, ms since the Unix epoch; default now. Stored in whole seconds unless out of range. */
  mtimeMs?: number;
  /** Permission bits; default 0o644 for files, 0o755 for directories. */
  mode?: number;
}

const FILE_TYPEFLAG = '0';
const DIRECTORY_TYPEFLAG = '5';
const END_OF_ARCHIVE = 2 * BLOCK_SIZE;

interface EntryToWrite {
  /** Normalized, with a trailing '/' for a directory as tar writes it. */
  path: string;
  typeflag: string;
  size: number;
  mtimeMs: number;
  mode: number;
}

const isAscii = (text: string): boolean => /^[\x20-\x7e]*$/.test(text);

/** Splits an ASCII path into ustar's prefix and name at a '/', or undefined when no split fits. */
function splitForUstar(path: string): { prefix: string; name: string } | undefined {
  if (path.length <= NAME_LENGTH) return { prefix: '', name: path };
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
    const name = path.slice(slash + 1);
    if (slash > PREFIX_LENGTH) return undefined;
    if (name.length <= NAME_LENGTH && name !== '') return { prefix: path.slice(0, slash), name };
  }
  return undefined;
}

/** The header blocks of one entry, as one chunk: a pax header first when ustar alone cannot say it all. */
function entryHeaders(entry: EntryToWrite): Uint8Array {
  const mtimeSeconds = Math.floor(entry.mtimeMs / 1000);
  const ustarPath = isAscii(entry.path) ? splitForUstar(entry.path) : undefined;
  const sizeFits = entry.size <= MAX_OCTAL_NUMBER;
  const mtimeFits = mtimeSeconds >= 0 && mtimeSeconds <= MAX_OCTAL_NUMBER;
  const records: Array<[string, string]> = [];
  if (ustarPath === undefined) records.push(['path', entry.path]);
  if (!sizeFits) records.push(['size', String(entry.size)]);
  if (!mtimeFits) records.push(['mtime', paxTime(entry.mtimeMs)]);

  // A reader that does not know pax still gets a readable (if shortened) name from the ustar header.
  const fallbackName = entry.path.replace(/[^\x20-\x7e]/g, '_').slice(-NAME_LENGTH);
  const header = encodeHeader({
    ...(ustarPath ?? { prefix: '', name: fallbackName }),
    typeflag: entry.typeflag,
    mode: entry.mode,
    size: sizeFits ? entry.size : 0,
    mtimeSeconds: mtimeFits ? mtimeSeconds : 0,
  });
  if (records.length === 0) return header;

  const pax = encodePaxRecords(records);
  const paxHeader = encodeHeader({
    prefix: '',
    name: `PaxHeaders/${fallbackName}`.slice(0, NAME_LENGTH),
    typeflag: PAX_HEADER,
    mode: 0o644,
    size: pax.length,
    mtimeSeconds: mtimeFits ? mtimeSeconds : 0,
  });
  return concatBytes([paxHeader, pax, new Uint8Array(paddingFor(pax.length)), header]);
}

function checkedPath(path: unknown): string {
  if (typeof path !== 'string') throw invalidArg('a tar entry path must be a string');
  const normalized = normalizeTarPath(path);
  const reason = unsafePathReason(normalized);
  if (reason !== undefined) throw invalidArg(`tar entry ${JSON.stringify(path)} ${reason}`);
  return normalized;
}

/** A streamed file's parts: its headers, its chunks (checked against the declared size), its padding. */
async function* streamedFile(
  headers: Uint8Array,
  name: string,
  size: number,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  yield headers;
  let written = 0;
  for await (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) throw invalidArg(`${name}: chunks must be Uint8Array`);
    written += chunk.length;
    if (written > size) throw invalidArg(`${name}: its chunks hold more than the ${size} bytes declared`);
    yield chunk;
  }
  if (written < size) throw invalidArg(`${name}: its chunks hold ${written} of the ${size} bytes declared`);
  yield new Uint8Array(paddingFor(size));
}

function checkedOptions(options: TarEntryOptions, defaultMode: number): { mtimeMs: number; mode: number } {
  const { mtimeMs = Date.now(), mode = defaultMode } = options;
  if (!Number.isFinite(mtimeMs)) throw invalidArg(`tar entry mtimeMs must be a finite number, not ${mtimeMs}`);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    throw invalidArg(`tar entry mode must be permission bits from 0 to 0o7777, not ${mode}`);
  }
  return { mtimeMs, mode };
}

/**
 * Writes a tar archive to `sink`. Calls may be made without waiting: entries are written in call order. Each
 * returned promise settles once the entry's bytes are in the sink (so `bytes` must not change until then). Once
 * the archive is broken (the sink failed, a streamed file did not match its size) every later call rejects with
 * that error. Paths are refused as `readTar` would refuse them.
 */
export class TarWriter {
  readonly #sink: TarSink;
  #bytesWritten = 0;
  #queue: Promise<void> = Promise.resolve();
  #finished: Promise<void> | undefined;

  constructor(sink: TarSink) {
    if (typeof sink !== 'function') throw invalidArg('TarWriter needs a sink function');
    this.#sink = sink;
  }

  /** Bytes the sink has taken so far, for progress reports. */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  addFile(path: string, bytes: Uint8Array, options: TarEntryOptions = {}): Promise<void> {
    return this.#add(() => {
      if (!(bytes instanceof Uint8Array)) throw invalidArg(`tar entry ${JSON.stringify(path)}: bytes must be a Uint8Array`);
      const entry = { path: checkedPath(path), typeflag: FILE_TYPEFLAG, size: bytes.length, ...checkedOptions(options, 0o644) };
      // The file's bytes go to the sink as they were given, without a copy.
      return [entryHeaders(entry), bytes, new Uint8Array(paddingFor(bytes.length))];
    });
  }

  /**
   * A file whose bytes arrive in chunks, for one too large to hold in memory. `size` goes in the header first,
   * so chunks holding another number of bytes reject with `ERR_INVALID_ARG` and break the archive.
   */
  addFileStream(
    path: string,
    size: number,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: TarEntryOptions = {},
  ): Promise<void> {
    return this.#add(() => {
      const name = `tar entry ${JSON.stringify(path)}`;
      if (!Number.isSafeInteger(size) || size < 0) throw invalidArg(`${name}: size must be a byte count, not ${size}`);
      if (typeof chunks !== 'object' || chunks === null || !(Symbol.asyncIterator in chunks || Symbol.iterator in chunks)) {
        throw invalidArg(`${name}: chunks must be an (async) iterable of Uint8Array`);
      }
      const entry = { path: checkedPath(path), typeflag: FILE_TYPEFLAG, size, ...checkedOptions(options, 0o644) };
      return streamedFile(entryHeaders(entry), name, size, chunks);
    });
  }

  addDirectory(path: string, options: TarEntryOptions = {}): Promise<void> {
    return this.#add(() => {
      const entry = { path: `${checkedPath(path)}/`, typeflag: DIRECTORY_TYPEFLAG, size: 0, ...checkedOptions(options, 0o755) };
      return [entryHeaders(entry)];
    });
  }

  /** Writes the two zero blocks that end an archive. Later calls return the same promise; adding rejects. */
  finish(): Promise<void> {
    this.#finished ??= this.#enqueue([new Uint8Array(END_OF_ARCHIVE)]);
    return this.#finished;
  }

  /** Checks the arguments now, so that a bad call rejects without breaking the archive for later ones. */
  #add(prepare: () => Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    if (this.#finished !== undefined) return Promise.reject(new StrataError('ERR_CLOSED', 'the tar archive is already finished'));
    try {
      return this.#enqueue(prepare());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #enqueue(parts: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
    this.#queue = this.#queue.then(async () => {
      for await (const part of parts) {
        if (part.length === 0) continue;
        await this.#sink(part);
        this.#bytesWritten += part.length;
      }
    });
    return this.#queue;
  }
}

/** Builds a whole archive in memory: `write` adds the entries, and the archive is finished after it. */
export async function tarToBytes(write: (writer: TarWriter) => Promise<void> | void): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  // A copy, as the caller may reuse a file's buffer once its addFile has settled.
  const writer = new TarWriter((chunk) => void chunks.push(chunk.slice()));
  await write(writer);
  await writer.finish();
  return concatBytes(chunks);
}
