// The Redis benchmark (bench/redis.mjs), one quick round: it starts its own redis-server, runs both sides of
// every row and prints each row with both rates and the ratio. Only that it runs is checked, not the ratios.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('bench/redis.mjs runs one quick round and prints its rows', async () => {
  const script = new URL('../../bench/redis.mjs', import.meta.url).pathname;
  const { stdout } = await run(process.execPath, [script, '--quick', '--rounds', '1'], { timeout: 90_000 });
  const rows = stdout.split('\n').filter((line) => /^\| (\[ram, redis\]|redis\(\) alone)/.test(line));
  expect(rows).toHaveLength(5);
  for (const row of rows) expect(row).toMatch(/\| [\d,]+( \([\d.]+\))? \| [\d,]+( \([\d.]+\))? \| [\d.]+× \|/);
}, 120_000);
