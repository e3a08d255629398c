// Entry point for Node: caches run in the Node-API addon.
import { createRequire } from 'node:module';

import type { Backend, CoreConfig, CoreHandle } from './backend.js';
import { Cache as BaseCache } from './cache.js';

interface Addon {
  NativeCache: new (config: CoreConfig) => CoreHandle;
}

// The addon is built by cmake-js next to this package's dist/ folder.
const addon = createRequire(import.meta.url)('../build/addon/Release/stratacache.node') as Addon;

const nodeBackend: Backend = {
  name: 'node',
  async open(config) {
    return new addon.NativeCache(config);
  },
};

/** A tiered cache running in the native addon. */
export class Cache extends BaseCache {
  static override backend: Backend | undefined = nodeBackend;
}

export * from './common.js';
