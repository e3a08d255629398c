// Shell glob patterns for names, as `find -name` matches them: '*' any run, '?' one character, '[a-z]' and
// '[!x]' (or '[^x]') classes, '\' quoting the next character. A '[' without its ']' is an ordinary character.
import { invalidArg } from '../errors.js';

const escapeRegExp = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

function classAt(pattern: string, open: number): { source: string; end: number } | undefined {
  let i = open + 1;
  let negate = false;
  if (pattern[i] === '!' || pattern[i] === '^') {
    negate = true;
    i += 1;
  }
  let body = '';
  for (let first = true; i < pattern.length; first = false, i += 1) {
    const char = pattern[i]!;
    if (char === ']' && !first) return { source: `[${negate ? '^' : ''}${body}]`, end: i };
    if (char === '\\' && i + 1 < pattern.length) {
      i += 1;
      body += escapeRegExp(pattern[i]!);
    } else if (char === '-' && !first && pattern[i + 1] !== ']') {
      body += '-';
    } else {
      body += escapeRegExp(char);
    }
  }
  return undefined;
}

/** A test for names against `pattern`. */
export function globMatcher(pattern: string, options: { ignoreCase?: boolean } = {}): (name: string) => boolean {
  if (typeof pattern !== 'string') throw invalidArg('a name pattern must be a string');
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!);
    else if (char === '[') {
      const found = classAt(pattern, i);
      if (found === undefined) source += '\\[';
      else {
        source += found.source;
        i = found.end;
      }
    } else source += escapeRegExp(char);
  }
  const regExp = new RegExp(`^${source}$`, `su${options.ignoreCase ? 'i' : ''}`);
  return (name) => regExp.test(name);
}
