// A Chromium page with the test bundle (tests/browser/page.ts) loaded from a static server on 127.0.0.1, for the
// browser test files. The server outlives browser restarts, so the origin (and its IndexedDB) stays the same.
import { join } from 'node:path';

import type { BrowserContext, Page } from 'playwright-core';

import { bundlePage, launchChromium, repoRoot, serve } from '../browser/harness.mjs';

export interface TestSite {
  origin: string;
  /** Starts Chromium (on `profile` when given, so that a later start with it is a restart). */
  launch(profile?: string): Promise<{ context: BrowserContext; close(): Promise<void> }>;
  /** A new page of `context` with the test bundle loaded. */
  open(context: BrowserContext): Promise<Page>;
  close(): Promise<void>;
}

export async function startTestSite(): Promise<TestSite> {
  const outdir = join(repoRoot, 'build/browser-test');
  await bundlePage(join(repoRoot, 'tests/browser/page.ts'), outdir);
  const server = await serve({ '/': outdir });
  return {
    origin: server.origin,
    launch: launchChromium,
    async open(context) {
      const page = await context.newPage();
      await page.goto(`${server.origin}/`);
      await page.waitForFunction(() => 'strataTests' in globalThis);
      return page;
    },
    close: () => server.close(),
  };
}
