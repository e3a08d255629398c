// execute(): the workspace shell, compared byte for byte with GNU coreutils, grep and findutils run by bash
// in the same folder (LC_ALL=C, TZ=UTC), and its errors, quoting and pipes.
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { localResource, Workspace } from '../../dist/node.js';
import type { WorkspaceFs } from '../../dist/workspace/entry.js';
import { execute } from '../../dist/workspace/shell.js';
import { MAX_REGEX_DEPTH } from '../../dist/workspace/shell/regex.js';
import { freshFolder } from './disk-folders.js';
import { folderFsFactory, type WorkspaceFsFactory } from './folder-fs.js';
import { runGnu } from './gnu-shell.js';
import { memoryFs } from './memory-fs.js';

/** The file systems the shell is tested on: add or remove one here. */
const FACTORIES: Array<[name: string, factory: WorkspaceFsFactory]> = [
  ['a folder (folder-fs)', folderFsFactory],
  [
    'a Workspace with a local mount',
    (folder, mountPoint) => Workspace.open({ mounts: { [mountPoint]: localResource(folder) } }),
  ],
];

const MOUNT = '/data';
const FIXED_TIME = new Date('2024-05-01T12:34:56Z');

const LOG_LINES = Array.from({ length: 40 }, (_, i) => {
  const level = i % 7 === 0 ? 'alert' : i % 5 === 0 ? 'error' : i % 3 === 0 ? 'warn' : 'info';
  return JSON.stringify({ ts: `2024-05-01T00:00:${String(i).padStart(2, '0')}Z`, level, msg: `event ${i}` });
});

/** `length` pseudo-random a's and b's (xorshift32 from `seed`). */
function randomAb(length: number, seed: number): string {
  let state = seed * 0x9e3779b9;
  let text = '';
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    text += state & 1 ? 'a' : 'b';
  }
  return text;
}

const FILES: Record<string, string> = {
  'logs/app.jsonl': LOG_LINES.join('\n') + '\n',
  'logs/archive/2024-01.jsonl': '{"level":"alert","msg":"old"}\n{"level":"info","msg":"older"}\n',
  'logs/archive/2024-02.jsonl': '{"level":"info","msg":"quiet month"}\n',
  'docs/readme.txt':
    'Café au lait — naïve façade\nÉTÉ and été\nThis is a readme.\ncaf\n leading space\tand tab\n' +
    'a.b literal dot and axb\nword words sword\n\nlevel=alert twice alert\n',
  'docs/notes with spaces.txt': 'spaced out\nsecond line\n',
  'docs/no-newline.txt': 'first\nsecond\nlast line without newline',
  'docs/UPPER.TXT': 'SHOUT\n',
  'empty.txt': '',
  'numbers.txt': Array.from({ length: 2000 }, (_, i) => `${i + 1}\n`).join(''),
  '.hidden': 'secret\n',
  'misc/control.txt': 'a\x01b \x02\r\n\tx\v y\f\n\x7f\n',
  'misc/crlf.txt': 'one\r\ntwo x\r\nalert\r\n',
  'misc/Zebra.txt': 'swords word\nwordy\n_word\nword_\n',
  'misc/ünïcode name.txt': 'ü\n',
  'misc/regex.txt':
    'abc\naabbcc\n\nword words sword\nfoo.bar foo_bar\n(paren) [br] {cu}\na+b a?b a|b\n^caret $dollar\n' +
    'back\\slash\ntab\there\nAAA aaa\n12 345 6789\n',
  // Lines on which backtracking matchers take exponential time with nested repetitions.
  // Lines of pseudo-random a and b: 'a.{12}' meets thousands of DFA states on them, past the state cache's bound.
  'misc/ab.txt': Array.from({ length: 4 }, (_, line) => randomAb(10_000, line + 1)).join('\n') + '\n',
  'misc/random.txt': Array.from({ length: 60 }, (_, i) =>
    Array.from({ length: (i * 7) % 13 }, (_, j) => 'abxAB  '[(i * 31 + j * 17 + ((i * j) % 5)) % 7]).join(''),
  ).join('\n') + '\n',
  'misc/long.txt': ['a'.repeat(31), 'a'.repeat(10_000), `${'a'.repeat(10_000)}b`, `${'a'.repeat(9_999)}!`, 'ab'.repeat(5_000), `${'x'.repeat(30)}y`]
    .join('\n') + '\n',
};

/** Files whose bytes are not UTF-8 text. */
const BINARY_FILES: Record<string, Uint8Array> = {
  'misc/latin1.txt': Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a, 0x41, 0xc9, 0x0a]),
  'misc/blob.bin': new TextEncoder().encode('abc\0def\nalert\nmore alert\n'),
};

let folder: string;

beforeAll(async () => {
  folder = freshFolder('shell');
  mkdirSync(join(folder, 'empty-dir'));
  for (const [path, content] of [...Object.entries(FILES), ...Object.entries(BINARY_FILES)]) {
    mkdirSync(join(folder, path, '..'), { recursive: true });
    writeFileSync(join(folder, path), content);
    utimesSync(join(folder, path), FIXED_TIME, FIXED_TIME);
  }
});

const gnuResults = new Map<string, { stdout: string; exitCode: number }>();

/** What bash gives for `commandLine` run on the real folder, with the mount's paths mapped both ways. */
function gnu(commandLine: string): { stdout: string; exitCode: number } {
  const known = gnuResults.get(commandLine);
  if (known) return known;
  const outcome = runGnu(folder, MOUNT, commandLine);
  gnuResults.set(commandLine, outcome);
  return outcome;
}

function sortedLines(text: string): string[] {
  return text.split('\n').sort();
}

describe.each(FACTORIES)('over %s', (_, makeFs) => {
  let fs: WorkspaceFs;
  beforeAll(async () => {
    fs = await makeFs(folder, MOUNT);
  });
  afterAll(async () => {
    await (fs as Partial<{ close(): Promise<void> }>).close?.();
  });

  describe('execute matches GNU tools byte for byte', () => {
    test.each([
      // ls (names only: -l has its own format)
      'ls /data',
      'ls -1 /data',
      'ls -a /data',
      'ls -1a /data/logs',
      'ls /data/logs /data/docs',
      'ls /data/empty.txt /data/logs',
      'ls /data/empty.txt /data/numbers.txt',
      'ls -R /data',
      'ls -R /data/',
      'ls /data/nope /data/docs',
      'ls "/data/docs/notes with spaces.txt"',
      'ls /data/empty-dir',
      'ls /data/docs/../logs/./archive',
      // cat
      'cat /data/docs/readme.txt',
      'cat -n /data/docs/no-newline.txt /data/docs/readme.txt',
      'cat /data/nope /data/empty.txt /data/docs/no-newline.txt',
      'cat /data/docs/no-newline.txt /data/docs/notes\\ with\\ spaces.txt',
      'cat /data/logs',
      // head and tail
      'head /data/numbers.txt',
      'head -n 3 /data/logs/app.jsonl',
      'head -3 /data/logs/app.jsonl',
      'head -c 10 /data/docs/readme.txt',
      'head -n -1995 /data/numbers.txt',
      'head -c -5 /data/docs/no-newline.txt',
      'head -n 2 /data/docs/readme.txt /data/nope /data/empty.txt /data/docs/no-newline.txt',
      'head -v -n 1 /data/numbers.txt',
      'head -q -n 1 /data/numbers.txt /data/docs/readme.txt',
      'head -n 0 /data/numbers.txt',
      'head -c 1K /data/numbers.txt',
      'tail /data/numbers.txt',
      'tail -n 2 /data/docs/no-newline.txt',
      'tail -n +1998 /data/numbers.txt',
      'tail -n +0 /data/docs/no-newline.txt',
      'tail -c 7 /data/docs/no-newline.txt',
      'tail -c +3 /data/docs/readme.txt',
      'tail -2 /data/logs/app.jsonl',
      'tail -n 1 /data/empty.txt /data/nope /data/docs/readme.txt',
      'tail -n 1 /data/docs/readme.txt /data/numbers.txt',
      // wc
      'wc /data/docs/readme.txt',
      'wc -l /data/logs/app.jsonl',
      'wc -w /data/docs/readme.txt',
      'wc -c /data/empty.txt',
      'wc /data/logs/app.jsonl /data/docs/readme.txt /data/empty.txt',
      'wc -l /data/nope /data/numbers.txt',
      'wc -lw /data/numbers.txt /data/nope',
      'wc -cl /data/docs/no-newline.txt',
      'wc /data/logs',
      // grep
      'grep alert /data/logs/app.jsonl',
      'grep -c alert /data/logs/app.jsonl',
      'grep -n -i ALERT /data/logs/app.jsonl',
      'grep -v info /data/logs/app.jsonl',
      'grep -l alert /data/logs/app.jsonl /data/docs/readme.txt /data/numbers.txt',
      'grep alert /data/logs/app.jsonl /data/docs/readme.txt',
      'grep -c alert /data/logs/app.jsonl /data/numbers.txt',
      'grep -E "alert|error" /data/logs/app.jsonl',
      'grep -e alert -e warn /data/logs/app.jsonl',
      'grep "alert\\|error" /data/logs/app.jsonl',
      'grep -F a.b /data/docs/readme.txt',
      'grep a.b /data/docs/readme.txt',
      'grep -w word /data/docs/readme.txt',
      'grep -x caf /data/docs/readme.txt',
      'grep "caf." /data/docs/readme.txt',
      'grep -i "été" /data/docs/readme.txt',
      'grep -i "ÉTÉ" /data/docs/readme.txt',
      'grep -c "" /data/docs/no-newline.txt /data/empty.txt',
      'grep line /data/docs/no-newline.txt',
      'grep nomatch /data/logs/app.jsonl',
      'grep alert /data/nope /data/logs/app.jsonl',
      'grep alert /data/logs',
      'grep -s alert /data/nope',
      'grep -q alert /data/nope /data/logs/app.jsonl',
      'grep "^1[0-9]\\{2\\}$" /data/numbers.txt',
      'grep "^1\\(23\\)\\?4$" /data/numbers.txt',
      'grep -E "^1(2|3)+$" /data/numbers.txt',
      'grep -E "^[[:digit:]]{4}$" /data/numbers.txt',
      'grep "\\<level\\>" /data/docs/readme.txt',
      'grep "*" /data/docs/readme.txt',
      'grep -E "a{,2}x" /data/docs/readme.txt',
      'grep "[^[:alnum:] ]" /data/docs/notes\\ with\\ spaces.txt',
      'grep "[]a]" /data/docs/no-newline.txt',
      'grep -h alert /data/logs/app.jsonl /data/docs/readme.txt',
      'grep -H -n alert /data/docs/readme.txt',
      'grep -vc alert /data/logs/app.jsonl',
      'grep -vn "[0-9]" /data/docs/readme.txt',
      'grep -lv alert /data/logs/app.jsonl /data/misc/crlf.txt',
      'grep -w word /data/misc/Zebra.txt',
      'grep -cw "word\|sword" /data/misc/Zebra.txt',
      'grep "x$" /data/misc/crlf.txt',
      'grep -c "x.$" /data/misc/crlf.txt',
      'grep "caf." /data/misc/latin1.txt',
      'grep -i "[[:upper:]]" /data/misc/latin1.txt',
      'grep -c alert /data/misc/blob.bin',
      'grep alert /data/misc/blob.bin',
      'grep -l alert /data/misc/blob.bin /data/misc/crlf.txt',
      'grep "[[:cntrl:]]" /data/misc/control.txt',
      'grep -c "[[:space:]]" /data/misc/control.txt',
      'wc /data/misc/control.txt /data/misc/latin1.txt /data/misc/blob.bin',
      'cat -n /data/misc/control.txt /data/misc/crlf.txt',
      'cat /data/misc/latin1.txt',
      'ls /data/misc',
      'ls -1 /data/misc/ünïcode\ name.txt',
      'tail -n 1 /data/misc/latin1.txt',
      // grep's basic and extended expressions where JavaScript's differ
      'grep -E "a|" /data/misc/regex.txt',
      'grep "a\\{2,\\}" /data/misc/regex.txt',
      'grep -E "(ab)*c" /data/misc/regex.txt',
      'grep "[.]" /data/misc/regex.txt',
      'grep "\\bword\\b" /data/misc/regex.txt',
      'grep -E "\\w+ \\w+" /data/misc/regex.txt',
      'grep "\\S\\+" /data/misc/regex.txt',
      'grep "(paren)" /data/misc/regex.txt',
      'grep -E "\\(paren\\)" /data/misc/regex.txt',
      'grep "a+b" /data/misc/regex.txt',
      'grep "a\\+b" /data/misc/regex.txt',
      'grep -E "a\\?b" /data/misc/regex.txt',
      'grep "a|b" /data/misc/regex.txt',
      'grep -E "{cu}" /data/misc/regex.txt',
      'grep "[[]br[]]" /data/misc/regex.txt',
      'grep "^^" /data/misc/regex.txt',
      'grep "r \\$" /data/misc/regex.txt',
      'grep \'r $d\' /data/misc/regex.txt',
      'grep \'back\\\\slash\' /data/misc/regex.txt',
      'grep \'[\\]\' /data/misc/regex.txt',
      'grep -E \'[0-9]{,2} \' /data/misc/regex.txt',
      'grep \'[^]a-z ]\' /data/misc/regex.txt',
      'grep -E \'a{1,2}?\' /data/misc/regex.txt',
      'grep -E \'*abc\' /data/misc/regex.txt',
      'grep \'*abc\' /data/misc/regex.txt',
      'grep -E \'{1}abc\' /data/misc/regex.txt',
      'grep -E \'(*a)\' /data/misc/regex.txt',
      'grep -E \'a**\' /data/misc/regex.txt',
      'grep \'a*\\{2\\}\' /data/misc/regex.txt',
      'grep -E \'^*a\' /data/misc/regex.txt',
      'grep -E \'a$*\' /data/misc/regex.txt',
      'grep \'\\?a\' /data/misc/regex.txt',
      'grep \'\\{1\\}a\' /data/misc/regex.txt',
      'grep \'x\\|^a\' /data/misc/regex.txt',
      'grep -E \'a{1\' /data/misc/regex.txt',
      'grep -E \')\' /data/misc/regex.txt',
      'grep \'\\)\' /data/misc/regex.txt',
      'grep -w \'foo\' /data/misc/regex.txt',
      'grep -F -w \'foo\' /data/misc/regex.txt',
      // past the bound of the DFA state cache: thousands of states on pseudo-random a/b lines
      "grep -c -E 'a.{12}b$' /data/misc/ab.txt",
      "grep -n -E '(a|b)*a(a|b){11}a$' /data/misc/ab.txt | wc -c",
      "grep -c -x -E '(a|b)*a(a|b){11}a' /data/misc/ab.txt",
      // stat
      'stat -c "%n %s %F" /data/empty.txt /data/docs/readme.txt',
      'stat -c "%n: %F" /data/logs',
      'stat -c "%y|%Y|%%" /data/logs/app.jsonl',
      'stat --format=%n /data/nope /data/empty.txt',
      // du, on files (a directory's own size is 0 in a workspace: see the du tests below)
      'du -b /data/numbers.txt',
      'du -bh /data/numbers.txt',
      'du -sb /data/empty.txt /data/docs/readme.txt',
      'du -b /data/nope',
      // echo and quoting
      'echo hello world',
      'echo -n no newline',
      'echo "a  b" c',
      "echo 'single \"quoted\"' \"double 'quoted'\"",
      'echo a\\ b \\"c\\"',
      'echo "back\\\\slash \\$ \\` \\x"',
      'echo -e "a\\tb\\nc"',
      'echo it"s"\'joined\'',
      'echo "$"',
      'echo -x',
      'echo "a|b" \'c;d\' "e > f && g" \'$(h)\' "#i" j#k',
      'echo # a comment',
      // pipes
      'cat /data/logs/app.jsonl | wc -l',
      'grep alert /data/logs/app.jsonl | head -n 2',
      'find /data -type f | wc -l',
      'cat /data/numbers.txt | tail -n 3 | head -n 1',
      'grep -v alert /data/logs/app.jsonl | grep -c info',
      'ls /data | grep -v txt',
      'echo hello | cat - /data/empty.txt',
      'echo hello | cat -n',
      'head -c 5 /data/docs/readme.txt | wc -c',
      'cat /data/docs/readme.txt | wc',
      'cat /data/docs/readme.txt /data/numbers.txt | wc -lc',
      'echo x | wc -l - /data/numbers.txt',
      'echo two words | grep -c o -',
      'cat /data/empty.txt | grep x',
      'grep nomatch /data/logs/app.jsonl | wc -l',
      'cat /data/nope | wc -c',
      // edges
      'echo -n | wc -l',
      'echo -n | wc',
      'tail -c 0 /data/numbers.txt',
      'tail -n 0 /data/numbers.txt',
      'cat -n /data/empty.txt',
      'du -ab /data/numbers.txt',
      'ls -R /data/docs',
      'ls -a /data/empty-dir',
      'wc -l /data/empty-dir',
      'head /data/logs /data/docs/UPPER.TXT',
      'tail -n 1 /data/logs /data/empty.txt',
      'grep -r alert /data/nope',
      'stat -c "" /data/empty.txt',
      'cat /data/docs/../docs/./UPPER.TXT',
      'ls /data/docs/UPPER.TXT/',
      'cat /data/docs/UPPER.TXT/',
      'head /data/docs/UPPER.TXT/ /data/nope/',
      'stat -c %n /data/docs/UPPER.TXT/ /data/docs/',
      'wc /data/docs/',
      'grep x /data/docs/UPPER.TXT/',
      'ls /data/docs/',
      // options written the ways GNU tools accept them
      'head -n5 /data/numbers.txt',
      'head --lines=3 /data/numbers.txt',
      'head --lines 2 /data/numbers.txt',
      'head --li=2 /data/numbers.txt',
      'tail -n+1999 /data/numbers.txt',
      'tail --bytes=4 /data/numbers.txt',
      'tail -qn 1 /data/numbers.txt /data/docs/readme.txt',
      'grep -nie ALERT /data/docs/readme.txt',
      'grep --count alert /data/logs/app.jsonl',
      'grep --ignore-case --line-number alert /data/docs/readme.txt',
      'grep -e -v /data/docs/readme.txt',
      'grep -- -v /data/docs/readme.txt',
      'grep alert /data/docs/readme.txt -c',
      'grep --regexp=alert --files-with-matches /data/docs/readme.txt /data/numbers.txt',
      'ls --all /data/logs',
      'ls -1 -- /data/logs',
      'wc --lines /data/numbers.txt',
      'wc --words --bytes /data/numbers.txt',
      'du --summarize --bytes /data/numbers.txt',
      'stat --format %s /data/numbers.txt',
      'stat --format=%n -- /data/empty.txt',
      'cat -- /data/empty.txt /data/docs/UPPER.TXT',
      'cat -nu /data/docs/UPPER.TXT',
      'grep --colour alert /data/empty.txt',
      'grep --color=never -c alert /data/logs/app.jsonl',
      // bad usage: same exit codes (messages go to stderr)
      'ls -j /data',
      'cat -Q /data/empty.txt',
      'head -Q /data/empty.txt',
      'head -n abc /data/empty.txt',
      'tail -c x /data/empty.txt',
      'wc --nope /data/empty.txt',
      'grep -Q x /data/empty.txt',
      'grep',
      'grep "\\(" /data/empty.txt',
      'grep "[" /data/empty.txt',
      'du -Q /data',
      'du -sa /data',
      'stat -Q /data',
      'stat',
      'find /data -bogus',
      'find /data -type q',
      'find /data -maxdepth x',
      'find /data -name',
    ])('%s', async (commandLine) => {
      const ours = await execute(fs, commandLine);
      expect({ stdout: ours.stdout, exitCode: ours.exitCode }).toEqual(gnu(commandLine));
    });
  });

  describe('execute matches GNU tools up to the order of directory walks', () => {
    // GNU find, du and grep -r walk directories in the order the disk returns them; the shell in name order.
    test.each([
      'find /data',
      'find /data/',
      'find /data -name "*.jsonl"',
      'find /data -iname "*.txt"',
      'find /data -name "*.TXT"',
      'find /data -type d',
      'find /data -maxdepth 1 -type f',
      'find /data/logs -mindepth 2',
      'find /data/logs -mindepth 1 -maxdepth 1',
      'find /data -name "2024-0?.jsonl"',
      'find /data -name "*-0[12].jsonl"',
      'find /data -name "no\\-newline*"',
      'find /data -name "[[]*"',
      'find /data -maxdepth 0',
      'find /data -mindepth 3',
      'find /data -type f -name "*.txt" -iname "*e*"',
      'find /data -type d -type f',
      'find /data -name "notes*"',
      'find /data -name "[a-e]*" -type f',
      'find /data -name "[!a-z]*"',
      'find /data -name ".*"',
      'find /data/nope /data/docs',
      'find /data/empty.txt',
      'find /data/logs/archive /data/docs -type f',
      'grep -r alert /data/logs',
      'grep -rc alert /data',
      'grep -rl alert /data',
      'grep -rn alert /data/logs /data/docs/readme.txt',
      'grep -r alert /data/docs/readme.txt',
    ])('%s', async (commandLine) => {
      const ours = await execute(fs, commandLine);
      const theirs = gnu(commandLine);
      expect(ours.exitCode).toBe(theirs.exitCode);
      expect(sortedLines(ours.stdout)).toEqual(sortedLines(theirs.stdout));
    });
  });

  describe('regular expressions run in time linear in the line', () => {
    // Nested repetitions on 10 KB lines: backtracking matchers (JavaScript's RegExp among them) take exponential
    // time on these. Whole lines are compared through 'wc' to keep failures readable.
    const PATHOLOGICAL = [
      "grep -c -E '(a+)+$' /data/misc/long.txt",
      "grep -n -E '(a+)+$' /data/misc/long.txt | wc",
      "grep -c -E '(a|aa)*b' /data/misc/long.txt",
      "grep -c -E '(a*)*b' /data/misc/long.txt",
      "grep -c '\\(a*\\)*b' /data/misc/long.txt",
      "grep -c '\\(a*\\)*\\(a*\\)*c' /data/misc/long.txt",
      "grep -c -E '(a|a)*!' /data/misc/long.txt",
      "grep -c -E '^(a?){30}a{30}$' /data/misc/long.txt",
      "grep -c -E '(x+x+)+z' /data/misc/long.txt",
      "grep -c -E '((ab)*)*$' /data/misc/long.txt",
      "grep -c -x -E '(a|ab)*' /data/misc/long.txt",
      "grep -c -w -E '(a+)+' /data/misc/long.txt",
      "grep -c -i -E '(A+)+b' /data/misc/long.txt",
      "grep -vc -E '(.*a){12}!' /data/misc/long.txt",
    ];

    test('pathological patterns match as GNU grep, all of them within 2 s', async () => {
      const results: Array<Awaited<ReturnType<typeof execute>>> = [];
      const started = performance.now();
      for (const commandLine of PATHOLOGICAL) results.push(await execute(fs, commandLine));
      const elapsed = performance.now() - started;
      PATHOLOGICAL.forEach((commandLine, i) => {
        expect({ commandLine, stdout: results[i]!.stdout, exitCode: results[i]!.exitCode }).toEqual({ commandLine, ...gnu(commandLine) });
      });
      expect(elapsed).toBeLessThan(2000);
    });

    test('random patterns, basic and extended, match the lines GNU grep matches', async () => {
      const mismatches = [];
      for (const commandLine of randomGrepCommands(400)) {
        const ours = await execute(fs, commandLine);
        const theirs = gnu(commandLine);
        if (ours.stdout !== theirs.stdout || ours.exitCode !== theirs.exitCode) {
          mismatches.push({ commandLine, ours: ours.stdout + ours.stderr, theirs: theirs.stdout });
        }
      }
      expect(mismatches).toEqual([]);
    });

    test('random patterns in sed s///: the same matched extents as GNU sed', async () => {
      const mismatches = [];
      for (const commandLine of randomSedCommands(300)) {
        const ours = await execute(fs, commandLine);
        const theirs = gnu(commandLine);
        if (ours.stdout !== theirs.stdout || ours.exitCode !== theirs.exitCode) {
          mismatches.push({ commandLine, ours: ours.stdout + ours.stderr, theirs: theirs.stdout });
        }
      }
      expect(mismatches).toEqual([]);
    });

    test('back-references are refused: no matcher runs them in linear time', async () => {
      for (const commandLine of ["grep '^\\(.\\)\\1$' /data/numbers.txt", "grep -E '(a)(b)\\2' /data/misc/regex.txt"]) {
        expect(await execute(fs, commandLine)).toEqual({
          stdout: '',
          stderr: expect.stringMatching(/^grep: back-references \(\\\d\) are not supported: no matcher runs them in linear time\n$/),
          exitCode: 2,
        });
      }
    });

    test('deep nesting and long patterns: matched up to the documented depth, refused past it', async () => {
      const nested = (depth: number) => `${'('.repeat(depth)}a${')'.repeat(depth)}`;
      const commandLine = `grep -c -E '${nested(MAX_REGEX_DEPTH - 1)}b' /data/misc/long.txt`;
      expect(await execute(fs, commandLine)).toEqual({ stdout: gnu(commandLine).stdout, stderr: '', exitCode: 0 });
      for (const deep of [nested(MAX_REGEX_DEPTH + 1), nested(100_000), `${'('.repeat(100_000)}a`, `a${'{2}'.repeat(1000)}`]) {
        const refused = await execute(fs, `grep -E '${deep}' /data/misc/long.txt`);
        expect(refused).toEqual({ stdout: '', stderr: `grep: pattern nests groups and repetitions more than ${MAX_REGEX_DEPTH} deep\n`, exitCode: 2 });
      }
      // Runs of '*' collapse ('a**' is 'a*'); long plain patterns and alternations do not nest. GNU grep takes
      // minutes over some of these, so it is given an equivalent pattern.
      const longPatterns = [
        [`a${'*'.repeat(10_000)}b`, 'a*b'],
        [`${'a|'.repeat(20_000)}b`, 'a|b'],
        ['b'.repeat(100_000), 'bb'], // no line holds 'bb'
        ['a'.repeat(300), 'a'.repeat(300)],
      ];
      for (const [long, equivalent] of longPatterns) {
        const result = await execute(fs, `grep -c -E '${long}' /data/misc/long.txt`);
        const expected = gnu(`grep -c -E '${equivalent}' /data/misc/long.txt`);
        expect({ equivalent, ...result }).toEqual({ equivalent, ...expected, stderr: '' });
      }
      expect((await execute(fs, "grep -E '(a{1000}){1000}' /data/misc/long.txt")).stderr).toBe('grep: Regular expression too big\n');
    });
  });

  describe('du', () => {
    /** GNU du -b counts each directory's own size (4096 on ext4); a workspace's directories have none. */
    function withoutDirectorySizes(duOutput: string): string {
      const directoryBytes = (path: string): number =>
        statSync(path).isDirectory()
          ? statSync(path).size + readdirSync(path).reduce((sum, name) => sum + directoryBytes(join(path, name)), 0)
          : 0;
      return duOutput.replace(/^(\d+)\t(.*)$/gm, (_, bytes: string, path: string) => {
        const real = path.replace(MOUNT, folder);
        return `${Number(bytes) - directoryBytes(real)}\t${path}`;
      });
    }

    test.each(['du -sb /data', 'du -b /data', 'du -ab /data/logs', 'du -sb /data/logs /data/docs /data/empty.txt'])(
      '%s matches GNU du with directories counted as 0 bytes',
      async (commandLine) => {
        const ours = await execute(fs, commandLine);
        const theirs = gnu(commandLine);
        expect(ours.exitCode).toBe(theirs.exitCode);
        expect(sortedLines(ours.stdout)).toEqual(sortedLines(withoutDirectorySizes(theirs.stdout)));
      },
    );

    test('files whose listing gives no size are asked for it', async () => {
      const withoutSizes: WorkspaceFs = {
        find: async function* (path, options) {
          for await (const entry of fs.find(path, options)) yield { ...entry, size: entry.type === 'file' ? undefined : 0 };
        },
        stat: (path) => fs.stat(path),
        ls: (path) => fs.ls(path),
        readFile: fs.readFile.bind(fs),
        exists: (path) => fs.exists(path),
      };
      expect(await execute(withoutSizes, 'du -sb /data/logs/archive')).toEqual(await execute(fs, 'du -sb /data/logs/archive'));
    });

    test('sizes in 1024-byte units rounded up, or human ones', async () => {
      expect((await execute(fs, 'du -s /data/numbers.txt /data/empty.txt')).stdout).toBe(
        '9\t/data/numbers.txt\n0\t/data/empty.txt\n',
      );
      expect((await execute(fs, 'du -sh /data/logs')).stdout).toMatch(/^\d\.\dK\t\/data\/logs\n$/);
    });
  });

  describe('ls -l and stat formats of their own', () => {
    test('ls -l: type, size, UTC time, name', async () => {
      const result = await execute(fs, 'ls -l /data/docs');
      expect(result.stdout).toBe(
        '-   6 2024-05-01 12:34 UPPER.TXT\n' +
          '-  38 2024-05-01 12:34 no-newline.txt\n' +
          '-  23 2024-05-01 12:34 notes with spaces.txt\n' +
          '- 160 2024-05-01 12:34 readme.txt\n',
      );
      expect(result.exitCode).toBe(0);
    });

    test('ls -lh and ls -la', async () => {
      expect((await execute(fs, 'ls -lh /data/numbers.txt')).stdout).toBe('- 8.7K 2024-05-01 12:34 /data/numbers.txt\n');
      const all = (await execute(fs, 'ls -la /data/logs')).stdout.split('\n');
      expect(all[0]).toMatch(/^d\s+0 .{16} \.$/);
      expect(all[1]).toMatch(/^d\s+0 .{16} \.\.$/);
      expect(all[2]).toMatch(/^-\s+\d+ 2024-05-01 12:34 app\.jsonl$/);
      expect(all[3]).toMatch(/^d\s+0 .{16} archive$/);
    });

    test('stat without -c', async () => {
      const [file, directory] = (await execute(fs, 'stat /data/empty.txt /data/logs')).stdout.split(/(?=  File:)/);
      // A Workspace knows the ETag of a local file (size and mtime); the folder fs does not say.
      expect(file!.replace(/  ETag: .*\n/, '')).toBe(
        '  File: /data/empty.txt\n  Size: 0         \tType: regular empty file\nModify: 2024-05-01 12:34:56.000000000 +0000\n',
      );
      expect(directory).toMatch(/^  File: \/data\/logs\n  Size: 0 {9}\tType: directory\nModify: (-|\d{4}-.* \+0000)\n$/);
    });
  });

  describe('errors', () => {
    test('an unknown command: 127, the rest of the pipeline still runs', async () => {
      expect(await execute(fs, 'frobnicate /data')).toEqual({
        stdout: '',
        stderr: 'frobnicate: command not found\n',
        exitCode: 127,
      });
      expect(await execute(fs, 'frobnicate | echo after')).toEqual({
        stdout: 'after\n',
        stderr: 'frobnicate: command not found\n',
        exitCode: 0,
      });
    });

    test('a bad flag: a GNU-style usage message', async () => {
      expect(await execute(fs, 'ls -j /data')).toEqual({
        stdout: '',
        stderr: "ls: invalid option -- 'j'\nTry 'ls --help' for more information.\n",
        exitCode: 2,
      });
      expect((await execute(fs, 'head --lines')).stderr).toBe(
        "head: option '--lines' requires an argument\nTry 'head --help' for more information.\n",
      );
      expect((await execute(fs, 'grep -E "a{1" /data/empty.txt')).exitCode).toBe(1);
      expect((await execute(fs, 'grep "a\\{1" /data/empty.txt')).exitCode).toBe(2);
    });

    test('missing files: GNU messages, the other files still processed', async () => {
      expect(await execute(fs, 'cat /data/x /data/docs/notes\\ with\\ spaces.txt')).toEqual({
        stdout: FILES['docs/notes with spaces.txt'],
        stderr: 'cat: /data/x: No such file or directory\n',
        exitCode: 1,
      });
      expect((await execute(fs, 'head /data/x')).stderr).toBe(
        "head: cannot open '/data/x' for reading: No such file or directory\n",
      );
      expect((await execute(fs, 'ls /data/x')).stderr).toBe("ls: cannot access '/data/x': No such file or directory\n");
      expect((await execute(fs, 'grep a /data/x')).stderr).toBe('grep: /data/x: No such file or directory\n');
      expect((await execute(fs, 'find /data/x')).stderr).toBe("find: '/data/x': No such file or directory\n");
      expect((await execute(fs, 'cat /outside/every/mount')).stderr).toBe(
        'cat: /outside/every/mount: No such file or directory\n',
      );
      expect((await execute(fs, 'cat /data/logs')).stderr).toBe('cat: /data/logs: Is a directory\n');
    });

    test.each([
      ['ls /data &', "'&'"],
      ['ls /data & ls /data', "'&'"],
      ['(ls /data)', "'('"],
      ['ls /data; echo $(cat /data/empty.txt)', "'$(...)'"],
      ['ls /data && ls /data | echo `ls`', "'`'"],
      ['echo $(ls /data)', "'$(...)'"],
      ['echo "$(ls /data)"', "'$(...)'"],
      ['echo `ls /data`', "'`'"],
      ['echo $HOME', "'$HOME'"],
      ['echo "${HOME}"', "'${HOME}'"],
      ['echo $1', "'$1'"],
    ])('%j is refused, not run', async (commandLine, named) => {
      const result = await execute(fs, commandLine);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(named);
    });

    test.each(['echo "open', "echo 'open", 'echo open\\', '| wc -l', 'ls /data |', 'ls /data | | wc'])(
      'a syntax error in %j: exit 2',
      async (commandLine) => {
        const result = await execute(fs, commandLine);
        expect(result.exitCode).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(/^execute: /);
      },
    );

    test('an aborted signal stops the pipeline with 130', async () => {
      const controller = new AbortController();
      controller.abort();
      const result = await execute(fs, 'cat /data/numbers.txt | wc -l', { signal: controller.signal });
      expect(result).toEqual({ stdout: '', stderr: 'cat: aborted\n', exitCode: 130 });
    });
  });

  describe('quoting, paths and pipes', () => {
    test('quotes and escapes join into one word', async () => {
      expect((await execute(fs, 'echo "a \\"b\\" c" \'d  e\' f\\ g h""i')).stdout).toBe('a "b" c d  e f g hi\n');
      expect((await execute(fs, "grep -c 'level=alert twice' /data/docs/readme.txt")).stdout).toBe('1\n');
    });

    test('an empty command line does nothing', async () => {
      expect(await execute(fs, '  ')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
      expect(await execute(fs, '# only a comment')).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    });

    test('relative paths start at the root', async () => {
      expect((await execute(fs, 'cat data/docs/UPPER.TXT')).stdout).toBe('SHOUT\n');
      expect((await execute(fs, 'ls')).stdout).toBe('data\n');
      expect((await execute(fs, 'grep -rl alert')).stdout).toBe(
        'data/docs/readme.txt\ndata/logs/app.jsonl\ndata/logs/archive/2024-01.jsonl\ndata/misc/blob.bin\ndata/misc/crlf.txt\n',
      );
      expect((await execute(fs, 'echo data/doc?/*.TXT')).stdout).toBe('data/docs/UPPER.TXT\n');
    });

    test('the exit code of a pipeline is the last command’s', async () => {
      expect((await execute(fs, 'grep nomatch /data/logs/app.jsonl | wc -l')).exitCode).toBe(0);
      expect((await execute(fs, 'cat /data/logs/app.jsonl | grep nomatch')).exitCode).toBe(1);
      expect((await execute(fs, 'cat /data/nope | wc -l')).exitCode).toBe(0);
    });

    test('bytes pass through pipes unchanged', async () => {
      const result = await execute(fs, 'cat /data/docs/readme.txt | head -c 4 | wc -c');
      expect(result.stdout).toBe('4\n');
      expect((await execute(fs, 'head -c 4 /data/docs/readme.txt | cat')).stdout).toBe('Caf\uFFFD');
    });
  });
});

describe('head and tail read no more of a file than they print', () => {
  const LINE = 'x'.repeat(99) + '\n';
  const FILE = LINE.repeat(20_000);
  const FIRST_RANGE = 64 * 1024;

  /** A file system over one 2 MB file that counts the bytes readFile returns. */
  function countingFs(): { fs: WorkspaceFs; bytesRead: () => number } {
    const inner = memoryFs({ '/data/big.txt': FILE });
    let bytesRead = 0;
    const readFile = async (path: string, options?: { start?: number; end?: number }) => {
      const bytes = (await inner.readFile(path, options)) as Uint8Array;
      bytesRead += bytes.length;
      return bytes;
    };
    return { fs: { ...inner, readFile: readFile as WorkspaceFs['readFile'] }, bytesRead: () => bytesRead };
  }

  test.each([
    ['head -n 3 /data/big.txt', FILE.slice(0, 3 * LINE.length), FIRST_RANGE],
    ['head -c 10 /data/big.txt', FILE.slice(0, 10), 10],
    ['head -n 1000 /data/big.txt', FILE.slice(0, 1000 * LINE.length), FIRST_RANGE * 9],
    ['head -n -1 /data/big.txt', FILE.slice(0, -LINE.length), FILE.length],
    ['head -n 30000 /data/big.txt', FILE, FIRST_RANGE * 9 + FILE.length],
    ['tail -n 3 /data/big.txt', FILE.slice(-3 * LINE.length), FIRST_RANGE],
    ['tail -c 10 /data/big.txt', FILE.slice(-10), 10],
    ['tail -n 1000 /data/big.txt', FILE.slice(-1000 * LINE.length), FIRST_RANGE * 9],
    ['tail -n +19999 /data/big.txt', FILE.slice(-2 * LINE.length), FILE.length],
    ['tail -n 30000 /data/big.txt', FILE, FIRST_RANGE * 9 + FILE.length],
  ])('%s', async (commandLine, printed, read) => {
    const { fs, bytesRead } = countingFs();
    expect((await execute(fs, commandLine)).stdout).toBe(printed);
    expect(bytesRead()).toBe(read);
  });
});

/** grep command lines with random patterns (a fixed seed) over random lines of a, b, x and spaces. */
function randomGrepCommands(count: number): string[] {
  return randomPatterns(count, 0x5eed, 2).map(({ pattern, extended, pick }) =>
    `grep ${pick(['-n', '-c', '-nw', '-nx', '-ni', '-nv'])}${extended ? 'E' : ''} '${pattern}' /data/misc/random.txt`,
  );
}

/**
 * sed command lines printing each line's matches of random patterns bracketed: '<' and '>' around each. Groups
 * are not nested and hold no anchors, and the I flag is left out: there glibc's matcher, GNU sed's, takes
 * exponential time or errs ('($\<x+){,3}' matching 'x'; '\(^[^a]*\)\+ ' with I missing 'Bb ').
 */
function randomSedCommands(count: number): string[] {
  return randomPatterns(count, 0x5ed5, 1, false).map(({ pattern, extended, pick }) =>
    `sed -n${extended ? 'E' : ''} 's/${pattern}/<&>/${pick(['g', '', '2', '2g'])}p' /data/misc/random.txt`,
  );
}

/** Random regular expressions, basic or extended, of a, b, x, classes, anchors and repetitions. */
function randomPatterns(count: number, firstSeed: number, depth: number, anchorsInGroups = true): Array<{ pattern: string; extended: boolean; pick: <T>(items: readonly T[]) => T }> {
  let seed = firstSeed;
  const random = (n: number): number => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const pick = <T,>(items: readonly T[]): T => items[random(items.length)]!;
  const ANCHORS = ['\\<', '\\>', '\\b', '^', '$'];
  const ATOMS = ['a', 'b', 'x', ' ', '.', '[ab]', '[^a]', '[[:alpha:]]', ...ANCHORS];
  const QUANTIFIERS = ['', '', '', '*', '+', '?', '{2}', '{1,2}', '{0,}', '{,3}'];
  const extendedPattern = (depth: number, inGroup = false): string => {
    const pieces: string[] = [];
    for (let n = 1 + random(3); n > 0; n--) {
      const atoms = inGroup && !anchorsInGroups ? ATOMS.filter((atom) => !ANCHORS.includes(atom)) : ATOMS;
      const atom = depth > 0 && random(3) === 0 ? `(${extendedPattern(depth - 1, true)})` : pick(atoms);
      // GNU grep's repetitions of anchors ('\>\{2\}' matches nothing there) are its own: none are generated.
      pieces.push(ANCHORS.includes(atom) ? atom : atom + pick(QUANTIFIERS));
    }
    return pieces.join('') + (depth > 0 && random(4) === 0 ? `|${extendedPattern(depth - 1, inGroup)}` : '');
  };
  // The same in a basic expression: '\(', '\|', '\{', '\+' and '\?' are the operators.
  const basic = (extended: string): string => extended.replace(/[(){}|+?]/g, (char) => `\\${char}`);
  const patterns = [];
  for (let i = 0; i < count; i++) {
    const extended = extendedPattern(depth);
    const useBasic = random(2) === 0 && !extended.startsWith('*');
    patterns.push({ pattern: useBasic ? basic(extended) : extended, extended: !useBasic, pick });
  }
  return patterns;
}
