// Where the addon cannot load (another platform, libc or architecture; the platform package not installed),
// the Node entry point still serves caches of RAM tiers from the WebAssembly build, after one warning that says
// why. Tiers that need the addon (disk, s3, http) then fail Cache.open with ERR_NO_ADDON.
import type { Backend } from './backend.js';
import { StrataError } from './errors.js';
import { noAddon } from './native-addon.js';

type WasmEntry = typeof import('./wasm.js');

let wasm: WasmEntry | undefined; // once loaded, for digest(), which is synchronous

/** The backend to use in place of the addon, after warning (once) with `reason`. */
export function wasmFallback(reason: string): Backend {
  process.emitWarning(
    `stratacache: ${reason}. Using the WebAssembly build: RAM tiers only. ` +
      "To build the addon for this machine, see the README's 'Building from source'.",
    { code: 'STRATACACHE_NO_ADDON' },
  );
  const loading = import('./wasm.js').then(async (entry) => {
    await entry.init();
    wasm = entry;
    return entry;
  });
  loading.catch(() => {}); // reported by the Cache.open that awaits it
  return {
    name: 'wasm',
    async open(config) {
      const needsAddon = config.tiers.find((tier) => tier.kind !== 'ram');
      if (needsAddon !== undefined) throw noAddon(`the ${needsAddon.kind}() tier`, reason);
      const entry = await loading;
      return entry.Cache.backend!.open(config);
    },
  };
}

/** The WebAssembly build's entry point once loaded: digest() and keyDigest() need it synchronously. */
export function loadedWasm(what: string): WasmEntry {
  if (wasm === undefined) {
    const message = `${what} needs the WebAssembly build, which is still loading: await Cache.open() first`;
    throw new StrataError('ERR_UNAVAILABLE', message);
  }
  return wasm;
}
