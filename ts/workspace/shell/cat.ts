// cat [-n] [FILE|-]...: the operands' bytes in order; without operands, the previous command's output.
import { Output, type Command } from './io.js';
import { readOperand } from './input.js';
import { has, parseOptions } from './options.js';

export const cat: Command = {
  usageExitCode: 1,
  async run(context) {
    const parsed = parseOptions(context.args, { flags: 'nu', long: { number: 'n' } });
    const operands = parsed.operands.length > 0 ? parsed.operands : ['-'];
    // -n numbers the lines of all operands as one stream, as GNU cat does, so collect before numbering.
    const joined = new Output();
    let exitCode = 0;
    for (const operand of operands) {
      const bytes = await readOperand(context, operand);
      if (bytes === undefined) exitCode = 1;
      else joined.write(bytes);
    }
    if (has(parsed, 'n')) writeNumbered(context.stdout, joined.bytes());
    else context.stdout.write(joined.bytes());
    return exitCode;
  },
};

function writeNumbered(stdout: Output, bytes: Uint8Array): void {
  let lineNumber = 1;
  for (let start = 0; start < bytes.length; lineNumber++) {
    const newline = bytes.indexOf(10, start);
    const end = newline < 0 ? bytes.length : newline + 1;
    stdout.write(`${String(lineNumber).padStart(6)}\t`);
    stdout.write(bytes.subarray(start, end));
    start = end;
  }
}
