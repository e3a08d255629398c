// execute(): the shell's language (lists, '&&', '||', redirections, globs, '$?', xargs) and its text tools
// (sort, uniq, cut, tr, sed, tee, diff, basename, dirname), compared byte for byte with bash and the GNU tools
// run in the same folder under LC_ALL=C. Writes go through a folder file system that implements writeFile and
// appendFile: bash writes in one copy of the files, the shell in another, and the files are compared after.
import { mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { localResource, Workspace } from '../../dist/node.js';
import type { WorkspaceFs } from '../../dist/workspace/entry.js';
import { execute } from '../../dist/workspace/shell.js';
import { freshFolder } from './disk-folders.js';
import { folderFsFactory, writableFolderFsFactory, type WorkspaceFsFactory } from './folder-fs.js';
import { runGnu } from './gnu-shell.js';
import { memoryFs } from './memory-fs.js';

const MOUNT = '/data';

const FILES: Record<string, string> = {
  'table.txt': 'b 2 x\na 10 y\nc 1 z\nA 10 y\nb 2 x\n\n  d  3 w\n-1.5 neg\nb 2 w\n10 a\n9 b\n',
  'csv.txt': 'name,age,city\nbob,30,paris\nalice,25,london\ncarol,35,\ndave\nbob,30,paris\n',
  'words.txt': 'apple\napple\nBanana\nbanana\ncherry\napple\napple\napple\nAPPLE\n',
  'text.txt': 'Hello World\nthe quick brown fox\njumps over the lazy dog\n\nfoo=bar; baz=qux\nTabs\there\nabc abc abc\n',
  'no-newline.txt': 'first\nsecond\nlast',
  'names.txt': 'table.txt\ncsv.txt\n  words.txt\n',
  'quoted.txt': "'one two' three \"four five\" six\\ seven\n",
  'nul.txt': 'a b\0c\0d\0',
  'diff/a.txt': 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n',
  'diff/b.txt': 'zero\none\ntwo\nTHREE\nfour\nfive\nsix\nseven\nnine\nten\neleven\n',
  'diff/c.txt': 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten',
  'diff/empty.txt': '',
  'dir/x.log': 'x\n',
  'dir/y.log': 'y\n',
  'dir/.hidden.log': 'h\n',
  'dir/sub/z.log': 'z\n',
};

/** Read-only file systems, and the one that writes (for redirections). */
const READERS: Array<[name: string, factory: WorkspaceFsFactory]> = [
  ['a folder (folder-fs)', folderFsFactory],
  ['a Workspace with a local mount', (folder, mountPoint) => Workspace.open({ mounts: { [mountPoint]: localResource(folder) } })],
];

let folder: string;

/** A whole second: diff -u prints times to the nanosecond, and the shell knows them to the millisecond. */
const MTIME = new Date('2026-01-02T03:04:05Z');
const secondsAfter = (seconds: number) => new Date(MTIME.getTime() + seconds * 1000);

/** The files, each a second newer than the one before, and the folders between them (for ls -t). */
function writeFiles(into: string): void {
  for (const [i, [path, content]] of Object.entries(FILES).entries()) {
    mkdirSync(join(into, path, '..'), { recursive: true });
    writeFileSync(join(into, path), content);
    utimesSync(join(into, path), secondsAfter(i), secondsAfter(i));
  }
  for (const [folder, seconds] of [['diff', 9.5], ['dir', 4.5], ['dir/sub', 30]] as const) {
    utimesSync(join(into, folder), secondsAfter(seconds), secondsAfter(seconds));
  }
}

beforeAll(() => {
  folder = freshFolder('shell-text');
  writeFiles(folder);
});

describe.each(READERS)('over %s', (_, makeFs) => {
  let fs: WorkspaceFs;
  beforeAll(async () => {
    fs = await makeFs(folder, MOUNT);
  });
  afterAll(async () => {
    await (fs as Partial<{ close(): Promise<void> }>).close?.();
  });

  test.each([
    // sort
    'sort /data/table.txt',
    'sort -r /data/table.txt',
    'sort -n /data/table.txt',
    'sort -rn /data/table.txt',
    'sort -u /data/table.txt',
    'sort -f /data/words.txt',
    'sort -fu /data/words.txt',
    'sort -k2 /data/table.txt',
    'sort -k2n /data/table.txt',
    'sort -k2,2n -k1,1r /data/table.txt',
    'sort -k2,2 -s /data/table.txt',
    'sort -t, -k2,2n /data/csv.txt',
    'sort -t, -k3 /data/csv.txt',
    'sort -t, -k1.2,1.3 /data/csv.txt',
    'sort -b -k1 /data/table.txt',
    'sort -nu -k2,2 /data/table.txt',
    'sort /data/no-newline.txt /data/words.txt',
    'sort /data/nope /data/words.txt',
    // uniq
    'uniq /data/words.txt',
    'uniq -c /data/words.txt',
    'uniq -d /data/words.txt',
    'uniq -u /data/words.txt',
    'uniq -i /data/words.txt',
    'uniq -ci /data/words.txt',
    'sort /data/words.txt | uniq -c | sort -rn',
    'uniq /data/no-newline.txt',
    'uniq -f 1 /data/table.txt',
    'uniq -s 1 -w 2 /data/words.txt',
    // cut
    'cut -d, -f1 /data/csv.txt',
    'cut -d, -f1,3 /data/csv.txt',
    'cut -d, -f2- /data/csv.txt',
    'cut -d, -f-2 -s /data/csv.txt',
    'cut -d, -f1 --complement /data/csv.txt',
    'cut -d, -f1,3 --output-delimiter=" | " /data/csv.txt',
    'cut -c1-3 /data/text.txt',
    'cut -b2,4-5,9- /data/text.txt',
    'cut -c -4 /data/no-newline.txt',
    'cut -d" " -f2 /data/table.txt',
    // tr
    'tr a-z A-Z < /data/text.txt',
    'tr -d aeiou < /data/text.txt',
    'tr -s " " < /data/table.txt',
    'tr -cd "[:alpha:]\\n" < /data/text.txt',
    'tr "[:lower:]" "[:upper:]" < /data/words.txt',
    'tr -s "[:space:]" "\\n" < /data/text.txt',
    'tr abc x < /data/text.txt',
    'tr a-c "[x*]" < /data/text.txt',
    'tr -c "a-z\\n" "_" < /data/text.txt',
    'tr -ds aeiou l < /data/text.txt',
    'cat /data/text.txt | tr "\\t" "|"',
    // sed
    'sed s/o/0/ /data/text.txt',
    'sed s/o/0/g /data/text.txt',
    'sed s/abc/X/2 /data/text.txt',
    'sed s/abc/X/2g /data/text.txt',
    'sed "s/[aeiou]/<&>/g" /data/text.txt',
    "sed 's/\\([a-z]*\\) \\([a-z]*\\)/\\2 \\1/' /data/text.txt",
    "sed -E 's/([a-z]+)=([a-z]+)/\\2=\\1/g' /data/text.txt",
    "sed 's/HELLO/bye/I' /data/text.txt",
    "sed -n 's/the/THE/gp' /data/text.txt",
    "sed -n '2p' /data/text.txt",
    "sed -n '$p' /data/text.txt",
    "sed '2,4d' /data/text.txt",
    "sed '/fox/,/foo/d' /data/text.txt",
    "sed '3,1d' /data/text.txt",
    "sed '/^$/d' /data/text.txt",
    "sed '/o/!d' /data/text.txt",
    "sed -n '/o/!p' /data/text.txt",
    "sed -e 's/a/A/' -e 's/e/E/g' /data/text.txt",
    "sed 's/a/A/;s/e/E/g;3q' /data/text.txt",
    "sed -n '$=' /data/text.txt",
    "sed = /data/no-newline.txt",
    'sed p /data/no-newline.txt',
    "sed 's/$/!/' /data/no-newline.txt",
    "sed 's|/|:|g' /data/csv.txt",
    "sed 's/,/\\t/g' /data/csv.txt",
    "sed 's/a*/x/g' /data/csv.txt",
    "sed -E 's/(b|ba)(r|na)?/[\\1,\\2]/g' /data/words.txt",
    "sed '2!s/a/_/' /data/words.txt",
    "sed '$!d' /data/words.txt",
    "sed '/apple/,3s/^/> /' /data/words.txt",
    'sed -n "/\\(an\\)\\{2\\}/p" /data/words.txt',
    'sed /data/nope',
    // basename and dirname
    'basename /data/diff/a.txt',
    'basename /data/diff/a.txt .txt',
    'basename -s .txt /data/diff/a.txt /data/diff/b.txt',
    'basename -a a/b/ c// /',
    'basename .txt .txt',
    'dirname /data/diff/a.txt a/b/ a / a//b// //',
    // tee (read-only file systems: the output is still copied)
    'cat /data/words.txt | tee | wc -l',
    // diff
    'diff /data/diff/a.txt /data/diff/b.txt',
    'diff -u /data/diff/a.txt /data/diff/b.txt',
    'diff /data/diff/a.txt /data/diff/c.txt',
    'diff -u /data/diff/a.txt /data/diff/c.txt',
    'diff /data/diff/a.txt /data/diff/a.txt',
    'diff /data/diff/empty.txt /data/diff/a.txt',
    'diff -u /data/diff/a.txt /data/diff/empty.txt',
    'diff /data/diff/a.txt /data/diff/nope',
    'diff -U 1 /data/diff/a.txt /data/diff/b.txt',
    'diff -u /data/text.txt /data/words.txt',
    'diff /data/table.txt /data/csv.txt',
    'sort /data/table.txt | diff - /data/table.txt',
    'diff -q /data/diff/a.txt /data/diff/b.txt',
    // grep -o, -m, -A, -B, -C
    'grep -o apple /data/words.txt',
    'grep -oi apple /data/words.txt',
    'grep -on "[a-z]*o[a-z]*" /data/text.txt',
    'grep -o "a*" /data/csv.txt',
    'grep -oE "[0-9]+" /data/table.txt /data/csv.txt',
    'grep -ow abc /data/text.txt',
    'grep -co apple /data/words.txt',
    'grep -ov apple /data/words.txt; echo $?',
    'grep -m 2 apple /data/words.txt',
    'grep -m1 -c apple /data/words.txt',
    'grep -m 0 apple /data/words.txt; echo $?',
    'grep -m 2 -A 1 apple /data/words.txt',
    'grep -m 1 -n a /data/words.txt /data/table.txt',
    'grep -m x apple /data/words.txt',
    'grep -A 1 Banana /data/words.txt',
    'grep -B 2 cherry /data/words.txt',
    'grep -C 1 -n the /data/text.txt',
    'grep -A1 -B1 b /data/table.txt',
    'grep -C 1 apple /data/words.txt /data/text.txt',
    'grep -v -A 1 apple /data/words.txt',
    'grep -A 2 x /data/table.txt /data/csv.txt',
    'grep -B1 -n "^$" /data/text.txt',
    'grep -A 1 -m 1 o /data/text.txt /data/words.txt',
    'grep -C 0 apple /data/words.txt',
    'grep -A 5 -B 5 cherry /data/words.txt',
    'grep -c -A 2 apple /data/words.txt',
    // ls -t -S -r -d -F
    'ls -t /data',
    'ls -tr /data',
    'ls -r /data',
    'ls -S /data/diff',
    'ls -Sr /data/diff',
    'ls -S /data/table.txt /data/words.txt /data/csv.txt',
    'ls -t -S /data/diff',
    'ls -S -t /data/diff',
    'ls -t /data/table.txt /data/csv.txt /data/dir /data/diff',
    'ls -d /data/dir /data/diff',
    'ls -d /data/dir/*',
    'ls -dt /data/dir /data/diff /data/csv.txt',
    'ls -F /data',
    'ls -F /data/dir',
    'ls -dF /data/dir /data/table.txt',
    'ls -aF /data/dir',
    'ls -Rr /data/dir',
    'ls -Rt /data/dir',
    'ls -rF /data/dir /data/names.txt',
    // find -path -size -mtime -empty -o -not (GNU find walks in directory order: sorted)
    'find /data -path "*/dir/*" | sort',
    'find /data -path "/data/d*" -type f | sort',
    'find /data -ipath "*/DIFF/*.TXT" | sort',
    'find /data -type f -size -1 | sort',
    'find /data -type f -size +1 | sort',
    'find /data -type f -size 1 | sort',
    'find /data -type f -size +50c | sort',
    'find /data -type f -size -10c | sort',
    'find /data -type f -size 0c | sort',
    'find /data -type f -size -1k | sort',
    'find /data -mtime +300 | sort',
    'find /data -mindepth 1 -mtime -300 | sort',
    'find /data -mtime 339 -o -mtime 338 | sort',
    'find /data -empty | sort',
    'find /data -type f -empty | sort',
    'find /data -name "*.log" -o -name "*.csv" | sort',
    'find /data -name "*.txt" -o -type d | sort',
    'find /data -not -name "*.txt" | sort',
    'find /data ! -type d ! -name "*.log" | sort',
    'find /data \\( -name "a*" -o -name "b*" \\) -type f | sort',
    'find /data -type d -o -name "*.log" -print | sort',
    'find /data -name "*.log" -print -o -print | sort',
    'find /data -maxdepth 1 -not -type d -a -size -1 | sort',
    'find /data -size 1x',
    'find /data -name',
    'find /data \\( -name x',
    'find /data -name x \\)',
    // globs
    'echo /data/*.txt',
    'echo /data/dir/*',
    'echo /data/dir/*.log /data/dir/.*.log',
    'echo /data/[ct]*.txt',
    'echo /data/?sv.txt /data/d*/',
    'echo /data/*/*.txt',
    'echo "/data/*.txt" \'/data/*\' /data/\\*.txt',
    'echo /data/nomatch* /data/dir/[xy].log',
    'cat /data/dir/*.log | wc -l',
    'wc -l /data/diff/[ab].txt',
    // lists, conditionals and $?
    'echo a; echo b; echo $?',
    'false; echo $?',
    'true && echo yes || echo no',
    'false && echo yes || echo no',
    'false || false && echo x; echo $?',
    'true || echo never && echo then',
    'grep -q apple /data/words.txt && echo found',
    'grep -q pear /data/words.txt || echo missing; echo "status $?"',
    'cat /data/nope; echo $?',
    'cat /data/nope 2>/dev/null || echo failed',
    'cat /data/nope 2>&1 | wc -l',
    'cat /data/nope /data/words.txt 2>/dev/null | wc -l',
    'cat /data/words.txt > /dev/null; echo $?',
    'wc -l < /data/words.txt',
    'cat < /data/nope; echo $?',
    'grep -c apple < /data/words.txt',
    'echo one\necho two',
    'grep apple /data/words.txt | sort | uniq -c | sort -rn | head -n 1',
    // xargs
    'cat /data/names.txt | xargs echo',
    'cat /data/names.txt | xargs -n 1 echo',
    'cat /data/names.txt | xargs -n 2 echo x',
    'cat /data/names.txt | xargs -I {} wc -l /data/{}',
    'cat /data/quoted.txt | xargs -n 1',
    'cat /data/nul.txt | xargs -0 -n 1 echo',
    'cat /data/csv.txt | xargs -d , -n 1 | head -n 5',
    'xargs echo < /data/empty-input-is-none 2>/dev/null; echo $?',
    'echo | xargs echo x',
    'echo | xargs -r echo x',
    'echo /data/nope | xargs cat; echo $?',
    'echo apple | xargs grep -c /data/words.txt -e',
    'find /data/dir -name "*.log" | sort | xargs wc -l',
  ])('%s', async (commandLine) => {
    const ours = await execute(fs, commandLine);
    const theirs = runGnu(folder, MOUNT, commandLine);
    expect({ stdout: ours.stdout, exitCode: ours.exitCode }).toEqual(theirs);
  });
});

/** A xorshift32 generator from `seed`: the same files on every run. */
function randomInts(seed: number): (below: number) => number {
  let state = seed * 0x9e3779b9 || 1;
  return (below) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % below;
  };
}

/**
 * Two files of lines from a small set, the second an edit of the first (lines inserted, deleted, replaced,
 * moved), sometimes without a last newline: repeated and unmatched lines are where diffs may choose
 * differently, and GNU diff's choices (lines set aside, runs slid) must be the shell's.
 */
function randomDiffPair(seed: number): [string, string] {
  const random = randomInts(seed);
  const vocabulary = ['a', 'b', 'c', '', '}', 'x y', 'end'];
  const line = () => (random(6) === 0 ? `u${random(1000)}` : vocabulary[random(vocabulary.length)]!);
  const first = Array.from({ length: random(40) }, line);
  const second = [...first];
  for (let edits = random(8); edits > 0; edits--) {
    const at = random(second.length + 1);
    const kind = random(4);
    if (kind === 0) second.splice(at, 0, ...Array.from({ length: 1 + random(4) }, line));
    else if (kind === 1) second.splice(at, 1 + random(4));
    else if (kind === 2) second.splice(at, 1, line());
    else second.splice(random(second.length + 1), 0, ...second.splice(at, 1 + random(3)));
  }
  const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('').slice(0, random(5) === 0 ? -1 : undefined);
  return [text(first), text(second)];
}

describe('diff chooses the hunks GNU diff chooses', () => {
  let diffFolder: string;
  let fs: WorkspaceFs;
  const PAIRS = 60;
  beforeAll(async () => {
    diffFolder = freshFolder('shell-diff');
    for (let seed = 1; seed <= PAIRS; seed++) {
      randomDiffPair(seed).forEach((content, side) => {
        const path = join(diffFolder, `${seed}-${side}.txt`);
        writeFileSync(path, content);
        utimesSync(path, MTIME, MTIME);
      });
    }
    // Long files with many differences: past the cost where GNU diff stops looking for a shortest script.
    const random = randomInts(7);
    const long = (length: number) => Array.from({ length }, () => `${random(3000)}\n`).join('');
    for (const [name, content] of [['long-0.txt', long(6000)], ['long-1.txt', long(6000)]] as const) {
      writeFileSync(join(diffFolder, name), content);
      utimesSync(join(diffFolder, name), MTIME, MTIME);
    }
    fs = await folderFsFactory(diffFolder, MOUNT);
  });

  test(`on ${PAIRS} random pairs of files, in normal and unified formats`, async () => {
    const mismatches = [];
    for (let seed = 1; seed <= PAIRS; seed++) {
      const [a, b] = [`${MOUNT}/${seed}-0.txt`, `${MOUNT}/${seed}-1.txt`];
      const commandLine = `diff ${a} ${b}; echo "status $?"; diff -u ${a} ${b}; diff -U 1 ${b} ${a}; diff -U 0 ${a} ${b}`;
      const ours = await execute(fs, commandLine);
      const theirs = runGnu(diffFolder, MOUNT, commandLine);
      if (ours.stdout !== theirs.stdout) mismatches.push({ seed, ours: ours.stdout, theirs: theirs.stdout });
    }
    expect(mismatches).toEqual([]);
  });

  test('on long files with many differences, in bounded time', async () => {
    for (const commandLine of [`diff ${MOUNT}/long-0.txt ${MOUNT}/long-1.txt`, `diff -u ${MOUNT}/long-0.txt ${MOUNT}/long-1.txt`]) {
      const started = performance.now();
      const ours = await execute(fs, commandLine);
      const elapsed = performance.now() - started;
      const theirs = runGnu(diffFolder, MOUNT, commandLine);
      // The first line that differs, not two long outputs.
      const oursLines = ours.stdout.split('\n');
      const theirsLines = theirs.stdout.split('\n');
      const at = oursLines.findIndex((line, i) => line !== theirsLines[i]);
      expect({ at, ours: oursLines[at], theirs: theirsLines[at], lines: oursLines.length }).toEqual({
        at: -1, ours: undefined, theirs: undefined, lines: theirsLines.length,
      });
      expect(ours.exitCode).toBe(theirs.exitCode);
      expect(elapsed).toBeLessThan(10_000);
    }
  });
});

describe('redirections and tee write through writeFile and appendFile', () => {
  test.each([
    'sort /data/words.txt > /data/out.txt',
    'echo one > /data/out.txt; echo two >> /data/out.txt; echo three >> /data/out.txt',
    'echo one > /data/out.txt; echo two > /data/out.txt',
    'cat /data/nope > /data/out.txt 2> /data/err.txt; echo $?',
    'cat /data/nope /data/words.txt > /data/out.txt 2>&1',
    'cat /data/nope 2>&1 > /data/out.txt | wc -l',
    'grep -c apple /data/words.txt > /data/out.txt && echo written',
    '> /data/out.txt',
    'echo x > /data/out.txt; > /data/out.txt',
    'sort /data/table.txt | uniq | tee /data/out.txt | wc -l',
    'echo first | tee /data/out.txt; echo again | tee -a /data/out.txt /data/err.txt',
    'echo x > /data/dir; echo $?',
    'echo x > /data/nofolder/out.txt; echo $?',
    'echo x > /data/out.txt 2>&1',
    'sed -n "s/apple/pear/p" /data/words.txt >> /data/out.txt',
  ])('%s', async (commandLine) => {
    const theirsFolder = freshFolder('shell-gnu-writes');
    const oursFolder = freshFolder('shell-our-writes');
    writeFiles(theirsFolder);
    writeFiles(oursFolder);
    const theirs = runGnu(theirsFolder, MOUNT, commandLine);
    const ours = await execute(await writableFolderFsFactory(oursFolder, MOUNT), commandLine);
    expect({ stdout: ours.stdout, exitCode: ours.exitCode }).toEqual(theirs);
    for (const name of ['out.txt', 'err.txt']) {
      // GNU tools name the real folder in their messages; the shell names the mount point.
      const read = (from: string) =>
        readdirSync(from).includes(name) ? readFileSync(join(from, name), 'utf8').replaceAll(from, MOUNT) : undefined;
      expect({ name, content: read(oursFolder) }).toEqual({ name, content: read(theirsFolder) });
    }
  });

  test('a file system without writeFile refuses as a read-only one: bash\'s message, exit 1, nothing run', async () => {
    const fs = memoryFs({ '/data/a.txt': 'a\n' });
    expect(await execute(fs, 'echo x > /data/b.txt; echo $?')).toEqual({
      stdout: '1\n',
      stderr: 'sh: /data/b.txt: Read-only file system\n',
      exitCode: 0,
    });
    expect(await execute(fs, 'cat /data/a.txt >> /data/a.txt && echo ran')).toEqual({
      stdout: '',
      stderr: 'sh: /data/a.txt: Read-only file system\n',
      exitCode: 1,
    });
    expect(await execute(fs, 'cat /data/a.txt | tee /data/b.txt')).toEqual({
      stdout: 'a\n',
      stderr: 'tee: /data/b.txt: Read-only file system\n',
      exitCode: 1,
    });
    // /dev/null needs no writes.
    expect(await execute(fs, 'cat /data/a.txt /data/nope > /dev/null 2>&1; echo $?')).toEqual({ stdout: '1\n', stderr: '', exitCode: 0 });
  });

  test('a write that throws is a read-only file system too', async () => {
    const inner = memoryFs({ '/data/a.txt': 'a\n' });
    const failing = Object.assign(Object.create(inner) as WorkspaceFs, inner, {
      writeFile: async () => {
        throw Object.assign(new Error('mount is read-only'), { code: 'ERR_READ_ONLY' });
      },
    });
    expect(await execute(failing, 'echo x > /data/b.txt')).toEqual({
      stdout: '',
      stderr: 'sh: /data/b.txt: Read-only file system\n',
      exitCode: 1,
    });
  });
});

describe('what would run outside the workspace is refused, exit 2, nothing run', () => {
  const fs = memoryFs({ '/data/a.txt': 'a\n' });
  test.each([
    ['echo $(cat /data/a.txt)', "'$(...)'"],
    ['echo ok; echo "$(id)"', "'$(...)'"],
    ['echo ok && echo `id`', "'`'"],
    ['echo ok | sort &', "'&'"],
    ['(echo ok)', "'('"],
    ['echo $PATH', "'$PATH'"],
    ['cat <&3', "'<&'"],
    ['xargs sh -c id < /data/a.txt', 'sh: command not found'],
  ])('%j', async (commandLine, named) => {
    const result = await execute(fs, commandLine);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(named);
    expect(result.exitCode).toBe(named.includes('command not found') ? 127 : 2);
  });
});

/** The gaps between ticks of a 1 ms timer while `run` runs, longest first: how long the event loop was held. */
async function timerGaps(run: () => Promise<unknown>): Promise<number[]> {
  let last = performance.now();
  const gaps: number[] = [];
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  gaps.push(performance.now() - last);
  return gaps.sort((a, b) => b - a);
}

describe('long inputs do not hold the event loop; patterns stay linear', () => {
  const lines = Array.from({ length: 200_000 }, (_, i) => `line ${(i * 7919) % 200_000} ${'ab'.repeat(i % 9)} end\n`).join('');
  // The same lines, one in a thousand changed and one in 700 gone.
  const edited = lines.split('\n').map((line, i) => (i % 1000 === 0 ? `${line}!` : line)).filter((_, i) => i % 700 !== 1).join('\n');
  const fs = memoryFs({ '/data/big.txt': lines, '/data/edited.txt': edited, '/data/a.txt': `${'a'.repeat(20_000)}\n` });

  test.each([
    'sort /data/big.txt | wc -l',
    'sort -k2n /data/big.txt | tail -n 1',
    'uniq -c /data/big.txt | wc -l',
    'cut -d" " -f2 /data/big.txt | wc -l',
    'tr a-z A-Z < /data/big.txt | wc -c',
    'sed s/ab/X/g /data/big.txt | wc -c',
    'cat /data/big.txt | xargs -n 1000 echo | wc -l',
    'diff /data/big.txt /data/edited.txt | wc -l',
    'diff -u /data/big.txt /data/edited.txt | wc -l',
    // 20,000 lines reordered against 200,000: the search gives up on a shortest script many times.
    'head -n 20000 /data/big.txt | sort -k2n | diff -u - /data/edited.txt | wc -l',
  ])('%s: the event loop is held for no more than 150 ms at a time', async (commandLine) => {
    let result: Awaited<ReturnType<typeof execute>> | undefined;
    const gaps = await timerGaps(async () => {
      result = await execute(fs, commandLine);
    });
    expect(result!.exitCode).toBe(0);
    // One longer gap, under 250 ms, is let pass: a garbage collection on a loaded machine (seen up to 183 ms).
    // Code that does not yield holds the loop for its whole run: 0.6 to 2.5 s for sort, sed and xargs here.
    expect(gaps[1] ?? 0).toBeLessThan(150);
    expect(gaps[0]).toBeLessThan(250);
  });

  test.each([
    "sed -E 's/(a|aa)*b/X/' /data/a.txt",
    "sed -E 's/(a*)*b/X/g' /data/a.txt",
    "sed 's/\\(a*\\)*\\(a*\\)*c/X/' /data/a.txt",
    "sed -E 's/(x+x+)+y/X/' /data/a.txt",
  ])('%s: time grows linearly with the line', async (commandLine) => {
    const time = async (length: number) => {
      const sized = memoryFs({ '/data/a.txt': `${'a'.repeat(length)}\n` });
      const started = performance.now();
      const result = await execute(sized, commandLine);
      expect(result.stdout).toBe(`${'a'.repeat(length)}\n`);
      return performance.now() - started;
    };
    await time(1000); // warm up
    const short = await time(5_000);
    const long = await time(20_000);
    // Four times the input: a quadratic matcher would take sixteen times as long.
    expect(long).toBeLessThan(short * 8 + 50);
    expect(long).toBeLessThan(3000);
  });
});
