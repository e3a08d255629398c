// One path rule for the workspace API and its shell: the same hostile paths, through readFile/stat/find and
// through cat/stat/find, succeed or fail together, with the same bytes. And trees deeper than any call stack
// walked by find, du, ls -R and grep -r.
import { memoryResource, Workspace } from '../../dist/node.js';

const FILES = { 'a.txt': 'alpha\n', 'sub/deep.txt': 'deep\n', 'back\\slash': 'slash\n' };
const DEPTH = 3000;
const DEEP_FILE = `${'d/'.repeat(DEPTH)}leaf.txt`;

let ws: Workspace;
let deep: Workspace;
beforeAll(async () => {
  ws = await Workspace.open({ mounts: { '/data': memoryResource(FILES), '/other': memoryResource({ 'o.txt': 'other\n' }) } });
  deep = await Workspace.open({ mounts: { '/deep': memoryResource({ [DEEP_FILE]: 'x\n' }) } });
});
afterAll(async () => {
  await ws.close();
  await deep.close();
});

const HOSTILE_PATHS = [
  '/data/a.txt', 'data/a.txt', '/data//a.txt', '///data/./a.txt', '/data/sub/../a.txt', '/../data/a.txt',
  '/data/../../data/a.txt', '/data/../other/o.txt', `/data/${'../'.repeat(1000)}data/a.txt`, '/data/a.txt/',
  '/data/a.txt/.', '/data/a.txt/..', '/data/sub/', '/data/sub/.', '/data/sub', '/data/sub//deep.txt/',
  '/data/nope', '/data/nope/', '/nowhere/x', '/', '.', '..', '', '/data/a\0.txt', '/data/back\\slash',
  '/data\\a.txt', `/data/${'x/'.repeat(5000)}y`, `/data/${'a'.repeat(100_000)}`, '/data/sub/deep.txt',
];

/** What an API call gave: its value, or the code it rejected with. */
async function outcome<T>(call: () => Promise<T>): Promise<{ ok: T } | { code: string }> {
  try {
    return { ok: await call() };
  } catch (error) {
    return { code: (error as { code: string }).code };
  }
}

/** A shell word holding `path` as it is (single quotes; the paths above hold none). */
const word = (path: string): string => `'${path}'`;

describe('the API and the shell follow one path rule', () => {
  test.each(HOSTILE_PATHS.map((path) => [JSON.stringify(path.length > 60 ? `${path.slice(0, 60)}…` : path), path]))(
    '%s',
    async (_, path) => {
      const read = await outcome(() => ws.readFile(path, { encoding: 'utf8' }));
      const cat = await ws.execute(`cat ${word(path)}`);
      expect({ ok: cat.exitCode === 0, stdout: cat.stdout }).toEqual({ ok: 'ok' in read, stdout: 'ok' in read ? read.ok : '' });
      if (!('ok' in read)) expect(['ERR_NOT_FOUND', 'ERR_INVALID_ARG']).toContain(read.code);

      const stat = await outcome(() => ws.stat(path));
      const shellStat = await ws.execute(`stat -c %F ${word(path)}`);
      expect(shellStat.exitCode === 0).toBe('ok' in stat);
      if ('ok' in stat) {
        expect(shellStat.stdout).toBe(stat.ok.type === 'directory' ? 'directory\n' : 'regular file\n');
        expect(await ws.exists(path)).toBe(true);
      } else if (('ok' in read ? undefined : read.code) !== 'ERR_INVALID_ARG' || path.endsWith('/')) {
        expect(await outcome(() => ws.exists(path))).toEqual({ ok: false });
      }

      const found = await outcome(async () => {
        const paths: string[] = [];
        for await (const entry of ws.find(path)) paths.push(entry.path);
        return paths;
      });
      const shellFind = await ws.execute(`find ${word(path)}`);
      expect(shellFind.exitCode === 0).toBe('ok' in found);
      if ('ok' in found) expect(shellFind.stdout.split('\n').length - 1).toBe(found.ok.length);
    },
  );
});

describe(`a tree ${DEPTH} folders deep`, () => {
  test.each([
    ['find /deep | wc -l', `${DEPTH + 2}\n`],
    ['find /deep -name leaf.txt | wc -c', `${'/deep/'.length + DEEP_FILE.length + 1}\n`],
    ['du -sb /deep', '2\t/deep\n'],
    ['du -b /deep | wc -l', `${DEPTH + 1}\n`],
    ['ls -R /deep | grep -c :', `${DEPTH + 1}\n`],
    ['grep -rc x /deep | wc -l', '1\n'],
  ])('%s', async (commandLine, stdout) => {
    expect(await deep.execute(commandLine)).toEqual({ stdout, stderr: '', exitCode: 0 });
  });

  test('Workspace.find walks it', async () => {
    let count = 0;
    for await (const entry of deep.find('/deep')) count += entry.type === 'file' ? 1 : 0;
    expect(count).toBe(1);
  });
});
