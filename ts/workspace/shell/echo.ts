// echo as bash's builtin: -n drops the newline, -e reads backslash escapes, -E (the default) does not.
import type { Command } from './io.js';

const ESCAPES: Record<string, string> = {
  '\\': '\\', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

export const echo: Command = {
  usageExitCode: 2,
  async run(context) {
    const args = [...context.args];
    let newline = true;
    let escapes = false;
    // Like bash, a word of only n/e/E letters after '-' is options; anything else is text.
    while (args.length > 0 && /^-[neE]+$/.test(args[0]!)) {
      for (const letter of args.shift()!.slice(1)) {
        if (letter === 'n') newline = false;
        else escapes = letter === 'e';
      }
    }
    let text = args.join(' ');
    if (escapes) {
      const stop = interpretEscapes(text);
      text = stop.text;
      if (stop.stopped) newline = false;
    }
    context.stdout.write(newline ? text + '\n' : text);
    return 0;
  },
};

/** Replaces echo -e's escapes; '\c' ends the output there. */
function interpretEscapes(text: string): { text: string; stopped: boolean } {
  let result = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const next = text[i + 1];
    if (char !== '\\' || next === undefined) {
      result += char;
      continue;
    }
    const octal = next === '0' ? /^[0-7]{0,3}/.exec(text.slice(i + 2))![0] : undefined;
    const hex = next === 'x' ? /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 2))?.[0] : undefined;
    if (next === 'c') return { text: result, stopped: true };
    if (octal !== undefined) {
      result += String.fromCharCode(parseInt(octal || '0', 8));
      i += 1 + octal.length;
    } else if (hex !== undefined) {
      result += String.fromCharCode(parseInt(hex, 16));
      i += 1 + hex.length;
    } else if (ESCAPES[next] !== undefined) {
      result += ESCAPES[next];
      i++;
    } else {
      result += char;
    }
  }
  return { text: result, stopped: false };
}
