// POSIX regular expressions as GNU grep reads them under LC_ALL=C (basic by default, extended with -E, the GNU
// extensions \< \> \w \W \s \S \b \B), parsed into a tree over bytes that regex-program.ts compiles and
// regex-matcher.ts runs in time linear in the input. Back-references are refused: no engine matches them in
// linear time (RE2 refuses them too). The parser keeps no call stack per group, so nesting cannot overflow it;
// trees deeper than MAX_REGEX_DEPTH are refused instead, as the compiler walks them recursively.
import { utf8 } from './io.js';

export class PatternError extends Error {}

/** Groups and repetitions nested deeper than this are refused ('((((a))))' is 5 deep, 'a**' 3). */
export const MAX_REGEX_DEPTH = 500;
/** GNU's RE_DUP_MAX: the largest count an interval '{m,n}' may give. */
const MAX_REPEAT_COUNT = 32767;

/** Whether each byte 0-255 is in the set. */
export type ByteSet = Uint8Array;

/**
 * Zero-width tests, each a function of what comes before (the line's start, a word byte or another byte) and
 * after (the line's end, a word byte or another byte). `notAfterWord`/`notBeforeWord` are grep -w's edges.
 */
export type Assertion =
  | 'lineStart' | 'lineEnd' | 'wordStart' | 'wordEnd' | 'wordBoundary' | 'notWordBoundary' | 'notAfterWord' | 'notBeforeWord';

export type RegexNode = { depth: number } & (
  // One byte in `set`, or with `negated` one byte outside it (grep -i folds the set's case before negating).
  | { kind: 'bytes'; set: ByteSet; negated?: boolean }
  | { kind: 'assert'; assertion: Assertion }
  | { kind: 'concat'; items: RegexNode[] }
  | { kind: 'alternate'; items: RegexNode[] }
  | { kind: 'repeat'; item: RegexNode; min: number; max: number }
  // A parenthesised group whose extent a search reports (sed's \1); only parsed with `captures`.
  | { kind: 'group'; item: RegexNode; index: number }
);

export const isWordByte = (byte: number): boolean =>
  (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f;

export const isSpaceByte = (byte: number): boolean => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);

const between = (low: number, high: number) => (byte: number) => byte >= low && byte <= high;
const isUpper = between(0x41, 0x5a);
const isLower = between(0x61, 0x7a);
const isDigit = between(0x30, 0x39);
const isGraph = between(0x21, 0x7e);

/** The POSIX character classes under LC_ALL=C ('[:alpha:]'), as tests of a byte. */
export const CHARACTER_CLASSES: Record<string, (byte: number) => boolean> = {
  alpha: (b) => isUpper(b) || isLower(b),
  digit: isDigit,
  alnum: (b) => isUpper(b) || isLower(b) || isDigit(b),
  upper: isUpper,
  lower: isLower,
  xdigit: (b) => isDigit(b) || between(0x41, 0x46)(b) || between(0x61, 0x66)(b),
  space: isSpaceByte,
  blank: (b) => b === 0x20 || b === 0x09,
  cntrl: (b) => b < 0x20 || b === 0x7f,
  print: between(0x20, 0x7e),
  graph: isGraph,
  punct: (b) => isGraph(b) && !isUpper(b) && !isLower(b) && !isDigit(b),
};

export function byteSet(test: (byte: number) => boolean): ByteSet {
  const set = new Uint8Array(256);
  for (let byte = 0; byte < 256; byte++) set[byte] = test(byte) ? 1 : 0;
  return set;
}

export const bytesNode = (set: ByteSet, negated = false): RegexNode => ({ kind: 'bytes', set, negated, depth: 1 });
export const byteNode = (byte: number): RegexNode => bytesNode(byteSet((b) => b === byte));
export const assertNode = (assertion: Assertion): RegexNode => ({ kind: 'assert', assertion, depth: 1 });

function deepest(items: RegexNode[]): number {
  let depth = 0;
  for (const item of items) depth = Math.max(depth, item.depth);
  return depth;
}

function checkDepth<T extends RegexNode>(node: T): T {
  if (node.depth > MAX_REGEX_DEPTH) {
    throw new PatternError(`pattern nests groups and repetitions more than ${MAX_REGEX_DEPTH} deep`);
  }
  return node;
}

export function concatNode(items: RegexNode[]): RegexNode {
  return items.length === 1 ? items[0]! : checkDepth({ kind: 'concat', items, depth: deepest(items) + 1 });
}

export function alternateNode(items: RegexNode[]): RegexNode {
  return items.length === 1 ? items[0]! : checkDepth({ kind: 'alternate', items, depth: deepest(items) + 1 });
}

const isSimpleRepeat = (min: number, max: number): boolean => min <= 1 && (max === 1 || max === Infinity);

export function repeatNode(item: RegexNode, min: number, max: number): RegexNode {
  // '*', '+' and '?' of one of them is one of them ('a**' is 'a*', '(a+)?' is 'a*'), so runs of them stay shallow.
  if (item.kind === 'repeat' && isSimpleRepeat(item.min, item.max) && isSimpleRepeat(min, max)) {
    return repeatNode(item.item, item.min * min, item.max * max);
  }
  return checkDepth({ kind: 'repeat', item, min, max, depth: item.depth + 1 });
}

/** `text` (a pattern, a name) as GNU tools read it under LC_ALL=C: its UTF-8 bytes, one character per byte. */
export function byteString(text: string): string {
  const bytes = utf8(text);
  let string = '';
  // In slices: spreading a long pattern's bytes as arguments would overflow the stack.
  for (let i = 0; i < bytes.length; i += 4096) string += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return string;
}

/** A fixed string (grep -F): its bytes in order. */
export function literalRegex(text: string): RegexNode {
  return concatNode([...byteString(text)].map((char) => byteNode(char.charCodeAt(0))));
}

/**
 * The tree of a POSIX basic (or, with `extended`, extended) regular expression. With `captures`, groups are
 * kept as 'group' nodes, numbered from 1 by their opening parenthesis, for searches that report them.
 */
export function parsePosix(pattern: string, extended: boolean, captures = false): RegexNode {
  return new PosixParser(byteString(pattern), extended, captures).run();
}

/** The number of groups in a tree parsed with captures. */
export function groupCount(node: RegexNode): number {
  let count = 0;
  const stack = [node];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next.kind === 'group') count = Math.max(count, next.index);
    if (next.kind === 'concat' || next.kind === 'alternate') stack.push(...next.items);
    if (next.kind === 'repeat' || next.kind === 'group') stack.push(next.item);
  }
  return count;
}

/** The alternatives of one group (or of the whole pattern) read so far. */
interface Frame {
  alternatives: RegexNode[];
  items: RegexNode[];
}

class PosixParser {
  private frame: Frame = { alternatives: [], items: [] };
  private readonly outer: Frame[] = [];
  /** The group number of each open group, innermost last. */
  private readonly openGroups: number[] = [];
  private groups = 0;
  /** Whether there is nothing to repeat here: at the start, after '(' or '|' or a leading '^'. */
  private atStart = true;
  /** Whether a basic expression's '^' anchors here: at the start, after '\(' or '\|'. */
  private caretAnchors = true;

  constructor(
    private readonly pattern: string,
    private readonly extended: boolean,
    private readonly captures: boolean,
  ) {}

  run(): RegexNode {
    const { pattern, extended } = this;
    for (let i = 0; i < pattern.length; ) {
      const escaped = pattern[i] === '\\';
      const symbol = escaped ? pattern[i + 1] : pattern[i]!;
      if (symbol === undefined) throw new PatternError('Trailing backslash');
      i += escaped ? 2 : 1;
      const nothingToRepeat = this.atStart;
      const caretAnchors = this.caretAnchors;
      this.atStart = false;
      this.caretAnchors = false;
      // '(){}|+?' are operators when escaped in a basic expression and unescaped in an extended one.
      const operator = '(){}|+?'.includes(symbol) ? escaped !== extended : !escaped && '*.[^$'.includes(symbol);
      if (!operator) {
        this.atom(escaped ? escapeSequence(symbol) : byteNode(symbol.charCodeAt(0)));
        continue;
      }
      switch (symbol) {
        case '(':
          if (this.outer.length >= MAX_REGEX_DEPTH) {
            throw new PatternError(`pattern nests groups and repetitions more than ${MAX_REGEX_DEPTH} deep`);
          }
          this.outer.push(this.frame);
          this.openGroups.push(++this.groups);
          this.frame = { alternatives: [], items: [] };
          this.atStart = this.caretAnchors = true;
          break;
        case ')':
          if (this.outer.length === 0) {
            if (!extended) throw new PatternError('Unmatched ) or \\)');
            this.atom(byteNode(0x29));
          } else {
            const content = this.closeFrame();
            const index = this.openGroups.pop()!;
            this.frame = this.outer.pop()!;
            this.atom(this.captures ? checkDepth({ kind: 'group', item: content, index, depth: content.depth + 1 }) : content);
          }
          break;
        case '|':
          this.frame.alternatives.push(concatNode(this.frame.items));
          this.frame.items = [];
          this.atStart = this.caretAnchors = true;
          break;
        case '{': {
          const interval = readInterval(pattern, i, extended);
          if (interval === undefined || (nothingToRepeat && !extended)) {
            if (interval === undefined && !extended) throw new PatternError('Unmatched \\{');
            this.atom(byteNode(0x7b));
          } else {
            i = interval.next;
            this.repeat(interval.min, interval.max, nothingToRepeat, '{');
          }
          break;
        }
        case '}':
          this.atom(byteNode(0x7d));
          break;
        case '*':
          this.repeat(0, Infinity, nothingToRepeat, symbol);
          break;
        case '+':
          this.repeat(1, Infinity, nothingToRepeat, symbol);
          break;
        case '?':
          this.repeat(0, 1, nothingToRepeat, symbol);
          break;
        case '.':
          this.atom(bytesNode(byteSet(() => true)));
          break;
        case '[': {
          const bracket = readBracket(pattern, i);
          this.atom(bytesNode(bracket.set, bracket.negated));
          i = bracket.next;
          break;
        }
        case '^':
          // GNU grep repeats an extended expression's anchors like atoms ('^*a' finds any 'a').
          if (extended) {
            this.atom(assertNode('lineStart'));
          } else if (caretAnchors) {
            this.frame.items.push(assertNode('lineStart'));
            this.atStart = true;
          } else {
            this.atom(byteNode(0x5e));
          }
          break;
        case '$':
          if (extended || endsHere(pattern, i)) this.atom(assertNode('lineEnd'));
          else this.atom(byteNode(0x24));
          break;
      }
    }
    if (this.outer.length > 0) throw new PatternError('Unmatched ( or \\(');
    return this.closeFrame();
  }

  private closeFrame(): RegexNode {
    const { alternatives, items } = this.frame;
    return alternateNode([...alternatives, concatNode(items)]);
  }

  private atom(node: RegexNode): void {
    this.frame.items.push(node);
  }

  /**
   * Repeats the last atom, as GNU grep does: with nothing to repeat, a basic expression takes the operator
   * literally and an extended one ignores it; a repetition of a repetition ('a**', 'a+?') repeats the whole.
   */
  private repeat(min: number, max: number, nothingToRepeat: boolean, operator: string): void {
    if (nothingToRepeat) {
      if (this.extended) this.atStart = true;
      else this.atom(byteNode(operator.charCodeAt(0)));
      return;
    }
    const { items } = this.frame;
    items[items.length - 1] = repeatNode(items[items.length - 1]!, min, max);
  }
}

function escapeSequence(symbol: string): RegexNode {
  switch (symbol) {
    case '<':
      return assertNode('wordStart');
    case '>':
      return assertNode('wordEnd');
    case 'b':
      return assertNode('wordBoundary');
    case 'B':
      return assertNode('notWordBoundary');
    case 'w':
      return bytesNode(byteSet(isWordByte));
    case 'W':
      return bytesNode(byteSet((byte) => !isWordByte(byte)));
    case 's':
      return bytesNode(byteSet(isSpaceByte));
    case 'S':
      return bytesNode(byteSet((byte) => !isSpaceByte(byte)));
  }
  if (symbol >= '1' && symbol <= '9') {
    throw new PatternError(`back-references (\\${symbol}) are not supported: no matcher runs them in linear time`);
  }
  return byteNode(symbol.charCodeAt(0));
}

/** A basic expression's '$' anchors only at the end of the pattern, a group or an alternative. */
function endsHere(pattern: string, next: number): boolean {
  return next === pattern.length || pattern.startsWith('\\)', next) || pattern.startsWith('\\|', next);
}

/** '{n}', '{n,}', '{,m}', '{n,m}' after the '{' at `start - 1` ('\}' closes it in a basic expression). */
function readInterval(pattern: string, start: number, extended: boolean): { min: number; max: number; next: number } | undefined {
  const match = (extended ? /^(\d*)(,(\d*))?\}/ : /^(\d*)(,(\d*))?\\\}/).exec(pattern.slice(start, start + 32));
  if (!match || (match[1] === '' && match[2] === undefined)) return undefined;
  const [, minDigits, comma, maxDigits] = match;
  const min = Number(minDigits || '0');
  const max = comma === undefined ? min : maxDigits ? Number(maxDigits) : Infinity;
  if (max < min) throw new PatternError('Invalid content of \\{\\}');
  if (min > MAX_REPEAT_COUNT || (max !== Infinity && max > MAX_REPEAT_COUNT)) throw new PatternError('Regular expression too big');
  return { min, max, next: start + match[0].length };
}

const UNMATCHED_BRACKET = 'Unmatched [, [^, [:, [., or [=';

/**
 * A bracket expression starting after the '[' at `start - 1`: ']' first is literal, ranges by byte value,
 * '[:alpha:]' classes, '[.c.]' and '[=c=]' for one byte. A backslash is an ordinary member.
 */
function readBracket(pattern: string, start: number): { set: ByteSet; negated: boolean; next: number } {
  let i = start;
  const negated = pattern[i] === '^';
  if (negated) i++;
  const members = new Uint8Array(256);
  /** One member at `i`: a byte (a range's possible start) or a class; `i` moves past it. */
  const readMember = (): number | undefined => {
    const char = pattern[i];
    if (char === undefined) throw new PatternError(UNMATCHED_BRACKET);
    const kind = char === '[' ? pattern[i + 1] : undefined;
    if (kind !== ':' && kind !== '.' && kind !== '=') {
      i++;
      return char.charCodeAt(0);
    }
    const close = pattern.indexOf(kind + ']', i + 2);
    if (close < 0) throw new PatternError(UNMATCHED_BRACKET);
    const name = pattern.slice(i + 2, close);
    i = close + 2;
    if (kind !== ':') {
      if (name.length !== 1) throw new PatternError('Invalid collation character');
      return name.charCodeAt(0);
    }
    const test = Object.hasOwn(CHARACTER_CLASSES, name) ? CHARACTER_CLASSES[name] : undefined;
    if (test === undefined) throw new PatternError('Invalid character class name');
    for (let byte = 0; byte < 256; byte++) if (test(byte)) members[byte] = 1;
    return undefined;
  };
  for (let first = true; ; first = false) {
    if (pattern[i] === ']' && !first) break;
    const low = readMember();
    if (low === undefined) continue;
    if (pattern[i] === '-' && pattern[i + 1] !== ']' && pattern[i + 1] !== undefined) {
      i++;
      const high = readMember();
      if (high === undefined || high < low) throw new PatternError('Invalid range end');
      members.fill(1, low, high + 1);
    } else {
      members[low] = 1;
    }
  }
  return { set: members, negated, next: i + 1 };
}
