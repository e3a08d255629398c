// A workspace: a folder and an in-memory source mounted under virtual paths. Repeated work reads local state;
// a snapshot replays a run without touching the sources.
//
//   node examples/workspace/index.mjs
//
// Mount an S3 prefix the same way with s3Resource({ bucket, prefix, ... }) and a web folder with
// httpResource('https://example.org/files/').
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { localResource, memoryResource, Workspace } from '../../dist/node.js';

const mounts = () => ({
  '/data': localResource(fileURLToPath(new URL('./data', import.meta.url))),
  '/notes': memoryResource({ 'todo.txt': 'rotate logs\ncheck alerts\n' }),
});

const ws = await Workspace.open({ mounts: mounts(), cacheLimit: '64MB', indexTtl: '10m' });

console.log((await ws.ls('/')).map((entry) => entry.path).join('  '));
for (const command of ['ls /data/logs', 'cat /data/logs/app.jsonl | wc -l', 'grep -c alert /data/logs/app.jsonl', 'find /data -name "*.jsonl"']) {
  const { stdout, exitCode } = await ws.execute(command);
  console.log(`$ ${command}\n${stdout.trimEnd()}${exitCode === 0 ? '' : `\n(exit ${exitCode})`}`);
}
const calls = (stats) => Object.entries(stats.mounts).map(([point, m]) => `${point}: ${m.calls} calls`).join(', ');
console.log(`source calls so far: ${calls(ws.stats())}; file cache: ${ws.stats().files.hits} hits, ${ws.stats().files.misses} misses`);

// The bytes of every file read so far, as a tar (GNU tar reads it), then a replay from it.
const folder = mkdtempSync(join(tmpdir(), 'stratacache-example-workspace-'));
const tarPath = join(folder, 'run.tar');
const snapshot = await ws.snapshot(tarPath, { onProgress: (p) => p.files === p.totalFiles && console.log(`snapshot: ${p.files} files, ${p.bytes} bytes`) });
await ws.close();

const replay = await Workspace.load(tarPath, { mounts: mounts() });
const { stdout } = await replay.execute('grep alert /data/logs/app.jsonl | wc -l');
console.log(`replayed from ${tarPath}: ${stdout.trim()} alert lines; ${snapshot.files} files restored; source calls: ${calls(replay.stats())}`);
await replay.close();
rmSync(folder, { recursive: true, force: true });
