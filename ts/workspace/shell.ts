// execute(fs, commandLine): a small shell over a workspace (issues #6, #18). Lists (';', newlines), and-or
// chains ('&&', '||'), pipelines, redirections ('<', '>', '>>', '2>', '2>&1', '/dev/null'), globs over the
// workspace's paths and '$?', running the commands below, whose output matches GNU coreutils, sed, grep,
// diffutils and findutils under LC_ALL=C where a workspace knows the facts (see each command's module); mkdir,
// rm, cp, mv and touch where the file system takes writes. Pure TypeScript: runs in Node and in browsers.
//
// Nothing runs outside the workspace: '$(...)', backticks, '&', subshells and variables other than '$?' are
// refused with exit code 2 before anything runs. Relative paths start at '/', since a workspace has no
// working directory. Writes ('>', '>>', tee) go through the file system's optional writeFile/appendFile.
import type { WorkspaceFs } from './entry.js';
import { basename, dirname } from './shell/basename.js';
import { cat } from './shell/cat.js';
import { cp } from './shell/cp.js';
import { cut } from './shell/cut.js';
import { diff } from './shell/diff.js';
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
import { parseScript, ShellSyntaxError, type Pipeline, type Script, type SimpleCommand } from './shell/parse.js';
import { isAbort } from './shell/paths.js';
import { applyRedirections, flushSink, RedirectionError, type Descriptors, type Sink } from './shell/redirect.js';
import { rm } from './shell/rm.js';
import { sed } from './shell/sed.js';
import { sort } from './shell/sort.js';
import { stat } from './shell/stat.js';
import { tail } from './shell/tail.js';
import { tee } from './shell/tee.js';
import { touch } from './shell/touch.js';
import { tr } from './shell/tr.js';
import { falseCommand, trueCommand } from './shell/true-false.js';
import { uniq } from './shell/uniq.js';
import { wc } from './shell/wc.js';
import { expandWord } from './shell/words.js';
import { xargs } from './shell/xargs.js';

export interface ExecuteOptions {
  /** Stops the script between commands and between files; the result then has exit code 130. */
  signal?: AbortSignal;
}

export interface ExecuteResult {
  stdout: string;
  stderr: string;
  /** The last command's exit code, as in sh: 0 success, 1 failure (grep: no match), 2 usage, 127 unknown. */
  exitCode: number;
}

const COMMANDS: Record<string, Command> = {
  basename, cat, cp, cut, diff, dirname, du, echo, false: falseCommand, find, grep, head, ls, mkdir, mv, rm, sed, sort,
  stat, tail, tee, touch, tr, true: trueCommand, uniq, wc, xargs,
};

const ABORTED_EXIT_CODE = 130;
const NOT_FOUND_EXIT_CODE = 127;
const SYNTAX_EXIT_CODE = 2;

/** Runs a command line over `fs`. Never rejects: errors are on stderr with a non-zero exit code. */
export async function execute(fs: WorkspaceFs, commandLine: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const stdout = new Output();
  const stderr = new Output();
  let script: Script;
  try {
    script = parseScript(commandLine);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    stderr.write(`execute: ${error.message}\n`);
    return { stdout: '', stderr: fromUtf8(stderr.bytes()), exitCode: SYNTAX_EXIT_CODE };
  }
  const shell = new Shell(fs, options.signal, { output: stdout }, { output: stderr });
  const exitCode = await shell.run(script);
  return { stdout: fromUtf8(stdout.bytes()), stderr: fromUtf8(stderr.bytes()), exitCode };
}

class Shell {
  /** '$?': the exit code of the last pipeline run. */
  private status = 0;

  constructor(
    private readonly fs: WorkspaceFs,
    private readonly signal: AbortSignal | undefined,
    private readonly stdout: Sink,
    private readonly stderr: Sink,
  ) {}

  async run(script: Script): Promise<number> {
    for (const chain of script) {
      this.status = await this.pipeline(chain.first);
      for (const { op, pipeline } of chain.rest) {
        if (this.status === ABORTED_EXIT_CODE) break;
        // Left to right, as sh: 'a || b && c' runs c when (a || b) succeeded.
        if ((op === '&&') === (this.status === 0)) this.status = await this.pipeline(pipeline);
      }
      if (this.status === ABORTED_EXIT_CODE) break;
    }
    return this.status;
  }

  /** Runs each command on the previous one's output, in turn; the pipeline's status is the last one's. */
  private async pipeline(pipeline: Pipeline): Promise<number> {
    let stdin: Uint8Array = new Uint8Array(0);
    let exitCode = 0;
    for (const [index, command] of pipeline.entries()) {
      const last = index === pipeline.length - 1;
      const stdout: Sink = last ? this.stdout : { output: new Output() };
      exitCode = await this.simpleCommand(command, { stdin, stdout, stderr: this.stderr });
      stdin = last ? stdin : stdout.output.bytes();
      if (exitCode === ABORTED_EXIT_CODE) break;
    }
    return exitCode;
  }

  private async simpleCommand(command: SimpleCommand, defaults: Descriptors & { stdin: Uint8Array }): Promise<number> {
    let descriptors: Descriptors;
    let args: string[];
    try {
      args = [];
      for (const word of command.words) args.push(...(await expandWord(this.fs, word, this.status)));
      descriptors = await applyRedirections(this.fs, command.redirections, this.status, defaults);
    } catch (error) {
      return this.failure(error);
    }
    let exitCode = 0;
    if (args.length > 0) {
      exitCode = await this.invoke(args, descriptors.stdin ?? defaults.stdin, descriptors.stdout.output, descriptors.stderr.output);
    }
    try {
      await flushSink(this.fs, descriptors.stdout);
      if (descriptors.stderr !== descriptors.stdout) await flushSink(this.fs, descriptors.stderr);
    } catch (error) {
      return this.failure(error);
    }
    return exitCode;
  }

  private failure(error: unknown): number {
    if (isAbort(error) || this.signal?.aborted) return ABORTED_EXIT_CODE;
    if (!(error instanceof RedirectionError)) throw error;
    this.stderr.output.write(`sh: ${error.message}\n`);
    return 1;
  }

  /** Runs one command by name; xargs runs others through it. */
  private readonly invoke = async (args: string[], stdin: Uint8Array, stdout: Output, stderr: Output): Promise<number> => {
    const [name, ...rest] = args as [string, ...string[]];
    return runCommand({
      name, args: rest, fs: this.fs, stdin, stdout, stderr, signal: this.signal, invoke: this.invoke,
    });
  };
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
    if (error instanceof RedirectionError) {
      // A write of tee's that failed.
      context.stderr.write(`${context.name}: ${error.message}\n`);
      return 1;
    }
    // A failure of the file system that a command did not expect (a source that went away, say).
    const { message } = (error ?? {}) as { message?: unknown };
    context.stderr.write(`${context.name}: ${typeof message === 'string' ? message : String(error)}\n`);
    return 1;
  }
}
