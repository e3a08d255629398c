// What the browser tests and the browser benchmark share: a page bundle built with esbuild, a static server on
// 127.0.0.1, and Debian's Chromium driven by playwright-core (never a downloaded browser).
import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { chromium } from 'playwright-core';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

// The flags this machine needs: without the background-networking ones Chromium keeps dialling Google's hosts.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Bundles `entry` for a page into `outdir` as page.js, beside the index.html of the entry's folder. Imports of the Node entry point (dist/node.js) resolve to the
 * WebAssembly build, which is what the page runs the shared cases against.
 */
export async function bundlePage(entry, outdir) {
  const nodeEntry = resolve(repoRoot, 'dist/node.js');
  await build({
    entryPoints: { page: resolve(entry) },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    sourcemap: 'inline',
    logLevel: 'error',
    plugins: [{
      name: 'wasm-build-for-node-entry',
      setup(builder) {
        builder.onResolve({ filter: /dist\/node\.js$/ }, (args) =>
          resolve(args.resolveDir, args.path) === nodeEntry ? { path: resolve(repoRoot, 'dist/wasm.js') } : undefined);
      },
    }],
  });
  await copyFile(join(dirname(resolve(entry)), 'index.html'), join(outdir, 'index.html'));
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.map': 'application/json' };

/** Serves folders under URL prefixes (`{ '/': dir, '/wasm/': dir }`, longest prefix first) on 127.0.0.1. */
export async function serve(routes) {
  const mounts = Object.entries(routes).sort(([a], [b]) => b.length - a.length);
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    const file = mount && normalize(join(mount[1], path.slice(mount[0].length) || 'index.html'));
    const found = file && file.startsWith(resolve(mount[1]) + sep) && (await stat(file).catch(() => null))?.isFile();
    if (!found) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(response);
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    // Also drops the sockets a browser still holds open (keep-alive, preconnects), which close() alone waits for.
    close: () => new Promise((done) => {
      server.close(done);
      server.closeAllConnections();
    }),
  };
}

/** A temporary Chromium profile folder, for contexts that must survive a browser restart. */
export const profileFolder = () => mkdtemp(join(tmpdir(), 'strata-chromium-'));

/**
 * Starts Chromium on a profile folder: the same folder again after close() is a browser restart that keeps
 * IndexedDB. Without a folder, a temporary one is made and removed on close.
 */
export async function launchChromium(profile) {
  const folder = profile ?? (await profileFolder());
  const context = await chromium.launchPersistentContext(folder, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    close: async () => {
      await context.close();
      if (profile === undefined) await rm(folder, { recursive: true, force: true });
    },
  };
}
