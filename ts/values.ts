import { invalidArg } from './errors.js';

/** What `set` accepts: bytes (any typed array, DataView or ArrayBuffer) or a string, stored as UTF-8. */
export type CacheValue = Uint8Array | ArrayBufferView | ArrayBuffer | string;

export const MAX_KEY_BYTES = 1024;

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

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/**
 * Whether `text` is well-formed UTF-16: no lone surrogate. Only such text encodes to UTF-8 one to one; a lone
 * surrogate becomes U+FFFD, so two names differing only in one would be the same name.
 */
export function isWellFormed(text: string): boolean {
  return nativeIsWellFormed === undefined ? !LONE_SURROGATE.test(text) : nativeIsWellFormed.call(text);
}

/** Checks a name the core stores as UTF-8 (a key, a namespace, a tag): non-empty, well-formed, at most `maxBytes`. */
export function checkName(name: unknown, what: string, maxBytes: number): asserts name is string {
  if (typeof name !== 'string') throw invalidArg(`${what} must be a string, got ${typeof name}`);
  if (name.length === 0) throw invalidArg(`${what} must not be empty`);
  // A UTF-16 unit is at most 3 UTF-8 bytes, so shorter strings cannot be over the limit: no need to measure them.
  if (name.length > Math.floor(maxBytes / 3) && utf8Length(name) > maxBytes) {
    throw invalidArg(`${what} is longer than ${maxBytes} UTF-8 bytes`);
  }
  if (!isWellFormed(name)) throw invalidArg(`${what} has a lone surrogate (not well-formed UTF-16)`);
}

export function checkKey(key: unknown): asserts key is string {
  checkName(key, 'key', MAX_KEY_BYTES);
}

/** The value as a Uint8Array (a view, never a copy) or a string. */
export function toStorable(value: unknown): Uint8Array | string {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const kind = value === null ? 'null' : typeof value;
  throw invalidArg(`value must be bytes (Uint8Array, Buffer, ArrayBuffer) or a string, got ${kind}`);
}
