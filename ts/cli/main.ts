#!/usr/bin/env node
// `stratacache <command>`: the operator's view of a disk tier's folder and of workspace snapshots. Reads go to
// the index alone, read-only; verify and clean open the folder's disk tier as a cache. Exit codes: 0 done,
// 1 failed, 2 a wrong command line, 3 no such folder, cache or file, 4 a damaged index or snapshot.
import { once } from 'node:events';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { fromNative, invalidArg, type StrataError } from '../errors.js';
import { clean, ls, type Output, stats, verify } from './commands.js';
import { snapshot } from './snapshot.js';

const USAGE = `Usage: stratacache <command> <dir | file> [options]

Commands (dir: the folder of a disk() tier):
  stats <dir>                         entries and bytes, per namespace; the oldest and newest write
  ls <dir> [--namespace N] [--prefix P]
                                      the live entries: size, expiry, namespace, key
  verify <dir>                        check every entry's content, repair the folder, report
  clean <dir> [--max-age D] [--max-size S]
                                      remove entries written more than D ago, then the oldest over S
  snapshot <file.tar>                 what a workspace snapshot holds: its files, sizes, when it was made

Options:
  --json        one JSON document on standard output, for scripts
  -h, --help    this text

Exit codes: 0 done, 1 failed, 2 wrong command line, 3 no such folder, cache or file,
4 damaged index or snapshot.`;

const EXIT_BY_CODE: Record<string, number> = { ERR_INVALID_ARG: 2, ERR_NOT_FOUND: 3, ERR_CORRUPT: 4 };

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  namespace: { type: 'string' },
  prefix: { type: 'string' },
  'max-age': { type: 'string' },
  'max-size': { type: 'string' },
} as const;

// The options each command takes besides --json and --help.
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  stats: [],
  ls: ['namespace', 'prefix'],
  verify: [],
  clean: ['max-age', 'max-size'],
  snapshot: [],
};

function output(json: boolean): Output {
  return {
    json,
    line: (text) => process.stdout.write(`${text}\n`),
    drained: async () => {
      if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
    },
    activity(text) {
      if (json || !process.stderr.isTTY) return () => {};
      const started = Date.now();
      const frames = '|/-\\';
      let frame = 0;
      const show = () => {
        const seconds = ((Date.now() - started) / 1000).toFixed(0);
        process.stderr.write(`\r${frames[frame++ % frames.length]} ${text} (${seconds} s)`);
      };
      show();
      const timer = setInterval(show, 100);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        clearInterval(timer);
        process.stderr.write('\r\x1b[K');
      };
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [command, dir, ...rest] = positionals; // dir: the folder, or snapshot's file
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const allowed = COMMAND_OPTIONS[command];
  if (allowed === undefined) throw invalidArg(`unknown command '${command}'; try stratacache --help`);
  const onFile = command === 'snapshot';
  if (dir === undefined) {
    const [what, operand] = onFile ? ['a snapshot file', 'file.tar'] : ['the folder of a disk cache', 'dir'];
    throw invalidArg(`${command} needs ${what}: stratacache ${command} <${operand}>`);
  }
  if (rest.length > 0) throw invalidArg(`${command} takes one ${onFile ? 'file' : 'folder'}; unexpected '${rest[0]}'`);
  for (const name of Object.keys(values)) {
    if (name !== 'json' && values[name as keyof typeof values] !== undefined && !allowed.includes(name)) {
      throw invalidArg(`${command} takes no --${name}`);
    }
  }
  const folder = resolve(dir);
  const out = output(values.json ?? false);
  switch (command) {
    case 'stats': return stats(folder, out);
    case 'ls': return ls(folder, { namespace: values.namespace, prefix: values.prefix }, out);
    case 'verify': return verify(folder, out);
    case 'snapshot': return snapshot(folder, out);
    default: return clean(folder, { maxAge: values['max-age'], maxSize: values['max-size'] }, out);
  }
}

/** parseArgs throws TypeErrors with codes of its own (ERR_PARSE_ARGS_UNKNOWN_OPTION, ...): a wrong command line. */
function asStrataError(error: unknown): StrataError {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return invalidArg((error as Error).message);
  return fromNative(error);
}

// Output cut short by the reader (`stratacache ls dir | head`) is not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).catch((caught: unknown) => {
  const error = asStrataError(caught);
  const json = process.argv.includes('--json');
  if (json) process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
  process.stderr.write(`stratacache: ${error.message}\n`);
  process.exitCode = EXIT_BY_CODE[error.code] ?? 1;
});
