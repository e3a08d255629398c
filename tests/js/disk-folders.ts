// Temp folders for disk tiers, removed when the test file is done, and the disk setups of the contract suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Cache, disk, ram } from '../../dist/node.js';
import type { TierSetup } from './backends.js';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A new empty folder under the system's temp folder. */
export function freshFolder(label: string): string {
  const folder = mkdtempSync(join(tmpdir(), `strata-${label}-`));
  folders.push(folder);
  return folder;
}

export function diskSetups(): Array<[name: string, setup: TierSetup]> {
  const tier = (options: { ttl?: number | string | null }) => disk({ path: freshFolder('contract'), ...options });
  return [
    ['node addon [disk]', { Cache, tiers: (options = {}) => [tier(options)] }],
    ['node addon [ram, disk]', { Cache, tiers: (options = {}) => [ram(options), tier(options)] }],
  ];
}
