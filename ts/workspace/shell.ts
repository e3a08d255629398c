// execute(fs, commandLine): a small shell over a workspace (issue #6). One pipeline of ls, cat, head, tail,
// wc, grep, find, stat, du and echo, and mkdir, rm, cp, mv and touch where the file system takes writes
// (issue #18), with sh quoting; each command's output is the next one's
// input. Output matches GNU coreutils, grep and findutils under LC_ALL=C where a workspace knows the facts
// (see each command's module for where it cannot). Pure TypeScript: runs in Node and in browsers.
//
// Not supported, and refused with exit code 2 rather than run: redirections, ';', '&&', '||', '&',
// '$(...)', backticks, variables. Globs are not expanded ('*' reaches the command as is); relative
// paths start at '/', since a workspace has no working directory.
import type { WorkspaceFs } from './entry.js';
import { cat } from './shell/cat.js';
import { cp } from './shell/cp.js';
import { du } from './shell/du.js';
import { echo } from './shell/echo.js';
import { find } from './shell/find.js';
import { grep } from './shell/grep.js';
import { head } from './shell/head.js';
import { fromUtf8, Output, type Command, type CommandContext } from './shell/io.js';
import { ls } from './shell/ls.js';
import { mkdir } from './shell/mkdir.js';
import { mv } from './shell/mv.js';
import { UsageError } from './shell/options.js';
import { parsePipeline, ShellSyntaxError } from './shell/parse.js';
import { isAbort } from './shell/paths.js';
import { rm } from './shell/rm.js';
import { stat } from './shell/stat.js';
import { tail } from './shell/tail.js';
import { touch } from './shell/touch.js';
import { wc } from './shell/wc.js';

export interface ExecuteOptions {
  /** Stops the pipeline between commands and between files; the result then has exit code 130. */
  signal?: AbortSignal;
}

export interface ExecuteResult {
  stdout: string;
  stderr: string;
  /** The last command's exit code, as in sh: 0 success, 1 failure (grep: no match), 2 usage, 127 unknown. */
  exitCode: number;
}

const COMMANDS: Record<string, Command> = { cat, cp, du, echo, find, grep, head, ls, mkdir, mv, rm, stat, tail, touch, wc };

const ABORTED_EXIT_CODE = 130;
const NOT_FOUND_EXIT_CODE = 127;
const SYNTAX_EXIT_CODE = 2;

/** Runs one pipeline over `fs`. Never rejects: errors are on stderr with a non-zero exit code. */
export async function execute(fs: WorkspaceFs, commandLine: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const stderr = new Output();
  let pipeline: string[][];
  try {
    pipeline = parsePipeline(commandLine);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    stderr.write(`execute: ${error.message}\n`);
    return { stdout: '', stderr: fromUtf8(stderr.bytes()), exitCode: SYNTAX_EXIT_CODE };
  }
  let stdin: Uint8Array = new Uint8Array(0);
  let exitCode = 0;
  for (const [name, ...args] of pipeline) {
    const stdout = new Output();
    exitCode = await runCommand({ name: name!, args, fs, stdin, stdout, stderr, signal: options.signal });
    stdin = stdout.bytes();
    if (exitCode === ABORTED_EXIT_CODE) break;
  }
  return { stdout: fromUtf8(stdin), stderr: fromUtf8(stderr.bytes()), exitCode };
}

async function runCommand(context: CommandContext): Promise<number> {
  const command = Object.hasOwn(COMMANDS, context.name) ? COMMANDS[context.name] : undefined;
  if (command === undefined) {
    context.stderr.write(`${context.name}: command not found\n`);
    return NOT_FOUND_EXIT_CODE;
  }
  try {
    context.signal?.throwIfAborted();
    return await command.run(context);
  } catch (error) {
    if (isAbort(error) || context.signal?.aborted) {
      context.stderr.write(`${context.name}: aborted\n`);
      return ABORTED_EXIT_CODE;
    }
    if (error instanceof UsageError) {
      context.stderr.write(`${context.name}: ${error.message}\n`);
      if (error.hint) context.stderr.write(`Try '${context.name} --help' for more information.\n`);
      return command.usageExitCode;
    }
    // A failure of the file system that a command did not expect (a source that went away, say).
    const { message } = (error ?? {}) as { message?: unknown };
    context.stderr.write(`${context.name}: ${typeof message === 'string' ? message : String(error)}\n`);
    return 1;
  }
}
