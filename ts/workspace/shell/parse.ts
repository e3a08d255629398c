// Parses a command line into a script, with sh's grammar for what this shell runs: lists separated by ';' or
// newlines, of and-or chains ('&&', '||', left to right with equal precedence), of pipelines, of simple
// commands with redirections ('<', '>', '>>', 'N>', 'N>>', 'N>&M'). Quoting as in sh: '...' literal, "..."
// with \" \\ \$ \` escapes, a backslash outside quotes escapes the next character. Words keep which of their
// characters were quoted, so that globs and '$?' expand as sh expands them. Whatever would run something
// outside the workspace or in the background ('$(...)', backticks, '&', subshells) or expand a variable other
// than '$?' is refused, never run.

export class ShellSyntaxError extends Error {}

/** A piece of a word: text (quoted or not, which decides whether its glob characters count) or '$?'. */
export type WordPart = { text: string; quoted: boolean } | { status: true };
export type Word = WordPart[];

export interface Redirection {
  /** The descriptor redirected: 0 standard input, 1 output, 2 errors. */
  fd: number;
  /** '<' reads a file, '>' truncates, '>>' appends, '>&' duplicates descriptor `target`. */
  op: '<' | '>' | '>>' | '>&';
  target: Word;
}

export interface SimpleCommand {
  words: Word[];
  redirections: Redirection[];
}

export type Pipeline = SimpleCommand[];

export interface AndOr {
  first: Pipeline;
  rest: Array<{ op: '&&' | '||'; pipeline: Pipeline }>;
}

export type Script = AndOr[];

type Token = { kind: 'word'; word: Word } | { kind: 'op'; op: string } | { kind: 'redirect'; fd: number; op: Redirection['op'] };

const REFUSED = "this shell runs commands of the workspace only (no '$(...)', backticks, '&' or subshells)";

/** The script a command line stands for; an empty line is an empty script. */
export function parseScript(commandLine: string): Script {
  return new Parser(tokenize(commandLine)).script();
}

class Parser {
  private at = 0;

  constructor(private readonly tokens: Token[]) {}

  script(): Script {
    const script: Script = [];
    for (;;) {
      while (this.isOp(';') || this.isOp('\n')) this.at++;
      if (this.at >= this.tokens.length) return script;
      script.push(this.andOr());
      const next = this.tokens[this.at];
      if (next !== undefined && !(next.kind === 'op' && (next.op === ';' || next.op === '\n'))) throw unexpected(next);
      if (this.isOp(';') && this.tokens[this.at + 1]?.kind === 'op' && (this.tokens[this.at + 1] as { op: string }).op === ';') {
        throw new ShellSyntaxError("syntax error near unexpected token `;;'");
      }
    }
  }

  private andOr(): AndOr {
    const chain: AndOr = { first: this.pipeline(), rest: [] };
    while (this.isOp('&&') || this.isOp('||')) {
      const op = (this.tokens[this.at++] as { op: '&&' | '||' }).op;
      while (this.isOp('\n')) this.at++; // sh allows a newline after '&&' and '||'
      chain.rest.push({ op, pipeline: this.pipeline() });
    }
    return chain;
  }

  private pipeline(): Pipeline {
    const pipeline = [this.command()];
    while (this.isOp('|')) {
      this.at++;
      while (this.isOp('\n')) this.at++;
      pipeline.push(this.command());
    }
    return pipeline;
  }

  private command(): SimpleCommand {
    const command: SimpleCommand = { words: [], redirections: [] };
    for (;;) {
      const token = this.tokens[this.at];
      if (token?.kind === 'word') {
        command.words.push(token.word);
        this.at++;
      } else if (token?.kind === 'redirect') {
        const target = this.tokens[this.at + 1];
        if (target?.kind !== 'word') throw unexpected(target);
        command.redirections.push({ fd: token.fd, op: token.op, target: target.word });
        this.at += 2;
      } else {
        if (command.words.length === 0 && command.redirections.length === 0) throw unexpected(token);
        return command;
      }
    }
  }

  private isOp(op: string): boolean {
    const token = this.tokens[this.at];
    return token?.kind === 'op' && token.op === op;
  }
}

function unexpected(token: Token | undefined): ShellSyntaxError {
  if (token === undefined) return new ShellSyntaxError('syntax error: unexpected end of line');
  const shown = token.kind === 'op' ? (token.op === '\n' ? 'newline' : token.op) : token.kind === 'redirect' ? token.op : 'word';
  return new ShellSyntaxError(`syntax error near unexpected token \`${shown}'`);
}

const OPERATORS = ['&&', '||', '>>', '>&', '<&', '|', ';', '\n', '>', '<', '&', '(', ')', '`'];
const WORD_END = /[\s|><;&()`]/;

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const char = line[i]!;
    if (char === '#') {
      // A comment, as in sh, up to the end of its line.
      const newline = line.indexOf('\n', i);
      i = newline < 0 ? line.length : newline;
      continue;
    }
    if (char !== '\n' && /\s/.test(char)) {
      i++;
      continue;
    }
    const operator = OPERATORS.find((candidate) => line.startsWith(candidate, i));
    if (operator !== undefined) {
      i += operator.length;
      if (operator === '&' || operator === '(' || operator === ')' || operator === '`' || operator === '<&') {
        throw new ShellSyntaxError(`'${operator}' is not supported: ${REFUSED}`);
      }
      if (operator === '>' || operator === '>>' || operator === '<' || operator === '>&') {
        tokens.push({ kind: 'redirect', fd: operator === '<' ? 0 : 1, op: operator });
      } else {
        tokens.push({ kind: 'op', op: operator });
      }
      continue;
    }
    const [word, next] = readWord(line, i);
    // Digits right before '<' or '>' name the descriptor redirected ('2>'), as in sh.
    const digits = word.length === 1 && 'quoted' in word[0]! && !word[0].quoted && /^\d$/.test(word[0].text);
    if (digits && (line[next] === '>' || line[next] === '<')) {
      const op = line.startsWith('>>', next) ? '>>' : line.startsWith('>&', next) ? '>&' : line[next] === '<' ? '<' : '>';
      if (line.startsWith('<&', next)) throw new ShellSyntaxError(`'<&' is not supported: ${REFUSED}`);
      tokens.push({ kind: 'redirect', fd: Number((word[0] as { text: string }).text), op });
      i = next + op.length;
      continue;
    }
    tokens.push({ kind: 'word', word });
    i = next;
  }
  return tokens;
}

/** Reads one word starting at `start`; returns its parts and the index after it. */
function readWord(line: string, start: number): [Word, number] {
  const parts: Word = [];
  const add = (text: string, quoted: boolean): void => {
    const last = parts[parts.length - 1];
    if (last !== undefined && 'quoted' in last && last.quoted === quoted) last.text += text;
    else parts.push({ text, quoted });
  };
  let i = start;
  while (i < line.length && !WORD_END.test(line[i]!)) {
    const char = line[i]!;
    if (char === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError("unexpected end of line: missing closing quote (')");
      add(line.slice(i + 1, close), true);
      i = close + 1;
    } else if (char === '"') {
      i = readDoubleQuoted(line, i + 1, parts, add);
    } else if (char === '\\') {
      if (i + 1 >= line.length) throw new ShellSyntaxError('unexpected end of line after a backslash');
      if (line[i + 1] !== '\n') add(line[i + 1]!, true);
      i += 2;
    } else if (char === '$') {
      i = readDollar(line, i, parts, add, false);
    } else {
      add(char, false);
      i++;
    }
  }
  // '""' is an empty word, not no word.
  if (parts.length === 0) parts.push({ text: '', quoted: true });
  return [parts, i];
}

function readDoubleQuoted(line: string, start: number, parts: Word, add: (text: string, quoted: boolean) => void): number {
  let i = start;
  add('', true);
  while (i < line.length) {
    const char = line[i]!;
    if (char === '"') return i + 1;
    if (char === '`') throw new ShellSyntaxError(`'\`' is not supported: ${REFUSED}`);
    if (char === '$') {
      i = readDollar(line, i, parts, add, true);
    } else if (char === '\\' && '"\\$`\n'.includes(line[i + 1] ?? '')) {
      if (line[i + 1] !== '\n') add(line[i + 1]!, true);
      i += 2;
    } else {
      add(char, true);
      i++;
    }
  }
  throw new ShellSyntaxError('unexpected end of line: missing closing quote (")');
}

/** '$?' is the last exit code; '$(' runs a command and is refused, as are other expansions; a lone '$' is literal. */
function readDollar(line: string, at: number, parts: Word, add: (text: string, quoted: boolean) => void, quoted: boolean): number {
  if (line[at + 1] === '(') throw new ShellSyntaxError(`'$(...)' is not supported: ${REFUSED}`);
  if (line[at + 1] === '?' || line.startsWith('${?}', at)) {
    parts.push({ status: true });
    return at + (line[at + 1] === '?' ? 2 : 4);
  }
  const expansion = /^\$(\{[^}]*\}?|[A-Za-z_][A-Za-z0-9_]*|[0-9#@*!$-])/.exec(line.slice(at, at + 256));
  if (expansion) throw new ShellSyntaxError(`'${expansion[0]}': variables other than '$?' are not supported`);
  add('$', quoted);
  return at + 1;
}
