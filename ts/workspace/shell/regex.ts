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
  let source = '';
  let depth = 0;
  // Where a repetition has nothing to repeat (at the start, after '(' or '|' or a leading '^'), POSIX
  // and GNU take '*' literally; JavaScript would reject it.
  let atStart = true;
  for (let i = 0; i < pattern.length; ) {
    const char = pattern[i]!;
    const escaped = char === '\\';
    const symbol = escaped ? pattern[i + 1] : char;
    if (symbol === undefined) throw new PatternError('Trailing backslash');
    i += escaped ? 2 : 1;
    const wasAtStart: boolean = atStart;
    atStart = false;
    const operator = '(){}|+?'.includes(symbol) ? escaped !== extended : !escaped && '*.[^$'.includes(symbol);
    if (!operator) {
      source += escaped ? escapeSequence(symbol) : escapeLiteral(symbol);
      continue;
    }
    switch (symbol) {
      case '(':
        depth++;
        atStart = true;
        source += '(';
        break;
      case ')':
        if (depth === 0 && extended) source += '\\)';
        else if (depth === 0) throw new PatternError('Unmatched ) or \\)');
        else {
          depth--;
          source += ')';
        }
        break;
      case '|':
        atStart = true;
        source += '|';
        break;
      case '{': {
        const interval = readInterval(pattern, i, extended);
        if (interval === undefined || wasAtStart) {
          if (!extended) throw new PatternError('Invalid preceding regular expression');
          source += '\\{';
        } else {
          source += interval.source;
          i = interval.next;
        }
        break;
      }
      case '}':
        source += '\\}';
        break;
      case '*':
      case '+':
      case '?':
        source += wasAtStart ? '\\' + symbol : symbol;
        break;
      case '.':
        source += '.';
        break;
      case '[': {
        const bracket = readBracket(pattern, i);
        source += bracket.source;
        i = bracket.next;
        break;
      }
      case '^':
        // In a basic expression '^' anchors only at the start (of the pattern or a group or alternative).
        atStart = extended || wasAtStart;
        source += atStart ? '^' : '\\^';
        break;
      case '$':
        source += extended || endsHere(pattern, i) ? '$' : '\\$';
        break;
    }
  }
  if (depth > 0) throw new PatternError('Unmatched ( or \\(');
  return source;
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
