// Puts the WebAssembly loader and module beside the compiled TypeScript, where dist/wasm.js imports them.
import { copyFileSync, mkdirSync } from 'node:fs';

const from = new URL('../build/wasm/wasm/', import.meta.url);
const to = new URL('../dist/wasm/', import.meta.url);
mkdirSync(to, { recursive: true });
for (const file of ['stratacache_wasm.mjs', 'stratacache_wasm.wasm']) copyFileSync(new URL(file, from), new URL(file, to));
