// The shell in real Chromium: the same command lines over the same in-memory files give the same stdout,
// stderr and exit codes in the page as in Node (where shell.test.ts compares them with the GNU tools).
import { build } from 'esbuild';

import { execute } from '../../dist/workspace/shell.js';
import { launchChromium, repoRoot } from '../browser/harness.mjs';
import { memoryFs } from './memory-fs.js';

/** The global the page's script defines (esbuild's globalName). */
declare const shellBundle: { execute: typeof execute; memoryFs: typeof memoryFs };

const FILES: Record<string, string> = {
  '/data/logs/app.jsonl': ['info', 'alert', 'warn', 'alert', 'info']
    .map((level, i) => `{"i":${i},"level":"${level}"}\n`)
    .join(''),
  '/data/logs/old/2024-01.jsonl': '{"level":"alert"}\n',
  '/data/docs/readme.txt': 'Café au lait\nÉTÉ and été\nword words sword\nlast line without newline',
  '/data/docs/notes with spaces.txt': 'spaced out\n',
  '/data/empty.txt': '',
};

const COMMAND_LINES = [
  'ls -R /data',
  'ls -la /data/docs',
  'cat -n /data/docs/readme.txt /data/empty.txt /data/nope',
  'head -n 2 /data/logs/app.jsonl /data/docs/readme.txt',
  'tail -c 12 /data/docs/readme.txt',
  'wc /data/logs/app.jsonl /data/docs/readme.txt',
  'grep -c alert /data/logs/app.jsonl',
  'grep -rn "alert\\|warn" /data',
  'grep -iw "été" /data/docs/readme.txt',
  'grep -E "^(Caf|word)" /data/docs/readme.txt',
  'find /data -name "*.jsonl" -type f',
  'find /data -iname "*SPACES*"',
  'stat -c "%n %s %F %y" /data/docs/readme.txt',
  'du -ab /data',
  'du -sh /data',
  'echo "quoted \\"words\\"" | wc -c',
  'cat /data/logs/app.jsonl | grep alert | head -n 1',
  'frobnicate',
  'ls -j',
  'cat /data/empty.txt > /data/x',
];

test('execute gives the same results in Chromium as in Node', async () => {
  // The shell and the in-memory files as one script for the page: what a browser app would bundle.
  const bundled = await build({
    stdin: {
      contents: "export { execute } from './dist/workspace/shell.js'; export { memoryFs } from './tests/js/memory-fs.ts';",
      resolveDir: repoRoot,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'shellBundle',
    platform: 'browser',
    write: false,
  });
  const inNode = [];
  const fs = memoryFs(FILES);
  for (const commandLine of COMMAND_LINES) inNode.push(await execute(fs, commandLine));

  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.addScriptTag({ content: bundled.outputFiles[0]!.text });
    const inBrowser = await page.evaluate(async ({ files, commandLines }) => {
      const pageFs = shellBundle.memoryFs(files);
      const results = [];
      for (const commandLine of commandLines) results.push(await shellBundle.execute(pageFs, commandLine));
      return results;
    }, { files: FILES, commandLines: COMMAND_LINES });
    expect(inBrowser).toEqual(inNode);
  } finally {
    await browser.close();
  }
  expect(inNode[6]).toEqual({ stdout: '2\n', stderr: '', exitCode: 0 });
});
