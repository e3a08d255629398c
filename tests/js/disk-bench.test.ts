// The disk benchmark against lmdb (bench/disk-lmdb.mjs), one quick round: both sides of every row run, on the
// same data, each value checked byte for byte. Only that it runs and prints its rows is checked, not the ratios.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('bench/disk-lmdb.mjs runs one quick round and prints its four rows', async () => {
  const script = new URL('../../bench/disk-lmdb.mjs', import.meta.url).pathname;
  const { stdout } = await run(process.execPath, [script, '--quick'], { timeout: 150_000 });
  const rows = stdout.split('\n').filter((line) => /^(put|get)\b/.test(line));
  expect(rows).toHaveLength(4);
  for (const row of rows) expect(row).toMatch(/stratacache \d+\/s, lmdb \d+\/s -> x[\d.]+ \(target x[\d.]+\)$/);
}, 180_000);
