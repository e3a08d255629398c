// Byte text: one JavaScript character per byte, so that regular expressions see bytes as GNU grep does
// under LC_ALL=C and every line comes back out byte for byte. ASCII stays itself; bytes 0x80-0xFF become
// U+2880-U+28FF (Braille patterns), which have no case and are neither word characters nor white space,
// so /i, \w and \s treat them as C does.
import { utf8 } from './io.js';

const HIGH_BYTES_AT = 0x2800;
const utf16 = new TextDecoder('utf-16le');

export function toByteText(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    units[i] = byte < 0x80 ? byte : HIGH_BYTES_AT + byte;
  }
  return utf16.decode(units);
}

export function fromByteText(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[i] = unit < 0x80 ? unit : unit - HIGH_BYTES_AT;
  }
  return bytes;
}

/** Text (a pattern, a name) in byte text: its UTF-8 bytes, as the GNU tools read it under LC_ALL=C. */
export function textToByteText(pattern: string): string {
  return toByteText(utf8(pattern));
}
