// Runs every benchmark in bench/, one after another, each in its own process with the node flags it needs.
// Arguments (such as --quick) are passed on to each. Exits non-zero if any benchmark broke.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
// Benchmarks that measure memory call gc() between rounds.
const NODE_FLAGS = { 'ram.mjs': ['--expose-gc'] };

const benches = readdirSync(HERE).filter((name) => name.endsWith('.mjs') && name !== basename(fileURLToPath(import.meta.url))).sort();
let failed = 0;
for (const name of benches) {
  console.log(`\n== bench/${name}`);
  const { status } = spawnSync(process.execPath, [...(NODE_FLAGS[name] ?? []), join(HERE, name), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
