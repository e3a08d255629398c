// The packed tarballs as npm ships them, installed into fresh projects on this machine: what they hold and
// weigh, what the addon links against, the WebAssembly fallback without the platform package, and a service
// bundled by esbuild for Node.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { installProject, packTarballs, repo, run, type Tarballs } from './packed.js';

// The budgets the README states.
const BUDGETS = {
  stratacache: { packed: 400_000, unpacked: 1_050_000 },
  platform: { packed: 1_900_000, unpacked: 4_000_000 },
};
const ABC_DIGEST = '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85'; // BLAKE3('abc')
// Only the C library's parts; everything else is inside the addon or loaded when first needed (libcurl).
const ALLOWED_NEEDED = ['libc.so.6', 'libm.so.6', 'libpthread.so.0', 'libdl.so.2', 'ld-linux-x86-64.so.2'];

let tarballs: Tarballs;
const projects: string[] = [];

beforeAll(() => {
  tarballs = packTarballs();
}, 120_000);
afterAll(() => {
  for (const project of projects) rmSync(project, { recursive: true, force: true });
});

function project(args: string[] = [], files: string[] = [tarballs.stratacache, tarballs.platform]): string {
  const dir = installProject(files, args);
  projects.push(dir);
  cpSync(join(repo, 'tests/packaging/fixtures'), dir, { recursive: true });
  return dir;
}

function node(args: string[], cwd: string): { report: Record<string, unknown>; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return { report: JSON.parse(result.stdout.trim().split('\n').at(-1)!), stderr: result.stderr };
}

/** `npx --no-install args` in `cwd`, however it exits. */
function npx(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync('npx', ['--no-install', ...args], { cwd, encoding: 'utf8' });
  return { status, stdout, stderr };
}

interface PackEntry {
  size: number;
  unpackedSize: number;
  files: Array<{ path: string }>;
}

const dryRuns = new Map<string, PackEntry>();

function dryRun(tarball: string): PackEntry {
  if (!dryRuns.has(tarball)) {
    const [entry] = JSON.parse(run('npm', ['pack', '--dry-run', '--json', tarball], repo)) as PackEntry[];
    dryRuns.set(tarball, entry!);
  }
  return dryRuns.get(tarball)!;
}

describe('the tarballs', () => {
  test.each(['stratacache', 'platform'] as const)('%s stays within its size budget', (which) => {
    const entry = dryRun(tarballs[which]);
    expect(entry.size).toBeLessThan(BUDGETS[which].packed);
    expect(entry.unpackedSize).toBeLessThan(BUDGETS[which].unpacked);
  });

  test('stratacache ships a license and no source maps, and lists the platform package as optional', () => {
    const paths = dryRun(tarballs.stratacache).files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/node.js']));
    expect(paths.filter((path) => path.endsWith('.map') || path.endsWith('.node'))).toEqual([]);
    const manifest = JSON.parse(run('tar', ['xzOf', tarballs.stratacache, 'package/package.json'], repo));
    expect(manifest.optionalDependencies).toEqual({ [tarballs.platformPackage]: manifest.version });
    expect(manifest).not.toHaveProperty('scripts');
    expect(manifest.repository.url).toContain('github.com/stratacache/stratacache');
  });

  test('the platform package holds a stripped addon that needs only the C library', () => {
    const paths = dryRun(tarballs.platform).files.map((file) => file.path).sort();
    expect(paths).toEqual(['LICENSE', 'README.md', 'package.json', 'stratacache.node']);
    const manifest = JSON.parse(run('tar', ['xzOf', tarballs.platform, 'package/package.json'], repo));
    expect(manifest).toMatchObject({ os: [process.platform], cpu: [process.arch], libc: ['glibc'] });
    const addon = join(repo, 'build/addon/Release/stratacache.node');
    const needed = [...run('readelf', ['-d', addon], repo).matchAll(/\(NEEDED\).*\[(.+)\]/g)].map((m) => m[1]);
    expect(needed.filter((library) => !ALLOWED_NEEDED.includes(library!))).toEqual([]);
    expect(run('readelf', ['-S', addon], repo)).not.toContain('.symtab');
  });
});

describe('an installed project', () => {
  test('runs no install script and serves ram, disk and a workspace; ESM and CommonJS', () => {
    const dir = project();
    for (const name of ['stratacache', tarballs.platformPackage]) {
      const { scripts = {} } = JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8'));
      expect(Object.keys(scripts)).toEqual([]);
    }
    const { report } = node(['service.mjs'], dir);
    expect(report).toMatchObject({ ram: 'in ram', disk: 'hello from disk', workspace: 'local file', warnings: [] });
    expect(node(['service.cjs'], dir).report).toEqual({ ram: 'required' });

    // The bin, as a user runs it: npx stratacache over a disk tier's folder the package filled.
    const folder = join(dir, 'disk-cache');
    const fill = `import { Cache, disk } from 'stratacache';
      const cache = await Cache.open({ tiers: [disk({ path: ${JSON.stringify(folder)} })] });
      await cache.set('k', 'value');
      await cache.close();`;
    run(process.execPath, ['--input-type=module', '-e', fill], dir);
    const stats = JSON.parse(run('npx', ['--no-install', 'stratacache', 'stats', folder, '--json'], dir));
    expect(stats).toMatchObject({ folder, entries: 1, bytes: 5 });
    const missing = npx(['stratacache', 'ls', join(dir, 'nothing')], dir);
    expect(missing).toMatchObject({ status: 3, stderr: expect.stringMatching(/^stratacache: there is no folder/) });
  });

  test('without the platform package: RAM and workspaces from WebAssembly, one warning, clear errors', () => {
    const dir = project(['--omit=optional'], [tarballs.stratacache]);
    const { report } = node(['service.mjs'], dir);
    expect(report).toMatchObject({ ram: 'in ram', workspace: 'local file', digest: ABC_DIGEST });
    const noAddon = { code: 'ERR_NO_ADDON', name: 'StrataError' };
    for (const tier of ['disk', 's3', 'http'] as const) {
      const message = expect.stringMatching(`^the ${tier}\\(\\) tier needs the native addon, which did not load`);
      expect(report[tier]).toEqual({ ...noAddon, message });
    }
    const mountMessage = expect.stringMatching(/^s3Resource\(\) needs the native addon/);
    expect(report.s3Resource).toEqual({ ...noAddon, message: mountMessage });
    expect(report.warnings).toEqual([expect.stringMatching(/^STRATACACHE_NO_ADDON: stratacache: no prebuilt addon/)]);
    expect(node(['service.cjs'], dir).report).toEqual({ ram: 'required' });
    const cli = npx(['stratacache', 'stats', dir], dir);
    const needsAddon = expect.stringContaining('the stratacache command needs the native addon');
    expect(cli).toMatchObject({ status: 1, stderr: needsAddon });
  });

  test.each(['cjs', 'esm'])('bundled with esbuild --platform=node (%s), finds the addon with no flag', (format) => {
    const dir = project();
    const out = join(dir, 'out', `service.${format === 'esm' ? 'mjs' : 'cjs'}`);
    run(join(repo, 'node_modules/.bin/esbuild'),
      ['service.mjs', '--bundle', '--platform=node', `--format=${format}`, `--outfile=${out}`, '--log-level=error'],
      dir);
    // The bundle runs with the packages still installed beside it, as a deployed service's node_modules are.
    rmSync(join(dir, 'node_modules/stratacache'), { recursive: true });
    const { report } = node([out], dir);
    expect(report).toMatchObject({ ram: 'in ram', disk: 'hello from disk', workspace: 'local file', warnings: [] });
  });
});
