// Builds tests/bundlers/app (copied into a project that installed the packed package) with one bundler, as its
// users would with no settings beyond input and output, and prints {"warnings": [...]} as one JSON line.
// `vite-dev` instead starts Vite's dev server and prints {"url": ...}; it runs until killed.
// Usage: node bundle.mjs <vite-dev|vite|webpack|esbuild|rollup> <app folder> <output folder>
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [bundler, app, out] = process.argv.slice(2);
const warnings = [];
/** The page for a bundle written as main.js beside it (Vite writes its own). */
const page = (script) => `<!doctype html><html><head><link rel="icon" href="data:,"></head><body>${script}</body></html>\n`;

const viteLogger = async () => {
  const { createLogger } = await import('vite');
  const logger = createLogger('warn');
  return { ...logger, warn: (message) => warnings.push(message), warnOnce: (message) => warnings.push(message) };
};

const bundlers = {
  async 'vite-dev'() {
    const { createServer } = await import('vite');
    const server = await createServer({ root: app, configFile: false, logLevel: 'error', customLogger: await viteLogger(),
      server: { host: '127.0.0.1', port: 0 } });
    await server.listen();
    console.log(JSON.stringify({ url: server.resolvedUrls.local[0] }));
    await new Promise(() => {}); // until the test kills it
  },
  async vite() {
    const { build } = await import('vite');
    await build({ root: app, configFile: false, logLevel: 'warn', customLogger: await viteLogger(),
      build: { outDir: out, emptyOutDir: true } });
  },
  async webpack() {
    const { default: webpack } = await import('webpack');
    const stats = await new Promise((resolve, reject) =>
      webpack({ mode: 'production', context: app, entry: './main.js', output: { path: out, filename: 'main.js' } },
        (error, result) => (error ? reject(error) : resolve(result))));
    const { errors, warnings: found } = stats.toJson({ all: false, errors: true, warnings: true });
    if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));
    warnings.push(...found.map((w) => `${w.moduleName ?? ''} ${w.message}`));
    writeFileSync(join(out, 'index.html'), page('<script defer src="./main.js"></script>'));
  },
  async esbuild() {
    const { build } = await import('esbuild');
    const result = await build({ entryPoints: [join(app, 'main.js')], outfile: join(out, 'main.js'), bundle: true,
      format: 'esm', minify: true, logLevel: 'silent' });
    warnings.push(...result.warnings.map((w) => w.text));
    copyFileSync(join(app, 'index.html'), join(out, 'index.html'));
  },
  async rollup() {
    const { rollup } = await import('rollup');
    const { nodeResolve } = await import('@rollup/plugin-node-resolve');
    const bundle = await rollup({ input: join(app, 'main.js'), plugins: [nodeResolve()],
      onwarn: (warning) => warnings.push(warning.message) });
    await bundle.write({ file: join(out, 'main.js'), format: 'es' });
    copyFileSync(join(app, 'index.html'), join(out, 'index.html'));
  },
};

await bundlers[bundler]();
console.log(JSON.stringify({ warnings }));
