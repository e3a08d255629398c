// Shell globs as find -name reads them (fnmatch): '*', '?', '[abc]', '[!a-z]' or '[^a-z]', '\' escapes; a
// '[' without its ']' is an ordinary character. Names and patterns are matched as bytes, as under LC_ALL=C:
// '?' is one byte and -iname folds ASCII letters only. Workspace.find's `name` option matches the same way.
// Globs run on grep's matcher, so a name is matched in time linear in its length whatever the pattern.
import { utf8 } from './io.js';
import { assertNode, byteNode, byteSet, byteString, bytesNode, concatNode, repeatNode, type RegexNode } from './regex.js';
import { RegexMatcher } from './regex-matcher.js';
import { compileRegex } from './regex-program.js';

/** Whether a whole name matches `pattern`; '*' and '?' also match a leading '.', as in GNU find. */
export function globMatcher(pattern: string, ignoreCase: boolean): (name: string) => boolean {
  const matcher = new RegexMatcher(compileRegex(globTree(byteString(pattern)), ignoreCase));
  return (name) => matcher.matches(utf8(name));
}

function globTree(glob: string): RegexNode {
  const anyByte = () => bytesNode(byteSet(() => true));
  const items: RegexNode[] = [assertNode('lineStart')];
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') items.push(repeatNode(anyByte(), 0, Infinity));
    else if (char === '?') items.push(anyByte());
    else if (char === '\\' && i + 1 < glob.length) items.push(byteNode(glob.charCodeAt(++i)));
    else if (char === '[') {
      const bracket = readBracket(glob, i + 1);
      if (bracket === undefined) items.push(byteNode(char.charCodeAt(0)));
      else {
        items.push(bytesNode(bracket.set, bracket.negated));
        i = bracket.end;
      }
    } else items.push(byteNode(char.charCodeAt(0)));
  }
  items.push(assertNode('lineEnd'));
  return concatNode(items);
}

/** The class that starts after a '[' at `start - 1` and where its ']' is, or undefined when it never closes. */
function readBracket(glob: string, start: number): { set: Uint8Array; negated: boolean; end: number } | undefined {
  let i = start;
  const negated = glob[i] === '!' || glob[i] === '^';
  if (negated) i++;
  const members = new Uint8Array(256);
  const memberAt = (): number => {
    if (glob[i] === '\\' && i + 1 < glob.length) i++;
    return glob.charCodeAt(i);
  };
  for (let first = true; i < glob.length; first = false, i++) {
    if (glob[i] === ']' && !first) return { set: members, negated, end: i };
    const low = memberAt();
    if (glob[i + 1] === '-' && i + 2 < glob.length && glob[i + 2] !== ']') {
      i += 2;
      members.fill(1, low, memberAt() + 1); // a reversed range holds nothing
    } else {
      members[low] = 1;
    }
  }
  return undefined;
}
