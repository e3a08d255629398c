// POSIX regular expressions as grep reads them (basic by default, extended with -E, GNU extensions
// \< \> \w \s \b, back-references) rewritten as JavaScript RegExp sources.

export class PatternError extends Error {}

const JS_SPECIAL = '\\^$.*+?()[]{}|/';
const WORD_CHARACTER = '[A-Za-z0-9_]';

const CHARACTER_CLASSES: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: '0-9A-Za-z', upper: 'A-Z', lower: 'a-z', xdigit: '0-9A-Fa-f',
  space: ' \\t\\n\\v\\f\\r', blank: ' \\t', cntrl: '\\x00-\\x1f\\x7f', print: ' -~', graph: '!-~',
  punct: '!-\\/:-@\\[-`{-~',
};

export function escapeLiteral(text: string): string {
  let escaped = '';
  for (const char of text) escaped += JS_SPECIAL.includes(char) ? '\\' + char : char;
  return escaped;
}

/** The JavaScript source for a POSIX basic (or, with `extended`, extended) regular expression. */
export function posixToJavaScript(pattern: string, extended: boolean): string {
  return new Translation(pattern, extended).run();
}

class Translation {
  private source = '';
  /** Where the last atom (what a repetition repeats) starts in `source`. */
  private atomStart = 0;
  /** Whether JavaScript can repeat the last atom as it is; an assertion ('^', '\\b') must be put in a group. */
  private atomRepeatable = true;
  private afterRepetition = false;
  /** Whether there is nothing to repeat here: at the start, after '(' or '|' or a leading '^'. */
  private atStart = true;
  /** Whether a basic expression's '^' anchors here: at the start, after '\(' or '\|'. */
  private caretAnchors = true;
  private readonly groupStarts: number[] = [];

  constructor(
    private readonly pattern: string,
    private readonly extended: boolean,
  ) {}

  run(): string {
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
        if (escaped) this.atom(escapeSequence(symbol), !'<>bB'.includes(symbol));
        else this.atom(escapeLiteral(symbol));
        continue;
      }
      switch (symbol) {
        case '(':
          this.groupStarts.push(this.source.length);
          this.source += '(';
          this.atStart = this.caretAnchors = true;
          break;
        case ')':
          if (this.groupStarts.length === 0) {
            if (!extended) throw new PatternError('Unmatched ) or \\)');
            this.atom('\\)');
          } else {
            this.source += ')';
            this.atomStart = this.groupStarts.pop()!;
            this.afterRepetition = false;
          }
          break;
        case '|':
          this.source += '|';
          this.atStart = this.caretAnchors = true;
          this.afterRepetition = false;
          break;
        case '{': {
          const interval = readInterval(pattern, i, extended);
          if (interval === undefined || (nothingToRepeat && !extended)) {
            if (interval === undefined && !extended) throw new PatternError('Unmatched \\{');
            this.atom('\\{');
          } else {
            i = interval.next;
            this.repeat(interval.source, nothingToRepeat);
          }
          break;
        }
        case '}':
          this.atom('\\}');
          break;
        case '*':
        case '+':
        case '?':
          this.repeat(symbol, nothingToRepeat);
          break;
        case '.':
          this.atom('.');
          break;
        case '[': {
          const bracket = readBracket(pattern, i);
          this.atom(bracket.source);
          i = bracket.next;
          break;
        }
        case '^':
          // GNU grep repeats an extended expression's anchors like atoms ('^*a' finds any 'a').
          if (extended) {
            this.atom('^', false);
          } else if (caretAnchors) {
            this.source += '^';
            this.atStart = true;
          } else {
            this.atom('\\^');
          }
          break;
        case '$':
          if (extended) this.atom('$', false);
          else if (endsHere(pattern, i)) this.source += '$';
          else this.atom('\\$');
          break;
      }
    }
    if (this.groupStarts.length > 0) throw new PatternError('Unmatched ( or \\(');
    return this.source;
  }

  private atom(text: string, repeatable = true): void {
    this.atomStart = this.source.length;
    this.source += text;
    this.atomRepeatable = repeatable;
    this.afterRepetition = false;
  }

  /**
   * Repeats the last atom, as GNU grep does where JavaScript differs: with nothing to repeat, a basic
   * expression takes the operator literally and an extended one ignores it; a repetition of a repetition
   * ('a**', 'a+?') repeats the whole, where JavaScript rejects it or reads '?' as "lazy".
   */
  private repeat(quantifier: string, nothingToRepeat: boolean): void {
    if (nothingToRepeat) {
      if (this.extended) this.atStart = true;
      else this.atom(escapeLiteral(quantifier));
      return;
    }
    if (this.afterRepetition || !this.atomRepeatable) {
      this.source = `${this.source.slice(0, this.atomStart)}(?:${this.source.slice(this.atomStart)})`;
    }
    this.source += quantifier;
    this.afterRepetition = true;
  }
}

function escapeSequence(symbol: string): string {
  if (symbol === '<') return `(?<!${WORD_CHARACTER})(?=${WORD_CHARACTER})`;
  if (symbol === '>') return `(?<=${WORD_CHARACTER})(?!${WORD_CHARACTER})`;
  if ('wWsSbB123456789'.includes(symbol)) return '\\' + symbol;
  return escapeLiteral(symbol);
}

/** A basic expression's '$' anchors only at the end of the pattern, a group or an alternative. */
function endsHere(pattern: string, next: number): boolean {
  return next === pattern.length || pattern.startsWith('\\)', next) || pattern.startsWith('\\|', next);
}

/** '{n}', '{n,}', '{,m}', '{n,m}' after the '{' at `start - 1` ('\}' closes it in a basic expression). */
function readInterval(pattern: string, start: number, extended: boolean): { source: string; next: number } | undefined {
  const match = (extended ? /^(\d*)(,(\d*))?\}/ : /^(\d*)(,(\d*))?\\\}/).exec(pattern.slice(start));
  if (!match || (match[1] === '' && match[2] === undefined)) return undefined;
  const [, min, comma, max] = match;
  const source = comma === undefined ? `{${min}}` : `{${min || '0'},${max ?? ''}}`;
  return { source, next: start + match[0].length };
}

/** A bracket expression starting after the '[' at `start - 1`: ']' first is literal, '[:alpha:]' classes. */
function readBracket(pattern: string, start: number): { source: string; next: number } {
  let i = start;
  const negated = pattern[i] === '^';
  if (negated) i++;
  let members = '';
  for (let first = true; ; first = false) {
    const char = pattern[i];
    if (char === undefined) throw new PatternError('Unmatched [, [^, [:, [., or [=');
    if (char === ']' && !first) break;
    const kind = char === '[' ? pattern[i + 1] : undefined;
    if (kind === ':' || kind === '.' || kind === '=') {
      const close = pattern.indexOf(kind + ']', i + 2);
      if (close < 0) throw new PatternError('Unmatched [, [^, [:, [., or [=');
      const name = pattern.slice(i + 2, close);
      if (kind === ':') {
        const classMembers = CHARACTER_CLASSES[name];
        if (classMembers === undefined) throw new PatternError('Invalid character class name');
        members += classMembers;
      } else {
        members += escapeLiteral(name);
      }
      i = close + 2;
      continue;
    }
    members += '\\^[]'.includes(char) ? '\\' + char : char;
    i++;
  }
  return { source: `[${negated ? '^' : ''}${members}]`, next: i + 1 };
}
