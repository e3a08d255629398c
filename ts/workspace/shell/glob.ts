// Shell globs as find -name reads them (fnmatch): '*', '?', '[abc]', '[!a-z]' or '[^a-z]', '\' escapes; a
// '[' without its ']' is an ordinary character. Names and patterns are matched as bytes, as under LC_ALL=C:
// '?' is one byte and -iname folds ASCII letters only. Workspace.find's `name` option matches the same way.
import { textToByteText } from './byte-text.js';
import { escapeLiteral } from './regex.js';

/** Whether a whole name matches `pattern`; '*' and '?' also match a leading '.', as in GNU find. */
export function globMatcher(pattern: string, ignoreCase: boolean): (name: string) => boolean {
  const regex = new RegExp(`^${globSource(textToByteText(pattern))}$`, ignoreCase ? 'si' : 's');
  return (name) => regex.test(textToByteText(name));
}

function globSource(glob: string): string {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '\\' && i + 1 < glob.length) source += escapeLiteral(glob[++i]!);
    else if (char === '[') {
      const bracket = readBracket(glob, i + 1);
      if (bracket === undefined) source += '\\[';
      else {
        source += bracket.source;
        i = bracket.end;
      }
    } else source += escapeLiteral(char);
  }
  return source;
}

/** The class that starts after a '[' at `start - 1` and where its ']' is, or undefined when it never closes. */
function readBracket(glob: string, start: number): { source: string; end: number } | undefined {
  let i = start;
  const negated = glob[i] === '!' || glob[i] === '^';
  if (negated) i++;
  let members = '';
  for (let first = true; i < glob.length; first = false, i++) {
    let char = glob[i]!;
    if (char === ']' && !first) return { source: `[${negated ? '^' : ''}${members}]`, end: i };
    if (char === '\\' && i + 1 < glob.length) char = glob[++i]!;
    members += '\\^[]'.includes(char) ? '\\' + char : char;
  }
  return undefined;
}
