// Puts the WebAssembly loader beside the compiled TypeScript, where dist/wasm.js imports it, with the module's
// bytes as a JavaScript module (gzipped, then base64): every bundler and dev server carries a JavaScript import
// along with no asset handling, which a separate .wasm file needs (README, "Browser apps and bundlers").
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const from = new URL('../build/wasm/wasm/', import.meta.url);
const to = new URL('../dist/wasm/', import.meta.url);
rmSync(to, { recursive: true, force: true }); // holds only what this script writes
mkdirSync(to, { recursive: true });
copyFileSync(new URL('stratacache_wasm.mjs', from), new URL('stratacache_wasm.mjs', to));
const gzipped = gzipSync(readFileSync(new URL('stratacache_wasm.wasm', from)), { level: 9 });
writeFileSync(
  new URL('stratacache_wasm_gzip.mjs', to),
  `// stratacache_wasm.wasm, gzipped, as base64 (scripts/copy-wasm.mjs).\nexport default '${gzipped.toString('base64')}';\n`,
);
