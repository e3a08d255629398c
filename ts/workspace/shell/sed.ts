// sed [-nE] [-e SCRIPT]... [SCRIPT] [FILE]...: GNU sed's stream editing for the commands agents use:
// s/RE/REPLACEMENT/[g p N I] (with & and \1..\9 in the replacement), d, p, q, '=', each after an optional
// address (a line number, '$', /RE/ or \cREc) or range ADDR1,ADDR2, negated with '!'. Commands are separated by
// ';' or newlines. Regular expressions are GNU's basic or (-E) extended ones, run by the linear-time engine
// (regex-search.ts); back-references in patterns are refused. Nothing writes files: -i and 'w' are refused.
import { fromLatin1, latin1, Output, Pacer, textOf, type Command } from './io.js';
import { readLines } from './input.js';
import { has, parseOptions, UsageError } from './options.js';
import { groupCount, parsePosix, PatternError } from './regex.js';
import { compileRegex } from './regex-program.js';
import { RegexSearcher, type Match } from './regex-search.js';

/** A compiled pattern; undefined source text means 'the last regex used', as sed's empty '//'. */
interface Pattern {
  searcher: RegexSearcher | undefined;
}

type Address = { kind: 'line'; line: number } | { kind: 'last' } | { kind: 'regex'; pattern: Pattern };

interface Instruction {
  address1?: Address;
  address2?: Address;
  negated: boolean;
  /** Whether a range is open (between its first and last line). */
  inRange: boolean;
  /** For a range whose second address is a line number at or before where it opened: that line. */
  rangeEnd?: number;
  command: 'd' | 'p' | 'q' | '=' | 's';
  substitution?: Substitution;
}

interface Substitution {
  pattern: Pattern;
  /** Replacement pieces: literal bytes (latin1) or a group number (0 for '&'). */
  replacement: Array<string | number>;
  global: boolean;
  occurrence: number;
  print: boolean;
}

class ScriptError extends UsageError {
  constructor(message: string) {
    super(`-e expression #1, char 0: ${message}`, false);
  }
}

export const sed: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, {
      flags: 'nErsiz',
      valued: 'ef',
      long: {
        quiet: 'n', silent: 'n', 'regexp-extended': 'E', expression: 'e', file: 'f', separate: 's',
        'in-place': 'i', 'null-data': 'z', posix: 'posix', debug: 'debug', sandbox: 'sandbox',
      },
      optionalValue: 'i',
    });
    if (has(parsed, 'i')) throw new UsageError("-i is not supported: use '>' to write a file", false);
    if (has(parsed, 'f')) throw new UsageError("-f is not supported: give the script with -e", false);
    const extended = has(parsed, 'E') || has(parsed, 'r');
    const operands = [...parsed.operands];
    const expressions = parsed.options.filter((option) => option.name === 'e').map((option) => option.value);
    if (expressions.length === 0) {
      if (operands.length === 0) throw new UsageError('Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...', false);
      expressions.push(operands.shift()!);
    }
    const instructions = parseScript(expressions.join('\n'), extended);
    const lineEnd = has(parsed, 'z') ? 0 : 0x0a;
    const input = await readLines(context, operands, lineEnd);
    const editor = new Editor(instructions, !has(parsed, 'n'), context.stdout, lineEnd);
    const pacer = new Pacer(context.signal);
    // A line is run once the next one is known ('$' needs to know which is last).
    let pending: Uint8Array | undefined;
    let lineNumber = 0;
    for (const line of input) {
      if (pending !== undefined && editor.cycle(latin1(pending), ++lineNumber, false, false)) return input.failed ? 2 : 0;
      pending = line;
      if (pacer.due(line.length + 1)) await pacer.pause();
    }
    if (pending !== undefined) editor.cycle(latin1(pending), ++lineNumber, true, !input.endsWithSeparator);
    return input.failed ? 2 : 0;
  },
};

class Editor {
  /** Whether the last write lacked its newline (the input's last line had none): written before more output. */
  private missingNewline = false;
  private lastPattern: RegexSearcher | undefined;

  constructor(
    private readonly instructions: Instruction[],
    private readonly autoprint: boolean,
    private readonly stdout: Output,
    private readonly lineEnd: number,
  ) {}

  /** Runs the script on one line; true when it quits. */
  cycle(line: string, lineNumber: number, last: boolean, noNewline: boolean): boolean {
    let space = line;
    const print = (text: string) => this.write(text, noNewline);
    for (const instruction of this.instructions) {
      if (this.selects(instruction, space, lineNumber, last) === instruction.negated) continue;
      switch (instruction.command) {
        case 'd':
          return false;
        case 'p':
          print(space);
          break;
        case '=':
          this.write(String(lineNumber), false, 0x0a);
          break;
        case 'q':
          if (this.autoprint) print(space);
          return true;
        case 's': {
          const result = this.substitute(instruction.substitution!, space);
          if (result === undefined) break;
          space = result;
          if (instruction.substitution!.print) print(space);
          break;
        }
      }
    }
    if (this.autoprint) print(space);
    return false;
  }

  private write(text: string, noNewline: boolean, end = this.lineEnd): void {
    if (this.missingNewline) this.stdout.write(Uint8Array.of(end));
    this.stdout.write(fromLatin1(text));
    if (!noNewline) this.stdout.write(Uint8Array.of(end));
    this.missingNewline = noNewline;
  }

  private searcher(pattern: Pattern): RegexSearcher {
    const searcher = pattern.searcher ?? this.lastPattern;
    if (searcher === undefined) throw new UsageError('no previous regular expression', false);
    this.lastPattern = searcher;
    return searcher;
  }

  private matches(address: Address, space: string, lineNumber: number, last: boolean): boolean {
    if (address.kind === 'line') return lineNumber === address.line;
    if (address.kind === 'last') return last;
    return this.searcher(address.pattern).search(fromLatin1(space), 0) !== undefined;
  }

  private selects(instruction: Instruction, space: string, lineNumber: number, last: boolean): boolean {
    const { address1, address2 } = instruction;
    if (address1 === undefined) return true;
    if (address2 === undefined) return this.matches(address1, space, lineNumber, last);
    if (instruction.inRange) {
      // The second address is checked from the line after the first: a line number ends the range at it
      // (or right away when already past it), a regex at the first line it matches.
      const ends = address2.kind === 'line' ? lineNumber >= address2.line : this.matches(address2, space, lineNumber, last);
      if (ends) instruction.inRange = false;
      return true;
    }
    if (!this.matches(address1, space, lineNumber, last)) return false;
    const oneLine = address2.kind === 'line' ? address2.line <= lineNumber : address2.kind === 'last' && last;
    instruction.inRange = !oneLine;
    return true;
  }

  /** The pattern space after an s command, or undefined when it replaced nothing. */
  private substitute(substitution: Substitution, space: string): string | undefined {
    const searcher = this.searcher(substitution.pattern);
    const bytes = fromLatin1(space);
    let result = '';
    let copiedTo = 0;
    let count = 0;
    let replaced = false;
    let previousEnd = -1;
    for (let from = 0; from <= bytes.length; ) {
      const match = searcher.search(bytes, from);
      if (match === undefined) break;
      // An empty match right after the previous match does not count (GNU: 'baaac' with s/a*/x/g is 'xbxcx').
      if (match.start === match.end && match.start === previousEnd) {
        from = match.start + 1;
        continue;
      }
      count++;
      if (count >= substitution.occurrence) {
        result += space.slice(copiedTo, match.start) + expand(substitution.replacement, match, space);
        copiedTo = match.end;
        replaced = true;
        if (!substitution.global) break;
      }
      previousEnd = match.end;
      from = match.end > match.start ? match.end : match.end + 1;
    }
    return replaced ? result + space.slice(copiedTo) : undefined;
  }
}

function expand(replacement: Array<string | number>, match: Match, space: string): string {
  let text = '';
  for (const piece of replacement) {
    if (typeof piece === 'string') text += piece;
    else if (match.groups[piece * 2]! >= 0) text += space.slice(match.groups[piece * 2], match.groups[piece * 2 + 1]);
  }
  return text;
}

/** Reads a sed script (latin1 text: one character per byte) into instructions. */
function parseScript(script: string, extended: boolean): Instruction[] {
  const source = latin1(new TextEncoder().encode(script));
  const instructions: Instruction[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < source.length && /[ \t]/.test(source[i]!)) i++;
  };
  const pattern = (text: string, ignoreCase: boolean): Pattern => {
    if (text === '') return { searcher: undefined };
    try {
      const tree = parsePosix(textOf(text), extended, true);
      return { searcher: new RegexSearcher(compileRegex(tree, ignoreCase), groupCount(tree)) };
    } catch (error) {
      if (error instanceof PatternError) throw new ScriptError(error.message);
      throw error;
    }
  };
  /** Text up to the unescaped `delimiter`, '\delimiter' read as the delimiter and '\n' as a newline. */
  const delimited = (delimiter: string): string => {
    let text = '';
    for (; i < source.length; i++) {
      const char = source[i]!;
      if (char === delimiter) {
        i++;
        return text;
      }
      if (char === '\\' && i + 1 < source.length) {
        const next = source[++i]!;
        text += next === delimiter ? delimiter : next === 'n' ? '\n' : next === 't' ? '\t' : '\\' + next;
      } else if (char === '[') {
        // A bracket expression may hold the delimiter unescaped.
        const close = source.indexOf(']', i + (source[i + 1] === '^' ? 3 : 2));
        if (close < 0) throw new ScriptError(`unterminated address regex`);
        text += source.slice(i, close + 1);
        i = close;
      } else {
        text += char;
      }
    }
    throw new ScriptError(`unterminated \`s' command`);
  };
  const address = (): Address | undefined => {
    const number = /^\d+/.exec(source.slice(i, i + 20));
    if (number) {
      i += number[0].length;
      return { kind: 'line', line: Number(number[0]) };
    }
    if (source[i] === '$') {
      i++;
      return { kind: 'last' };
    }
    if (source[i] === '/' || source[i] === '\\') {
      const delimiter = source[i] === '/' ? '/' : source[i + 1];
      if (delimiter === undefined) throw new ScriptError('unexpected end of script');
      i += source[i] === '/' ? 1 : 2;
      const text = delimited(delimiter);
      const ignoreCase = source[i] === 'I';
      if (ignoreCase) i++;
      return { kind: 'regex', pattern: pattern(text, ignoreCase) };
    }
    return undefined;
  };
  while (i < source.length) {
    skipSpace();
    if (source[i] === ';' || source[i] === '\n') {
      i++;
      continue;
    }
    if (i >= source.length) break;
    const instruction: Instruction = { negated: false, inRange: false, command: 'p' };
    instruction.address1 = address();
    if (instruction.address1?.kind === 'line' && instruction.address1.line === 0) throw new ScriptError('invalid usage of line address 0');
    if (instruction.address1 !== undefined && source[i] === ',') {
      i++;
      skipSpace();
      instruction.address2 = address();
      if (instruction.address2 === undefined) throw new ScriptError('unexpected `,\'');
    }
    skipSpace();
    while (source[i] === '!') {
      instruction.negated = true;
      i++;
      skipSpace();
    }
    const command = source[i++];
    switch (command) {
      case 'd':
      case 'p':
      case '=':
      case 'q':
        instruction.command = command;
        break;
      case 's':
        instruction.command = 's';
        instruction.substitution = substitution();
        break;
      case undefined:
        throw new ScriptError('missing command');
      case '{':
      case '}':
        throw new ScriptError('blocks ({...}) are not supported');
      default:
        throw new ScriptError(`unknown command: \`${command}'`);
    }
    skipSpace();
    if (i < source.length && source[i] !== ';' && source[i] !== '\n') {
      throw new ScriptError(`extra characters after command`);
    }
    instructions.push(instruction);
  }
  return instructions;

  function substitution(): Substitution {
    const delimiter = source[i++];
    if (delimiter === undefined || delimiter === '\n' || delimiter === '\\') throw new ScriptError("unterminated `s' command");
    const regexText = delimited(delimiter);
    const replacement = readReplacement(delimiter);
    const result: Omit<Substitution, 'pattern'> = { replacement, global: false, occurrence: 1, print: false };
    let ignoreCase = false;
    for (;;) {
      const flag = source[i];
      if (flag === 'g') result.global = true;
      else if (flag === 'p') result.print = true;
      else if (flag === 'i' || flag === 'I') ignoreCase = true;
      else if (flag !== undefined && /\d/.test(flag)) {
        const digits = /^\d+/.exec(source.slice(i, i + 20))![0];
        if (Number(digits) === 0) throw new ScriptError("number option to `s' command may not be zero");
        result.occurrence = Number(digits);
        i += digits.length - 1;
      } else if (flag === 'w' || flag === 'e' || flag === 'm' || flag === 'M') {
        throw new ScriptError(`the \`${flag}' flag of \`s' is not supported`);
      } else break;
      i++;
    }
    const compiled = pattern(regexText, ignoreCase);
    if (compiled.searcher !== undefined) {
      const groups = groupCount(parsePosix(textOf(regexText), extended, true));
      for (const piece of replacement) {
        if (typeof piece === 'number' && piece > groups) throw new ScriptError(`invalid reference \\${piece} on \`s' command's RHS`);
      }
    }
    return { ...result, pattern: compiled };
  }

  function readReplacement(delimiter: string): Array<string | number> {
    const pieces: Array<string | number> = [];
    let text = '';
    const flush = () => {
      if (text !== '') pieces.push(text);
      text = '';
    };
    for (; i < source.length; i++) {
      const char = source[i]!;
      if (char === delimiter) {
        i++;
        flush();
        return pieces;
      }
      if (char === '&') {
        flush();
        pieces.push(0);
      } else if (char === '\\' && i + 1 < source.length) {
        const next = source[++i]!;
        if (/[0-9]/.test(next)) {
          flush();
          pieces.push(Number(next));
        } else {
          text += next === 'n' ? '\n' : next === 't' ? '\t' : next === '\n' ? '\n' : next;
        }
      } else {
        text += char;
      }
    }
    throw new ScriptError("unterminated `s' command");
  }
}

