// Two replicas of a service, each a process with a cache of [ram(), redis()]: what one writes or deletes, the
// other stops serving from its RAM within the coherence bound, and reads anew from Redis. Needs ioredis
// (`npm install ioredis`) and a server:
//
//   REDIS_URL=redis://127.0.0.1:6379 node examples/replicas/index.mjs
//
// This process is replica 2; it starts replica 1 as a child process running this file. It works under the
// prefix 'stratacache-replicas:' and removes what it wrote.
import { fork } from 'node:child_process';
import { once } from 'node:events';

import { Cache, ram, redis } from '../../dist/node.js';

const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const BOUND_MS = 1000;
const tier = redis({ url, prefix: 'stratacache-replicas:', coherenceBound: BOUND_MS, timeout: '500ms' });
const cache = await Cache.open({ tiers: [ram({ cacheLimit: '16MB' }), tier] });
const decode = (bytes) => (bytes === undefined ? 'miss' : new TextDecoder().decode(bytes));

if (process.argv[2] === 'replica-1') {
  // Replica 1 does what replica 2 asks, and says when it is done.
  process.on('message', async ({ write, remove, stop }) => {
    if (write) {
      await cache.set('config', write);
      if (write !== 'v1') console.log(`replica 1 writes ${write}`);
    }
    if (remove) {
      await cache.delete('config');
      console.log('replica 1 deletes it');
    }
    if (stop) {
      await cache.close();
      await tier.close();
      process.disconnect();
      return;
    }
    process.send('done');
  });
  process.send('done');
} else {
  const replica1 = fork(new URL(import.meta.url).pathname, ['replica-1']);
  const ask = async (message) => {
    const done = once(replica1, 'message');
    if (message) replica1.send(message);
    await done;
    return Date.now();
  };
  // Until `holds()`: whether that came within the bound of `since`.
  const withinBound = async (holds, since) => {
    while (!holds()) await new Promise((resolve) => setTimeout(resolve, 1));
    return Date.now() - since < BOUND_MS;
  };

  await ask(); // replica 1 is up
  await new Promise((resolve) => setTimeout(resolve, 100)); // this cache's subscription, confirmed
  await ask({ write: 'v1' });
  console.log(`replica 2 reads: ${decode(await cache.get('config'))} (now in its RAM: ${decode(cache.getSync('config'))})`);
  let changedAt = await ask({ write: 'v2' });
  let dropped = await withinBound(() => cache.getSync('config') === undefined, changedAt);
  console.log(`replica 2 reads: ${decode(await cache.get('config'))}, its RAM copy dropped within the ` +
    `${BOUND_MS} ms bound: ${dropped}`);
  changedAt = await ask({ remove: true });
  dropped = await withinBound(() => cache.getSync('config') === undefined, changedAt);
  console.log(`replica 2 reads: ${decode(await cache.get('config'))}, within the bound: ${dropped}`);
  replica1.send({ stop: true });
  await once(replica1, 'exit');
  await cache.close();
  await tier.close(); // the connections the tier made from the url
}
