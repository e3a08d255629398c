// The browser build in Debian's Chromium: the indexedDb() tier against idb-keyval (get/set, setMany/getMany),
// and RAM-tier hits against lru-cache bundled into the same page; one run, same data, each row a median of rounds
// that alternate which side goes first (bench/browser/page.ts). Also the shipped size: a minified bundle of the
// browser entry point (which embeds the .wasm), gzipped. Writes bench/results/browser.json.
// --quick: a tenth of the operations.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

import { bundlePage, launchChromium, repoRoot, serve } from '../tests/browser/harness.mjs';

const quick = process.argv.includes('--quick');
const outdir = join(repoRoot, 'build/browser-bench');

async function shippedSize() {
  const bundle = await build({
    stdin: { contents: "export { Cache, indexedDb, ram, init } from './dist/wasm.js';", resolveDir: repoRoot },
    bundle: true, format: 'esm', platform: 'browser', minify: true, write: false,
  });
  const js = bundle.outputFiles[0].contents;
  return { jsBytes: js.length, jsGzip: gzipSync(js).length };
}

await bundlePage(join(repoRoot, 'bench/browser/page.ts'), outdir);
const server = await serve({ '/': outdir });
const chromium = await launchChromium();
let rows;
try {
  const page = await chromium.context.newPage();
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => 'runBench' in globalThis);
  rows = await page.evaluate((q) => globalThis.runBench(q), quick);
} finally {
  await chromium.close();
  await server.close();
}
const size = await shippedSize();
const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(1));
console.log('| measurement (ops/s) | stratacache | idb-keyval / lru-cache | ratio |\n|---|---|---|---|');
for (const r of rows) console.log(`| ${r.what} | ${fmt(r.stratacache)} | ${fmt(r.other)} | ${r.ratio.toFixed(2)}× |`);
console.log(`shipped: ${size.jsBytes} B of JavaScript with the wasm in it, ${size.jsGzip} B gzip`);
mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
writeFileSync(join(repoRoot, 'bench/results/browser.json'),
  `${JSON.stringify({ date: new Date().toISOString(), chromium: chromium.context.browser()?.version() ?? 'unknown', quick, rows, size }, null, 2)}\n`);
