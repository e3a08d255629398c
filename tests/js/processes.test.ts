// Scripts run as a user runs them, in a process of their own: the examples (documentation that runs, which must
// keep working as the README shows it) and situations a test runner cannot set up in-process.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('the quickstart serves repeats from the cache and prints the statistics', async () => {
  const script = new URL('../../examples/quickstart/index.mjs', import.meta.url);
  const { stdout } = await run(process.execPath, [script.pathname]);
  expect(stdout.match(/: origin /g)).toHaveLength(3);
  expect(stdout.match(/: cache /g)).toHaveLength(5);
  expect(stdout).toContain('cache: 6 hits, 3 misses');
  expect(stdout).toMatch(/tier ram: 3 entries, \d+ bytes, 6 hits, 3 misses, 0 evictions, 0 expirations/);
});

test('the S3 example shares an entry between two caches through a local s3rver and carries on when it stops', async () => {
  const script = new URL('../../examples/s3/index.mjs', import.meta.url);
  const { stdout } = await run(process.execPath, [script.pathname]);
  expect(stdout).toContain('B get: {"total":1234}');
  expect(stdout).toContain('B getSync (RAM only, now promoted): {"total":1234}');
  expect(stdout).toContain('B tier s3: 1 hits, 0 misses, 1 entries');
  expect(stdout).toContain('B get while S3 is down: {"total":1234}');
  expect(stdout).toContain('B get of an entry only S3 could have: miss');
  expect(stdout).toContain('B set while S3 is down, then getSync: kept in RAM');
  expect(stdout).toContain('B error event: tier s3, key report:2026-10, ERR_UNAVAILABLE');
});

test('two copies of the module in one thread never mix up their values', async () => {
  const script = new URL('./fixtures/two-module-copies.mjs', import.meta.url);
  const { stdout } = await run(process.execPath, [script.pathname]);
  expect(stdout.trim()).toBe('ok');
});
