// The app every bundler builds, as a user would write it: opens [ram(), indexedDb()], stores a value on its first
// load and reads it back after a reload, when the RAM tier is empty and only IndexedDB can answer.
import { Cache, indexedDb, ram } from 'stratacache';

async function visit() {
  const cache = await Cache.open({ tiers: [ram(), indexedDb({ database: 'bundled-app' })] });
  const stored = await cache.get('greeting');
  if (stored === undefined) await cache.set('greeting', 'hello from IndexedDB');
  const idbHits = cache.stats().tiers[1].hits;
  await cache.close();
  return { stored: stored === undefined ? null : new TextDecoder().decode(stored), idbHits };
}

visit().then(
  (result) => (globalThis.appResult = result),
  (error) => (globalThis.appResult = { error: String(error?.stack ?? error) }),
);
