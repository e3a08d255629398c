// Builds the example with esbuild into examples/browser/dist: the page and its bundle (which carries the
// WebAssembly module). Serve that folder over http to try it.
import { copyFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const out = here('./dist/');
mkdirSync(out, { recursive: true });
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
