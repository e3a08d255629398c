// Builds the example with esbuild into examples/browser/dist: the page, its bundle, and the .wasm where the
// bundle looks for it (a wasm/ folder beside it). Serve that folder over http to try it.
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const out = here('./dist/');
mkdirSync(`${out}wasm`, { recursive: true });
await build({
  entryPoints: [here('./app.ts')],
  outfile: `${out}app.js`,
  bundle: true,
  format: 'esm',
  platform: 'browser', // picks the package's `browser` export: the WebAssembly build
  minify: true,
  logLevel: 'warning',
});
copyFileSync(here('./index.html'), `${out}index.html`);
// In an app: node_modules/stratacache/dist/wasm/stratacache_wasm.wasm.
copyFileSync(here('../../dist/wasm/stratacache_wasm.wasm'), `${out}wasm/stratacache_wasm.wasm`);
