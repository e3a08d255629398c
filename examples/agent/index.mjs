// What an agent does with a workspace: explores a repository through the shell, greps it, writes its result
// into a writable mount, snapshots the run, and replays it later with drift: 'strict', which fails a read of
// any file the source changed since, instead of answering from the snapshot's stale bytes.
//
//   node examples/agent/index.mjs
//
// The repository is a copy of ./repo in a temporary folder, so that the example can change it between the run
// and the replay, as a colleague's commit would.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { localResource, StrataError, Workspace } from '../../dist/node.js';

const scratch = mkdtempSync(join(tmpdir(), 'stratacache-example-agent-'));
const repo = join(scratch, 'repo');
const out = join(scratch, 'out');
cpSync(new URL('./repo', import.meta.url), repo, { recursive: true });
mkdirSync(out);

// The repository is read-only (the default for a local folder); the agent writes only under /out.
const mounts = () => ({
  '/repo': localResource(repo),
  '/out': localResource(out, { writable: true }),
});
const requests = (ws) => ws.stats().mounts['/repo'].calls;

async function shell(ws, command) {
  const { stdout, stderr, exitCode } = await ws.execute(command);
  console.log(`$ ${command}\n${stdout}${stderr}${exitCode === 0 ? '' : `(exit ${exitCode})\n`}`.trimEnd());
}

// 1. The run: explore, search, write the result.
const ws = await Workspace.open({ mounts: mounts(), indexTtl: '10m' });
await shell(ws, 'find /repo -name "*.ts" | sort');
await shell(ws, 'grep -c TODO /repo/src/*.ts');
await shell(ws, 'grep -n TODO /repo/src/*.ts > /out/todos.txt && wc -l < /out/todos.txt');
await shell(ws, 'cut -d: -f1 /out/todos.txt | uniq -c');
const tarPath = join(scratch, 'run.tar.gz');
const snapshot = await ws.snapshot(tarPath);
console.log(`snapshot: ${snapshot.files} files, ${snapshot.bytes} bytes in ${tarPath.slice(scratch.length + 1)}`);
await ws.close();

// 2. The source moves on: one file the run read is changed.
writeFileSync(join(repo, 'src/server.ts'), 'export function handle(): string {\n  return "accepted";\n}\n');

// 3. The replay, strict: files that did not change are served from the snapshot after one check each; the
// changed one fails its read with ERR_DRIFT naming the path and both versions.
const strict = await Workspace.load(tarPath, { mounts: mounts(), drift: 'strict' });
const orders = await strict.readFile('/repo/src/orders.ts', { encoding: 'utf8' });
console.log(`strict replay, unchanged file: ${orders.split('\n').length - 1} lines, ${requests(strict)} requests`);
try {
  await strict.readFile('/repo/src/server.ts');
  console.log('strict replay, changed file: read (unexpected)');
} catch (error) {
  if (!(error instanceof StrataError)) throw error;
  console.log(`strict replay, changed file: ${error.code}: ${error.message}`);
}
await strict.close();

// 4. The replay, evicting: the changed file is read anew from the source.
const evict = await Workspace.load(tarPath, { mounts: mounts(), drift: 'evict' });
await shell(evict, 'grep -c TODO /repo/src/server.ts /repo/src/orders.ts');
await evict.close();
rmSync(scratch, { recursive: true, force: true });
