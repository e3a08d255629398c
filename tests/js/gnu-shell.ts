// Running a command line with the real GNU tools, by bash in a real folder (LC_ALL=C, TZ=UTC), with the
// workspace's mount point mapped to the folder and back, to compare with what `execute` gives over it.
import { spawnSync } from 'node:child_process';

export interface GnuResult {
  stdout: string;
  exitCode: number;
}

export function runGnu(folder: string, mountPoint: string, commandLine: string): GnuResult {
  const result = spawnSync('bash', ['-c', commandLine.replaceAll(mountPoint, folder)], {
    cwd: folder,
    input: '',
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' },
    timeout: 10_000,
  });
  if (result.error) throw result.error; // a GNU tool that hung (glibc's regex can) fails the test, not hangs it
  return { stdout: result.stdout.replaceAll(folder, mountPoint), exitCode: result.status ?? -1 };
}
