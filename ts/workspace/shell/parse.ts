// Splits a command line into a pipeline of argument lists, with sh quoting: '...' literal, "..." with \" \\
// \$ \` escapes, backslash outside quotes escapes the next character. Whatever could write, chain commands or
// run a command (redirections, ';', '&', '&&', '||', '$(...)', backticks, '$VAR') is refused, never run.

export class ShellSyntaxError extends Error {}

const REFUSED_OPERATORS = new Set(['&&', '||', '>', '<', ';', '&', '(', ')', '`', '\n']);
const WORD_END = /[\s|><;&()`]/;

/** The commands of a pipeline, each a list of words: [['grep', 'alert', '/f'], ['head', '-n', '2']]. */
export function parsePipeline(commandLine: string): string[][] {
  const commands: string[][] = [[]];
  let i = 0;
  while (i < commandLine.length) {
    const char = commandLine[i]!;
    const operator = [commandLine.slice(i, i + 2), char].find((candidate) => REFUSED_OPERATORS.has(candidate));
    if (operator !== undefined) throw refused(operator);
    if (/\s/.test(char)) {
      i++;
    } else if (char === '|') {
      if (commands[commands.length - 1]!.length === 0) throw new ShellSyntaxError("syntax error near unexpected token `|'");
      commands.push([]);
      i++;
    } else if (char === '#') {
      break; // a comment, as in sh: '#' starting a word
    } else {
      const [word, next] = readWord(commandLine, i);
      commands[commands.length - 1]!.push(word);
      i = next;
    }
  }
  if (commands[commands.length - 1]!.length === 0) {
    if (commands.length === 1) return [];
    throw new ShellSyntaxError('syntax error: a pipe without a command after it');
  }
  return commands;
}

function refused(operator: string): ShellSyntaxError {
  const shown = operator === '\n' ? 'a newline' : `'${operator}'`;
  return new ShellSyntaxError(
    `${shown} is not supported: this shell is read-only and runs one pipeline ` +
      "(no redirections, ';', '&&', '||', '&', '$(...)' or backticks)",
  );
}

/** Reads one word starting at `start`; returns it and the index after it. */
function readWord(line: string, start: number): [string, number] {
  let word = '';
  let i = start;
  while (i < line.length && !WORD_END.test(line[i]!)) {
    const char = line[i]!;
    if (char === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError('unexpected end of line: missing closing quote (\')');
      word += line.slice(i + 1, close);
      i = close + 1;
    } else if (char === '"') {
      [word, i] = readDoubleQuoted(line, i + 1, word);
    } else if (char === '\\') {
      if (i + 1 >= line.length) throw new ShellSyntaxError('unexpected end of line after a backslash');
      if (line[i + 1] !== '\n') word += line[i + 1];
      i += 2;
    } else if (char === '$') {
      refuseExpansion(line, i);
      word += char;
      i++;
    } else {
      word += char;
      i++;
    }
  }
  return [word, i];
}

function readDoubleQuoted(line: string, start: number, word: string): [string, number] {
  let i = start;
  while (i < line.length) {
    const char = line[i]!;
    if (char === '"') return [word, i + 1];
    if (char === '`') throw refused('`');
    if (char === '$') refuseExpansion(line, i);
    if (char === '\\' && '"\\$`\n'.includes(line[i + 1] ?? '')) {
      if (line[i + 1] !== '\n') word += line[i + 1];
      i += 2;
    } else {
      word += char;
      i++;
    }
  }
  throw new ShellSyntaxError('unexpected end of line: missing closing quote (")');
}

/** '$' followed by a name, '{' or '(' would expand something; a lone '$' is literal, as in sh. */
function refuseExpansion(line: string, at: number): void {
  if (line[at + 1] === '(') throw refused('$(...)');
  const expansion = /^\$(\{[^}]*\}?|[A-Za-z_][A-Za-z0-9_]*|[0-9?#@*!$-])/.exec(line.slice(at));
  if (expansion) throw new ShellSyntaxError(`'${expansion[0]}': variables and other expansions are not supported`);
}
