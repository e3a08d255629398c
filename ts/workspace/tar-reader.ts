// Reads a tar archive as it streams in: POSIX ustar and pax (per-entry 'x' and global 'g' headers), and GNU
// tar's default format (long names in 'L'/'K' entries, base-256 numbers). Entries come out one at a time, so a
// caller can report progress and stop early.
import { invalidArg } from '../errors.js';
import { ByteSource, type ByteInput } from './byte-source.js';
import {
  BLOCK_SIZE,
  corrupt,
  decodeHeader,
  GNU_LONG_LINK,
  GNU_LONG_NAME,
  type HeaderFields,
  isZeroBlock,
  PAX_GLOBAL_HEADER,
  PAX_HEADER,
  paddingFor,
  type TarEntryType,
  typeOfFlag,
} from './tar-header.js';
import { parsePaxRecords, paxOverrides } from './tar-pax.js';
import { checkTarEntry, normalizeTarPath } from './tar-paths.js';

export interface TarEntry {
  /** '/'-separated, without '.' segments or a trailing '/' (see `normalizeTarPath`). */
  path: string;
  type: TarEntryType;
  /** Bytes of a file; 0 for every other type. */
  size: number;
  /** Last modification, ms since the Unix epoch. */
  mtimeMs: number;
  /** Permission bits, e.g. 0o644. */
  mode: number;
  /** A link's target; only on symlinks and hardlinks, which `checkTarEntry` refuses. */
  linkPath?: string;
  /** A file's contents (may share memory with the input chunks); empty for every other type. */
  bytes: Uint8Array;
}

/** An entry before its data is read: `read()` returns a file's bytes, once; data not read is skipped unread. */
export type TarEntryHead = Omit<TarEntry, 'bytes'> & { read(): Promise<Uint8Array> };

export interface ReadTarOptions {
  /**
   * Yield every entry as it is, links, devices and paths outside the root included, instead of refusing them
   * with `checkTarEntry`. For listing an archive, never for restoring one.
   */
  allowUnsafe?: boolean;
}

/** Longer pax or GNU long-name data than any real path needs means a damaged or hostile archive. */
const MAX_META_BYTES = 1024 * 1024;

/**
 * Bytes read on after the end-of-archive block, holding none: a compressed stream checks its checksum only at its
 * end (GNU tar pads to a 10 KiB record before it), and a stream that goes on past this is not read to its end.
 */
const MAX_TRAILING_BYTES = 16 * 1024 * 1024;

const decoder = new TextDecoder();

/** What the headers before an entry ('x', 'L', 'K') say about it, over what the global 'g' headers say. */
interface PendingMeta {
  pax: Record<string, string | undefined>;
  longName?: string;
  longLink?: string;
}

function checkDataLength(source: ByteSource, got: number, size: number, what: string): void {
  if (got < size) {
    throw corrupt(`archive is truncated: it ends inside the data of ${what} (byte ${source.offset}; ${got} of ${size} bytes)`);
  }
}

async function skipPadding(source: ByteSource, size: number, what: string): Promise<void> {
  const padding = paddingFor(size);
  if ((await source.skip(padding)) < padding) throw corrupt(`archive is truncated: it ends inside the padding after ${what}`);
}

/** Reads `size` bytes of an entry's data and skips the padding after it. */
async function readData(source: ByteSource, size: number, what: string): Promise<Uint8Array> {
  const data = await source.read(size);
  checkDataLength(source, data.length, size, what);
  await skipPadding(source, size, what);
  return data;
}

/** Passes over an entry's data and padding without holding them. */
async function skipData(source: ByteSource, size: number, what: string): Promise<void> {
  checkDataLength(source, await source.skip(size), size, what);
  await skipPadding(source, size, what);
}

async function readMeta(source: ByteSource, header: HeaderFields, what: string): Promise<Uint8Array> {
  if (header.size > MAX_META_BYTES) throw corrupt(`${what} holds ${header.size} bytes, more than any path needs`);
  return readData(source, header.size, what);
}

/** A NUL-terminated GNU long name or link target. */
function gnuLongString(data: Uint8Array): string {
  const end = data.indexOf(0);
  return decoder.decode(end === -1 ? data : data.subarray(0, end));
}

function entryType(typeflag: string, rawPath: string): TarEntryType {
  const type = typeOfFlag(typeflag);
  // Old tars mark a directory only by the trailing '/'.
  return type === 'file' && rawPath.endsWith('/') ? 'directory' : type;
}

/**
 * The entries of a tar archive, in order. Header checksums are verified. A damaged or truncated archive rejects
 * with StrataError `ERR_CORRUPT` saying what is wrong and at which byte and entry; unless `allowUnsafe`, an entry
 * that `checkTarEntry` refuses rejects with `ERR_INVALID_ARG`, and nothing after it is yielded. The archive's
 * root directory ('./') is not yielded.
 */
export async function* readTar(input: ByteInput, options: ReadTarOptions = {}): AsyncGenerator<TarEntry, void, undefined> {
  for await (const { read, ...entry } of readTarHeads(input, options)) yield { ...entry, bytes: await read() };
}

/**
 * The entries of a tar archive as `readTar` gives them, each before its data: a caller that refuses or skips an
 * entry from its header (its path, its size) never has its data in memory.
 */
export async function* readTarHeads(input: ByteInput, options: ReadTarOptions = {}): AsyncGenerator<TarEntryHead, void, undefined> {
  const source = new ByteSource(input);
  const globalPax: Record<string, string | undefined> = {};
  let pending: PendingMeta = { pax: {} };
  let entryNumber = 0;
  try {
    for (;;) {
      const headerOffset = source.offset;
      const block = await source.read(BLOCK_SIZE);
      if (block.length === 0) {
        throw corrupt(`archive is truncated: it ends at byte ${headerOffset} without the zero blocks that close a tar`);
      }
      if (block.length < BLOCK_SIZE) {
        throw corrupt(`archive is truncated: it ends inside the header at byte ${headerOffset} (${block.length} of ${BLOCK_SIZE} bytes)`);
      }
      if (isZeroBlock(block)) {
        if (Object.keys(pending.pax).length > 0 || pending.longName !== undefined || pending.longLink !== undefined) {
          throw corrupt(`archive is damaged: the zero block at byte ${headerOffset} follows a pax or long-name header with no entry`);
        }
        await source.skip(MAX_TRAILING_BYTES);
        return;
      }
      const where = `header at byte ${headerOffset} (entry #${entryNumber + 1})`;
      const header = decodeHeader(block, where);
      switch (header.typeflag) {
        case PAX_HEADER:
          parsePaxRecords(await readMeta(source, header, `pax header at byte ${headerOffset}`), where, pending.pax);
          continue;
        case PAX_GLOBAL_HEADER:
          parsePaxRecords(await readMeta(source, header, `global pax header at byte ${headerOffset}`), where, globalPax);
          continue;
        case GNU_LONG_NAME:
          pending.longName = gnuLongString(await readMeta(source, header, `GNU long name at byte ${headerOffset}`));
          continue;
        case GNU_LONG_LINK:
          pending.longLink = gnuLongString(await readMeta(source, header, `GNU long link at byte ${headerOffset}`));
          continue;
      }
      entryNumber++;
      const overrides = paxOverrides({ ...globalPax, ...pending.pax }, where);
      const rawPath = overrides.path ?? pending.longName ?? header.name;
      const linkPath = overrides.linkpath ?? pending.longLink ?? header.linkname;
      pending = { pax: {} };

      const type = entryType(header.typeflag, rawPath);
      const path = normalizeTarPath(rawPath);
      // Only files (and types tar does not know, which POSIX reads as files) have data blocks.
      const hasData = type === 'file' || type === 'other';
      const size = hasData ? (overrides.size ?? header.size) : 0;
      if (type === 'directory' && path === '') continue;
      if (!options.allowUnsafe) checkTarEntry({ path, type });

      const what = `entry #${entryNumber} ${JSON.stringify(path)}`;
      let consumed = !hasData;
      let bytes: Uint8Array = new Uint8Array(0);
      let passed = false;
      const read = async (): Promise<Uint8Array> => {
        if (passed) throw invalidArg(`${what}: its data was passed over; read() it before asking for the next entry`);
        if (!consumed) {
          consumed = true;
          const data = await readData(source, size, what);
          if (type === 'file') bytes = data;
        }
        return bytes;
      };
      yield {
        path,
        type,
        size: type === 'file' ? size : 0,
        mtimeMs: overrides.mtimeMs ?? header.mtimeSeconds * 1000,
        mode: header.mode & 0o7777,
        ...((type === 'symlink' || type === 'hardlink') && { linkPath }),
        read,
      };
      passed = true;
      if (!consumed) {
        consumed = true;
        await skipData(source, size, what);
      }
    }
  } finally {
    await source.close();
  }
}
