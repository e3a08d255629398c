// Finds the Node-API addon. In an installed package it comes from the platform package npm picked for this
// machine (an optional dependency, e.g. @stratacache/linux-x64-gnu), found by resolving it; in a source checkout
// (the only place native/ sources sit beside dist/) from the build/ folder `npm run build` fills. A packed install
// never looks in build/, so it cannot pick up a stale file from there.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { StrataError } from './errors.js';
import { moduleUrl } from './module-url.js';

/** The addon's exports, or why it could not be loaded (for the warning and for the tiers that need it). */
export type AddonLoad = { addon: object; reason?: undefined } | { addon?: undefined; reason: string };

// The platform packages that can hold this machine's addon; npm installed at most one of them (their `os`, `cpu`
// and `libc` fields), so on Linux the first that resolves has the right libc.
function platformPackages(): string[] {
  const name = `@stratacache/${process.platform}-${process.arch}`;
  return process.platform === 'linux' ? [`${name}-gnu`, `${name}-musl`] : [name];
}

function loadAddon(): AddonLoad {
  const require = createRequire(moduleUrl());
  const inCheckout = existsSync(fileURLToPath(new URL('../native/node/addon.cc', moduleUrl())));
  if (inCheckout) {
    return loadFile(require, fileURLToPath(new URL('../build/addon/Release/stratacache.node', moduleUrl())));
  }
  for (const name of platformPackages()) {
    let file: string;
    try {
      file = require.resolve(`${name}/stratacache.node`);
    } catch {
      continue; // not installed
    }
    return loadFile(require, file);
  }
  const names = platformPackages().join(' or ');
  return { reason: `no prebuilt addon for ${process.platform}-${process.arch}: ${names} is not installed` };
}

function loadFile(require: NodeJS.Require, file: string): AddonLoad {
  try {
    return { addon: require(file) as object };
  } catch (error) {
    return { reason: `the addon ${file} did not load: ${(error as Error).message}` };
  }
}

/** The addon, loaded once for the whole package (the cache and the S3 mounts share it). */
export const addonLoad: AddonLoad = loadAddon();

/** The error a tier or mount that needs the addon fails with when it did not load. */
export function noAddon(what: string, reason: string): StrataError {
  return new StrataError('ERR_NO_ADDON', `${what} needs the native addon, which did not load: ${reason}`);
}
