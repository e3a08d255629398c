// mkdir, rm, cp, mv and touch in execute(), against GNU coreutils run by bash on a copy of the same tree
// (LC_ALL=C): the same stdout, stderr and exit code for every command line, and the same tree after each case,
// seen through the workspace's caches and again from the source. Over a real folder, the memory resource and
// s3rver.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { Workspace } from '../../dist/node.js';
import { freshFolder } from './disk-folders.js';
import { useS3Server } from './s3-server.js';
import { folderSource, memorySource, s3Sources, type SourceMaker } from './writable-sources.js';

const server = useS3Server();
const s3 = s3Sources(server);
afterAll(() => s3.close());

const MOUNT = '/data';
const TREE: Record<string, string> = {
  'top.txt': 'top\n',
  'docs/a.txt': 'alpha\n',
  'docs/b.txt': 'bravo\n',
  'docs/deep/c.txt': 'charlie\n',
  'other/o.txt': 'other\n',
};

const CASES: Record<string, string[]> = {
  mkdir: [
    'mkdir /data/new', 'mkdir /data/new', 'mkdir', 'mkdir /data/a/b', 'mkdir -p /data/a/b/c', 'mkdir -p /data/top.txt/x',
    'mkdir /data/top.txt/x', 'mkdir -p /data/docs', 'mkdir /data/x /data/docs /data/y', 'mkdir -z /data/q',
  ],
  rm: [
    'rm /data/top.txt', 'rm /data/nope', 'rm -f /data/nope', 'rm', 'rm -f', 'rm /data/docs', 'rm -r /data/docs/deep',
    'rm /data/docs/a.txt/', 'rm /data/other/o.txt /data/nope /data/docs/b.txt', 'rm -rf /data/docs /data/nope',
    'rm -R /data/other',
  ],
  cp: [
    'cp /data/top.txt /data/docs', 'cp /data/top.txt /data/copy.txt', 'cp', 'cp /data/top.txt', 'cp /data/nope /data/x',
    'cp /data/docs /data/x', 'cp -r /data/docs /data/x', 'cp -r /data/docs /data/x', 'cp /data/top.txt /data/top.txt',
    'cp /data/top.txt /data/docs/a.txt /data/nope-dir',
    'cp /data/top.txt /data/docs/a.txt /data/copy.txt', 'cp -R /data/docs /data/top.txt', 'cp /data/top.txt /data/x',
    'cp /data/top.txt /data/docs/b.txt /data/other/', 'cp /data/docs/a.txt /data/nope/a.txt',
  ],
  mv: [
    'mv /data/top.txt /data/docs', 'mv /data/docs/top.txt /data/moved.txt', 'mv', 'mv /data/x', 'mv /data/nope /data/x',
    'mv /data/docs /data/docs/deep', 'mv /data/moved.txt /data/moved.txt', 'mkdir -p /data/t/docs/k', 'mv /data/docs /data/t',
    'mkdir /data/e', 'mv /data/docs/deep /data/e', 'mv /data/docs /data/moved.txt', 'mv /data/other /data/renamed',
    'mv /data/moved.txt /data/docs/b.txt /data/renamed',
  ],
  // GNU copies what it can and then reports the copy into itself; the workspace refuses the whole copy up front
  // (a half-made tree helps no agent), so only the output is compared.
  'cp into itself': ['cp -r /data/docs /data/docs/deep', 'cp -r /data/docs /data/docs'],
  touch: ['touch /data/new.txt', 'touch /data/top.txt', 'touch', 'touch /data/a/b', 'touch -c /data/none', 'touch /data/docs /data/other/n.txt'],
};

const SOURCES: Array<[string, SourceMaker]> = [
  ['a real folder', folderSource],
  ['the memory resource', memorySource],
  ['s3rver', (files, options) => s3.make(files, options)],
];

interface Outcome {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function gnu(folder: string, commandLine: string): Outcome {
  const result = spawnSync('bash', ['-c', commandLine.replaceAll(MOUNT, folder)], {
    cwd: folder,
    input: '',
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' },
  });
  return { stdout: result.stdout.replaceAll(folder, MOUNT), stderr: result.stderr.replaceAll(folder, MOUNT), exitCode: result.status ?? -1 };
}

/** Every path below `folder` ('dir/' for folders) with each file's text. */
function folderTree(folder: string, below = ''): Record<string, string> {
  const tree: Record<string, string> = {};
  for (const name of readdirSync(join(folder, below)).sort()) {
    const path = below === '' ? name : `${below}/${name}`;
    if (statSync(join(folder, path)).isDirectory()) {
      tree[`${path}/`] = '';
      Object.assign(tree, folderTree(folder, path));
    } else tree[path] = readFileSync(join(folder, path), 'utf8');
  }
  return tree;
}

async function workspaceTree(ws: Workspace): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  for await (const entry of ws.find(MOUNT, { minDepth: 1 })) {
    const path = entry.path.slice(MOUNT.length + 1);
    if (entry.type === 'directory') tree[`${path}/`] = '';
    else tree[path] = await ws.readFile(entry.path, { encoding: 'utf8' });
  }
  return tree;
}

describe.each(SOURCES)('over %s', (_, makeSource) => {
  test.each(Object.entries(CASES))('%s matches GNU coreutils, output and tree', async (name, commandLines) => {
    const folder = freshFolder('gnu');
    for (const [path, text] of Object.entries(TREE)) {
      mkdirSync(join(folder, path, '..'), { recursive: true });
      writeFileSync(join(folder, path), text);
    }
    const { resource } = await makeSource(TREE);
    await using ws = await Workspace.open({ mounts: { [MOUNT]: resource } });
    await workspaceTree(ws); // fill the caches, so that stale entries would show
    for (const commandLine of commandLines) {
      const expected = gnu(folder, commandLine);
      expect({ commandLine, ...(await ws.execute(commandLine)) }).toEqual({ commandLine, ...expected });
    }
    if (name === 'cp into itself') return;
    const expected = folderTree(folder);
    expect(await workspaceTree(ws)).toEqual(expected);
    await ws.invalidate(MOUNT);
    expect(await workspaceTree(ws)).toEqual(expected);
  }, 20_000);
});
