// Blank-separated fields as sort -k and uniq -f count them: a field is its leading blanks (space, tab) and
// the non-blank bytes after them.

export const isBlank = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x09;

/** Where the blank-separated field starting at `start` ends. */
export function blankFieldEnd(line: Uint8Array, start: number): number {
  let at = start;
  while (at < line.length && isBlank(line[at])) at++;
  while (at < line.length && !isBlank(line[at])) at++;
  return at;
}
