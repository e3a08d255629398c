// init() with a module of one's own instead of the embedded one: a URL that fails rejects and lets a later call
// try again; a URL that serves the module loads it.
import { join } from 'node:path';

import { digest, init } from '../../dist/wasm.js';
import { repoRoot, serve } from '../browser/harness.mjs';

test('init(url) loads the module from the URL, after a failed URL', async () => {
  const server = await serve({ '/': join(repoRoot, 'build/wasm/wasm') });
  try {
    await expect(init(`${server.origin}/missing.wasm`)).rejects.toThrow(/missing\.wasm: HTTP 404/);
    expect(() => digest('abc')).toThrow(/await init\(\) first/);
    await init(new URL('/stratacache_wasm.wasm', server.origin));
    expect(digest('abc')).toBe('6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85');
  } finally {
    await server.close();
  }
});
