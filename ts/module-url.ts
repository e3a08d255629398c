// Where this package's code runs from, to resolve packages beside it (the platform addon, ioredis) with a
// require of its own: bundlers leave such a require alone, so a service bundled without an optional package
// still builds, and the package is found at run time in the node_modules beside the bundle.
import { pathToFileURL } from 'node:url';

/**
 * This module's URL. A CommonJS bundle (esbuild's default for --platform=node) has no import.meta.url; there the
 * bundle's own file stands in, and packages resolve from its node_modules as they would from here.
 */
export function moduleUrl(): string {
  return import.meta.url ?? pathToFileURL(__filename).href;
}
