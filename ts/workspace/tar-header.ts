// The 512-byte tar header block: the POSIX ustar layout, read leniently enough for what GNU tar writes in the
// same layout (its 'ustar  ' magic, base-256 numbers, no prefix field) and for old v7 headers.
import { StrataError } from '../errors.js';

export const BLOCK_SIZE = 512;

/** What an archive entry is, from its typeflag. */
export type TarEntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  | 'character-device'
  | 'block-device'
  | 'fifo'
  | 'other';

/** Typeflags of headers that describe the next entry rather than being one. */
export const PAX_HEADER = 'x';
export const PAX_GLOBAL_HEADER = 'g';
export const GNU_LONG_NAME = 'L';
export const GNU_LONG_LINK = 'K';

const TYPE_BY_FLAG: Readonly<Record<string, TarEntryType>> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: a regular file on every system that matters
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

export const typeOfFlag = (typeflag: string): TarEntryType => TYPE_BY_FLAG[typeflag] ?? 'other';

/** [offset, length] of each header field. */
const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  prefix: [345, 155],
} as const;
type FieldName = keyof typeof FIELD;

export const NAME_LENGTH = FIELD.name[1];
export const PREFIX_LENGTH = FIELD.prefix[1];
/** The largest size or mtime that the 12-byte octal fields hold (11 digits and a NUL). */
export const MAX_OCTAL_NUMBER = 8 ** 11 - 1;

const POSIX_MAGIC = 'ustar\0';

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** The fields of a header block as stored, before pax or GNU long-name headers override any of them. */
export interface HeaderFields {
  /** The name, joined with the ustar prefix when there is one. */
  name: string;
  typeflag: string;
  mode: number;
  size: number;
  mtimeSeconds: number;
  linkname: string;
}

export function corrupt(message: string): StrataError {
  return new StrataError('ERR_CORRUPT', message);
}

export const isZeroBlock = (block: Uint8Array): boolean => block.every((byte) => byte === 0);

/** The zero bytes that round `size` up to whole blocks. */
export const paddingFor = (size: number): number => (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;

const fieldBytes = (block: Uint8Array, field: FieldName): Uint8Array =>
  block.subarray(FIELD[field][0], FIELD[field][0] + FIELD[field][1]);

/** A NUL-terminated string field. */
function readString(block: Uint8Array, field: FieldName): string {
  const bytes = fieldBytes(block, field);
  const end = bytes.indexOf(0);
  return utf8.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

/** An octal field, or GNU's base-256 form (high bit set) for values octal cannot hold. */
function readNumber(block: Uint8Array, field: FieldName, where: string): number {
  const bytes = fieldBytes(block, field);
  if ((bytes[0]! & 0x80) !== 0) return readBase256(bytes, field, where);
  const text = String.fromCharCode(...bytes).replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (!/^[0-7]*$/.test(text)) throw corrupt(`${where}: the ${field} field is not an octal number (${JSON.stringify(text)})`);
  return text === '' ? 0 : parseInt(text, 8);
}

function readBase256(bytes: Uint8Array, field: FieldName, where: string): number {
  const negative = bytes[0] === 0xff;
  let value = BigInt(bytes[0]! & 0x7f);
  for (const byte of bytes.subarray(1)) value = (value << 8n) | BigInt(byte);
  if (negative) value -= 1n << BigInt(bytes.length * 8);
  const result = Number(value);
  if (!Number.isSafeInteger(result)) throw corrupt(`${where}: the ${field} field is out of range`);
  return result;
}

/** Sum of the block's bytes with the checksum field counted as spaces; `signed` as some old tars summed. */
function checksumOf(block: Uint8Array, signed: boolean): number {
  const [start, length] = FIELD.checksum;
  let sum = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const byte = i >= start && i < start + length ? 0x20 : block[i]!;
    sum += signed && byte > 127 ? byte - 256 : byte;
  }
  return sum;
}

/** Decodes a non-zero header block; `where` (e.g. 'header at byte 1024') starts every error message. */
export function decodeHeader(block: Uint8Array, where: string): HeaderFields {
  const stored = readNumber(block, 'checksum', where);
  if (stored !== checksumOf(block, false) && stored !== checksumOf(block, true)) {
    throw corrupt(
      `${where}: checksum mismatch (stored ${stored.toString(8)}, computed ${checksumOf(block, false).toString(8)}); ` +
        'the archive is damaged or not a tar',
    );
  }
  const magic = String.fromCharCode(...fieldBytes(block, 'magic'));
  const name = readString(block, 'name');
  // GNU's format keeps other fields where ustar has the prefix; only POSIX ustar has one.
  const prefix = magic === POSIX_MAGIC ? readString(block, 'prefix') : '';
  return {
    name: prefix === '' ? name : `${prefix}/${name}`,
    typeflag: String.fromCharCode(block[FIELD.typeflag[0]]!),
    mode: readNumber(block, 'mode', where),
    size: readNumber(block, 'size', where),
    mtimeSeconds: readNumber(block, 'mtime', where),
    linkname: readString(block, 'linkname'),
  };
}

/** The fields a written header holds; `name` and `prefix` are ASCII and already fit their fields. */
export interface HeaderToWrite {
  name: string;
  prefix: string;
  typeflag: string;
  mode: number;
  size: number;
  mtimeSeconds: number;
}

function writeString(block: Uint8Array, field: FieldName, value: string): void {
  block.set(encoder.encode(value).subarray(0, FIELD[field][1]), FIELD[field][0]);
}

/** Octal digits filling the field but for a closing NUL. */
function writeOctal(block: Uint8Array, field: FieldName, value: number): void {
  writeString(block, field, `${value.toString(8).padStart(FIELD[field][1] - 1, '0')}\0`);
}

export function encodeHeader(header: HeaderToWrite): Uint8Array {
  const block = new Uint8Array(BLOCK_SIZE);
  writeString(block, 'name', header.name);
  writeOctal(block, 'mode', header.mode);
  writeOctal(block, 'uid', 0);
  writeOctal(block, 'gid', 0);
  writeOctal(block, 'size', header.size);
  writeOctal(block, 'mtime', header.mtimeSeconds);
  writeString(block, 'typeflag', header.typeflag);
  writeString(block, 'magic', POSIX_MAGIC);
  writeString(block, 'version', '00');
  writeString(block, 'prefix', header.prefix);
  // Six digits, a NUL and a space, as GNU tar writes it.
  writeString(block, 'checksum', `${checksumOf(block, false).toString(8).padStart(6, '0')}\0 `);
  return block;
}
