// POSIX pax extended header records: "<length> <key>=<value>\n", where length counts the whole record in bytes,
// its own digits included. They carry what the ustar fields cannot: long or non-ASCII paths, large sizes, and
// times outside the octal range.
import { corrupt } from './tar-header.js';

/** The pax keys this package reads; others (uid, atime, vendor keys) are skipped. */
export interface PaxOverrides {
  path?: string;
  linkpath?: string;
  size?: number;
  mtimeMs?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function encodeRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = encoder.encode(body).length;
  // The length counts its own digits, and adding them can add a digit (a 98-byte body makes a 101-byte record).
  let length = bodyBytes + 1;
  while (length !== bodyBytes + String(length).length) length = bodyBytes + String(length).length;
  return `${length}${body}`;
}

export function encodePaxRecords(records: ReadonlyArray<readonly [key: string, value: string]>): Uint8Array {
  return encoder.encode(records.map(([key, value]) => encodeRecord(key, value)).join(''));
}

/** A time in seconds as pax writes it: decimal, with a fraction only when there is one. */
export const paxTime = (mtimeMs: number): string => String(mtimeMs / 1000);

function parseSize(value: string, where: string): number {
  const size = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(size)) throw corrupt(`${where}: pax size ${JSON.stringify(value)} is not a byte count`);
  return size;
}

function parseTime(value: string, where: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(value)) throw corrupt(`${where}: pax mtime ${JSON.stringify(value)} is not a time`);
  return Math.round(Number(value) * 1000);
}

/**
 * Reads the records of one pax header into `into`. An empty value removes the key, as POSIX has it for undoing
 * a global header's value; `undefined` marks the removal so that it also overrides a global value.
 */
export function parsePaxRecords(body: Uint8Array, where: string, into: Record<string, string | undefined>): void {
  let position = 0;
  while (position < body.length) {
    const space = body.indexOf(0x20, position);
    const digits = space === -1 ? '' : decoder.decode(body.subarray(position, space));
    const length = /^\d+$/.test(digits) ? Number(digits) : NaN;
    const end = position + length;
    if (!Number.isSafeInteger(length) || length <= 0 || end > body.length || body[end - 1] !== 0x0a) {
      throw corrupt(`${where}: malformed pax record at byte ${position} of the header's data`);
    }
    const record = decoder.decode(body.subarray(space + 1, end - 1));
    const equals = record.indexOf('=');
    if (equals <= 0) throw corrupt(`${where}: pax record at byte ${position} has no key=value`);
    const value = record.slice(equals + 1);
    into[record.slice(0, equals)] = value === '' ? undefined : value;
    position = end;
  }
}

/** The overrides among parsed records, checked. */
export function paxOverrides(records: Record<string, string | undefined>, where: string): PaxOverrides {
  const { path, linkpath, size, mtime } = records;
  return {
    ...(path !== undefined && { path }),
    ...(linkpath !== undefined && { linkpath }),
    ...(size !== undefined && { size: parseSize(size, where) }),
    ...(mtime !== undefined && { mtimeMs: parseTime(mtime, where) }),
  };
}
