// A page that counts its visits in a stratacache cache: RAM over IndexedDB, so the count survives reloads.
import { Cache, indexedDb, ram } from 'stratacache';

const cache = await Cache.open({
  tiers: [ram({ cacheLimit: '8MB' }), indexedDb({ database: 'example', cacheLimit: '50MB', ttl: '30d' })],
});
cache.on('warning', ({ error }) => console.warn(error.message));

const visits = Number(new TextDecoder().decode((await cache.get('visits')) ?? new Uint8Array())) + 1;
await cache.set('visits', String(visits));

document.querySelector('#visits')!.textContent = String(visits);
document.querySelector('#tiers')!.textContent = cache.stats().tiers.map((t) => `${t.name} (${t.entries})`).join(', ');
document.body.dataset['ready'] = 'true';
