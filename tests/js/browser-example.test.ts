// The example app (examples/browser), built with esbuild as an app would build it and served as it is: it finds
// its .wasm, opens the IndexedDB tier, and its visit count survives a reload.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { launchChromium, repoRoot, serve } from '../browser/harness.mjs';

test('the esbuild-built example works when served, and keeps its count across reloads', async () => {
  execFileSync(process.execPath, [join(repoRoot, 'examples/browser/build.mjs')]);
  const server = await serve({ '/': join(repoRoot, 'examples/browser/dist') });
  const chromium = await launchChromium();
  try {
    const page = await chromium.context.newPage();
    const visit = async () => {
      await page.waitForSelector('body[data-ready="true"]');
      return page.evaluate(() => [document.querySelector('#visits')!.textContent, document.querySelector('#tiers')!.textContent]);
    };
    await page.goto(`${server.origin}/`);
    expect(await visit()).toEqual(['1', 'ram (1), indexeddb (1)']);
    await page.reload(); // a RAM-only fallback would count 1 again
    expect(await visit()).toEqual(['2', 'ram (1), indexeddb (1)']);
  } finally {
    await chromium.close();
    await server.close();
  }
});
