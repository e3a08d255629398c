import { invalidArg } from './errors.js';

/** What `set` accepts: bytes (any typed array, DataView or ArrayBuffer) or a string, stored as UTF-8. */
export type CacheValue = Uint8Array | ArrayBufferView | ArrayBuffer | string;

export const MAX_KEY_BYTES = 1024;

// A UTF-16 unit is at most 3 UTF-8 bytes, so strings this short cannot be over the limit.
const SURELY_SHORT = Math.floor(MAX_KEY_BYTES / 3);

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    } else bytes += 3;
  }
  return bytes;
}

export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw invalidArg(`key must be a string, got ${typeof key}`);
  if (key.length === 0) throw invalidArg('key must not be empty');
  if (key.length > SURELY_SHORT && utf8Length(key) > MAX_KEY_BYTES) {
    throw invalidArg(`key is longer than ${MAX_KEY_BYTES} UTF-8 bytes`);
  }
}

/** The value as a Uint8Array (a view, never a copy) or a string. */
export function toStorable(value: unknown): Uint8Array | string {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const kind = value === null ? 'null' : typeof value;
  throw invalidArg(`value must be bytes (Uint8Array, Buffer, ArrayBuffer) or a string, got ${kind}`);
}
