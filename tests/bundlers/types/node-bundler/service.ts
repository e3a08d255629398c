// A Node service whose TypeScript resolves as a bundler does, with `customConditions: ["node"]`: the Node API.
import { Cache, disk, ram } from 'stratacache';

const cache = await Cache.open({ tiers: [ram(), disk({ path: '/var/cache/app' })] });
console.log(await cache.get('key'));
await cache.close();
