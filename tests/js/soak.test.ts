// The soak (bench/soak.mjs), short: processes and worker threads on shared disk folders under SIGKILLs, worker
// terminations and a full disk; it exits 0 only when no read returned another key's bytes, no process died on
// its own, verify() repaired nothing and every folder held its budget.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('a short soak under kills, terminations and a full disk ends with no findings', async () => {
  const script = new URL('../../bench/soak.mjs', import.meta.url).pathname;
  const { stdout } = await run(process.execPath, [script, '--seconds', '20', '--processes', '3'], { timeout: 90_000 });
  expect(stdout).toMatch(/stopped: [1-9]\d* operations/);
  expect(stdout).toContain('soak: no findings');
}, 120_000);
