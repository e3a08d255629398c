// Scripts run as a user runs them, in a process of their own: the examples (documentation that runs, which must
// keep working as the README shows it) and situations a test runner cannot set up in-process.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('the quickstart serves repeats from RAM, restarts onto the disk tier, and caches a web folder', async () => {
  const script = new URL('../../examples/quickstart/index.mjs', import.meta.url);
  const { stdout } = await run(process.execPath, [script.pathname]);
  expect(stdout.match(/origin called 2 times/g)).toHaveLength(2);
  expect(stdout).toMatch(/user 2: disk hit, promoted to RAM .*"name":"user 2"/);
  expect(stdout).toMatch(/tier ram +1 entries, \d+ bytes, 1 hits, 1 misses, 1 promotions/);
  expect(stdout).toMatch(/tier disk +2 entries, \d+ bytes, 1 hits, 0 misses/);
  const workspaceLines = stdout.split('\n').filter((line) => line.includes('$ '));
  expect(workspaceLines).toHaveLength(5);
  for (const line of workspaceLines) expect(line).toContain(line.includes(': miss') ? ' 1 requests' : ' 0 requests');
  expect(stdout).toContain('web server: 1 listings, 1 reads');
  expect(stdout).toMatch(/file cache: 2 hits, 1 misses, 1 files/);
});

test('the namespaces example holds the bulky namespace to its limit and keeps the other whole', async () => {
  const script = new URL('../../examples/namespaces/index.mjs', import.meta.url);
  const { stdout } = await run(process.execPath, [script.pathname]);
  expect(stdout).toContain('sessions kept: 100 of 100');
  expect(stdout).toContain('newest thumbnail kept: true, oldest: false');
  expect(stdout).toMatch(/thumbnails evicted for their namespace's limit: 45\d\n/);
  expect(stdout).toContain("the cache's own user:1: miss");
  expect(stdout).toMatch(/tier ram: 1[45]\d entries, 1\.0\d MB of 4 MB/);
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

test('the disk example finds in its second run what its first stored, and verify() finds nothing wrong', async () => {
  const script = new URL('../../examples/disk/index.mjs', import.meta.url).pathname;
  const folder = mkdtempSync(join(tmpdir(), 'strata-example-disk-'));
  try {
    const first = (await run(process.execPath, [script, folder])).stdout;
    const second = (await run(process.execPath, [script, folder])).stdout;
    expect(first.match(/: computed and stored/g)).toHaveLength(2);
    expect(second).toContain('report:2026-10: from disk {"month":"2026-10","total":1234}');
    expect(second.match(/: from disk/g)).toHaveLength(2);
    expect(second).toContain('verify: 2 entries, 0 removed, 0 orphan files, 0 temp files');
    expect(second).toMatch(/tier disk: 2 entries, \d+ bytes, 2 hits, 0 misses/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('the read-through example loads once, serves stale while refreshing and when the origin fails, and writes back at close', async () => {
  const script = new URL('../../examples/read-through/index.mjs', import.meta.url).pathname;
  const folder = mkdtempSync(join(tmpdir(), 'strata-example-read-through-'));
  try {
    const { stdout } = await run(process.execPath, [script, folder]);
    expect(stdout.split('\n').slice(0, 6)).toEqual([
      '10 concurrent callers: {"eur":1.01}, 1 load',
      'stale, returned at once: {"eur":1.01}',
      'refreshed in the background: {"eur":1.02}, 2 loads',
      'origin down, stale-if-error: {"eur":1.02}',
      'on disk before close: 0 entries (write-back keeps them in RAM)',
      'on disk after close: 1 entry, {"eur":1.02}',
    ]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('the workspace example runs shell commands over its mounts, snapshots, and replays with no source call', async () => {
  const script = new URL('../../examples/workspace/index.mjs', import.meta.url);
  const { stdout } = await run(process.execPath, [script.pathname]);
  expect(stdout).toContain('$ cat /data/logs/app.jsonl | wc -l\n12\n');
  expect(stdout).toContain('$ grep -c alert /data/logs/app.jsonl\n3\n');
  expect(stdout).toContain('$ find /data -name "*.jsonl"\n/data/logs/app.jsonl\n/data/logs/worker.jsonl\n');
  expect(stdout).toMatch(/snapshot: 1 files, 785 bytes/);
  expect(stdout).toMatch(/replayed from .*run\.tar: 3 alert lines; 1 files restored; source calls: \/data: 0 calls, \/notes: 0 calls/);
});

test('the agent example explores, writes its result, snapshots, and a strict replay fails only the changed file', async () => {
  const script = new URL('../../examples/agent/index.mjs', import.meta.url);
  const { stdout } = await run(process.execPath, [script.pathname]);
  expect(stdout).toContain('$ find /repo -name "*.ts" | sort\n/repo/src/ledger.ts\n/repo/src/orders.ts\n/repo/src/server.ts\n');
  expect(stdout).toContain('$ grep -n TODO /repo/src/*.ts > /out/todos.txt && wc -l < /out/todos.txt\n3\n');
  expect(stdout).toContain('$ cut -d: -f1 /out/todos.txt | uniq -c\n      1 /repo/src/orders.ts\n      2 /repo/src/server.ts\n');
  expect(stdout).toMatch(/snapshot: 4 files, \d+ bytes in run\.tar\.gz/);
  expect(stdout).toContain('strict replay, unchanged file: 10 lines, 1 requests');
  expect(stdout).toMatch(/strict replay, changed file: ERR_DRIFT: \/repo\/src\/server\.ts changed since the snapshot: it held size 268, .*now size 58/);
  expect(stdout).toContain('/repo/src/server.ts:0\n/repo/src/orders.ts:1');
});

test('two copies of the module in one thread never mix up their values', async () => {
  const script = new URL('./fixtures/two-module-copies.mjs', import.meta.url);
  const { stdout } = await run(process.execPath, [script.pathname]);
  expect(stdout.trim()).toBe('ok');
});

test('a process that ends with cache events still queued exits normally', async () => {
  const script = new URL('./fixtures/exit-with-events.mjs', import.meta.url);
  const { stdout } = await run(process.execPath, [script.pathname]); // rejects on a non-zero exit or a signal
  expect(stdout.trim()).toBe('queued');
});

test('terminating worker threads with disk reads and writes in flight leaves the process running', async () => {
  // Rounds alternate a cache shared by name and one per worker; before the fix eight rounds aborted the process
  // ('terminate called after throwing Napi::Error') or crashed it (SIGSEGV).
  const folder = mkdtempSync(join(tmpdir(), 'strata-terminate-'));
  try {
    const script = new URL('./fixtures/terminate-workers.mjs', import.meta.url);
    const { stdout } = await run(process.execPath, [script.pathname, folder, '10']); // rejects on a signal
    expect(stdout.trim()).toBe('survived');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}, 40_000);
