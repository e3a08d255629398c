// The package as users get it: `npm pack` of this repository installed into a fresh project (without optional
// dependencies, so that only the browser build is in play). Each common bundler builds a small app from it with
// no settings (tests/bundlers/bundle.mjs), and the app runs in Chromium across a reload; TypeScript projects of
// each kind type-check against its declarations (tests/bundlers/types).
import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

import { launchChromium, repoRoot, serve } from '../browser/harness.mjs';

const run = promisify(execFile);
const driver = join(repoRoot, 'tests/bundlers/bundle.mjs');

let project: string;
let chromium: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'strata-bundlers-'));
  await run('npm', ['pack', '--silent', '--pack-destination', project], { cwd: repoRoot });
  const tarball = (await readdir(project)).find((name) => name.endsWith('.tgz'))!;
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'bundled-app', private: true, type: 'module' }));
  await run('npm', ['install', `./${tarball}`, '--omit=optional', '--no-audit', '--no-fund', '--prefer-offline'],
    { cwd: project });
  await cp(join(repoRoot, 'tests/bundlers/app'), project, { recursive: true });
  // A Node project has its own @types/node: a copy of the repository's.
  for (const types of ['@types/node', 'undici-types']) {
    await cp(join(repoRoot, 'node_modules', types), join(project, 'node_modules', types), { recursive: true });
  }
  chromium = await launchChromium();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  if (project) await rm(project, { recursive: true, force: true });
});

interface Visit {
  stored?: string | null;
  idbHits?: number;
  error?: string;
}

/** Loads the app at `url`, then reloads it: what each load read, and any error the page reported. */
async function visitTwice(url: string): Promise<{ first: Visit; second: Visit; pageErrors: string[] }> {
  const page = await chromium.context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()));
  const result = async (): Promise<Visit> => {
    await page.waitForFunction(() => 'appResult' in globalThis, null, { polling: 50 });
    return page.evaluate(() => (globalThis as { appResult?: Visit }).appResult!);
  };
  try {
    await page.goto(url);
    const first = await result();
    await page.reload();
    return { first, second: await result(), pageErrors };
  } finally {
    await page.close();
  }
}

const firstVisit = { stored: null, idbHits: 0 };
const secondVisit = { stored: 'hello from IndexedDB', idbHits: 1 }; // RAM is empty after a reload

test.each(['vite', 'webpack', 'esbuild', 'rollup'])(
  '%s builds the app with no warning, and it keeps its value in IndexedDB across a reload',
  async (bundler) => {
    const out = join(project, `dist-${bundler}`);
    const { stdout } = await run(process.execPath, [driver, bundler, project, out], { cwd: project });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ warnings: [] });
    const server = await serve({ '/': out });
    try {
      expect(await visitTwice(`${server.origin}/`)).toEqual({ first: firstVisit, second: secondVisit, pageErrors: [] });
    } finally {
      await server.close();
    }
  },
  60_000, // webpack's production build takes 5 s here, and over 20 s while other builds load the machine
);

test("Vite's dev server serves the app, dependency pre-bundling included", async () => {
  const server = spawn(process.execPath, [driver, 'vite-dev', project], { cwd: project, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: server.stdout });
    const [line] = await Promise.race([
      new Promise<string[]>((resolve) => lines.once('line', (first) => resolve([first]))),
      new Promise<never>((_, reject) => server.once('exit', (code) => reject(new Error(`vite exited with ${code}`)))),
    ]);
    const { url } = JSON.parse(line!) as { url: string };
    expect(await visitTwice(url)).toEqual({ first: firstVisit, second: secondVisit, pageErrors: [] });
  } finally {
    server.kill();
  }
}, 30_000);

const tsc = (fixture: string) =>
  run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(project, 'types', fixture)])
    .then(() => '', (failure: { stdout: string }) => failure.stdout);

describe('the declarations type-check where each kind of project reads them', () => {
  beforeAll(() => cp(join(repoRoot, 'tests/bundlers/types'), join(project, 'types'), { recursive: true }));

  test('for a browser app under moduleResolution bundler, with no @types/node nor ESNext.Disposable lib', async () => {
    expect(await tsc('browser')).toBe('');
  }, 30_000);

  test('for a Node service under nodenext, with `await using`', async () => {
    expect(await tsc('node')).toBe('');
  }, 45_000); // checks all of @types/node too

  test('for a Node service under moduleResolution bundler with the node condition', async () => {
    expect(await tsc('node-bundler')).toBe('');
  }, 30_000);
});
