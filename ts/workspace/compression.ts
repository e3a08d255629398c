// Compressed snapshots: the format is told from the archive's first bytes (never from a file name), gzip is
// read and written through the build's codec (zlib in Node, CompressionStream in browsers), and formats with no
// codec here are refused by name. Every stream stays a stream: no archive is ever whole in memory.
import { invalidArg, messageOf, StrataError } from '../errors.js';
import { type ByteInput, ByteSource } from './byte-source.js';
import type { TarSink } from './tar.js';

/** How `snapshot()` writes the archive: gzip, or a plain tar. */
export type SnapshotCompression = 'gzip' | 'none';

/** A streaming byte transform: chunks in, chunks out, pulled as the reader asks for them. */
export type ByteTransform = (input: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>;

/** gzip as each build has it. `gunzip` fails on a damaged or truncated stream (any error; mapped here). */
export interface GzipCodec {
  gzip: ByteTransform;
  gunzip: ByteTransform;
}

type ArchiveFormat = 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'lzip';

const MAGIC: Array<[Exclude<ArchiveFormat, 'tar'>, number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]], // 'BZh'
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['lzip', [0x4c, 0x5a, 0x49, 0x50]], // 'LZIP'
];
const MAGIC_LENGTH = Math.max(...MAGIC.map(([, magic]) => magic.length));

function formatOf(head: Uint8Array): ArchiveFormat {
  const found = MAGIC.find(([, magic]) => magic.every((byte, i) => head[i] === byte));
  return found?.[0] ?? 'tar';
}

export function checkCompression(value: unknown): SnapshotCompression {
  if (value === undefined || value === 'none') return 'none';
  if (value === 'gzip') return 'gzip';
  throw invalidArg(`compression must be 'gzip' or 'none', not ${JSON.stringify(value)}`);
}

/**
 * The decoded stream with its failures as ERR_CORRUPT, except a failure of `input` itself (a file that cannot
 * be read), which comes out as it was: a decoder reports both alike.
 */
async function* decoded(transform: ByteTransform, input: AsyncIterable<Uint8Array>, format: string): AsyncGenerator<Uint8Array> {
  let inputFailure: unknown;
  async function* watched(): AsyncGenerator<Uint8Array> {
    try {
      yield* input;
    } catch (error) {
      inputFailure = error;
      throw error;
    }
  }
  try {
    yield* transform(watched());
  } catch (error) {
    if (inputFailure !== undefined) throw inputFailure;
    throw new StrataError('ERR_CORRUPT', `snapshot: the ${format} stream is damaged or truncated (${messageOf(error)})`, { cause: error });
  }
}

/**
 * The tar inside a snapshot archive, told from its first bytes: a plain tar as it is, gzip decompressed as it is
 * read. bzip2, xz, zstd and lzip are refused with ERR_UNSUPPORTED naming the format.
 */
export async function snapshotTar(input: ByteInput, codec: GzipCodec): Promise<AsyncIterable<Uint8Array>> {
  const source = new ByteSource(input);
  const head = await source.read(MAGIC_LENGTH);
  const format = formatOf(head);
  if (format !== 'tar' && format !== 'gzip') {
    await source.close();
    throw new StrataError('ERR_UNSUPPORTED', `snapshot: ${format} archives cannot be read; recompress it with gzip (or none)`);
  }
  async function* all(): AsyncGenerator<Uint8Array> {
    yield head;
    yield* source.rest();
  }
  return format === 'gzip' ? decoded(codec.gunzip, all(), format) : all();
}

/**
 * A sink that compresses what it is given into `sink`, with `finish()` to end the stream. One chunk at a time is
 * in flight: a write resolves once the compressor asks for the next chunk, so memory stays bounded.
 */
export function gzipSink(sink: TarSink, codec: GzipCodec): { sink: TarSink; finish(): Promise<void> } {
  let next: Uint8Array | undefined;
  let ended = false;
  let failure: unknown;
  let wakeReader = (): void => undefined;
  let wakeWriter = (): void => undefined;
  async function* input(): AsyncGenerator<Uint8Array> {
    for (;;) {
      while (next === undefined && !ended) await new Promise<void>((resolve) => (wakeReader = resolve));
      if (next === undefined) return;
      const chunk = next;
      next = undefined;
      yield chunk;
      wakeWriter();
    }
  }
  const pumped = (async () => {
    for await (const chunk of codec.gzip(input())) await sink(chunk);
  })();
  pumped.catch((error: unknown) => {
    failure = error;
    wakeWriter();
  });
  const checkFailure = (): void => {
    if (failure !== undefined) throw failure;
  };
  return {
    sink: async (chunk) => {
      checkFailure();
      // A copy: the tar writer may reuse a file's buffer once its write has settled, while gzip still holds it.
      next = chunk.slice();
      const taken = new Promise<void>((resolve) => (wakeWriter = resolve));
      wakeReader();
      await taken;
      checkFailure();
    },
    finish: async () => {
      checkFailure();
      ended = true;
      wakeReader();
      await pumped;
    },
  };
}
