// Coherence benchmark: four processes on loopback, each with a cache of [ram(), redis()] on a redis-server this
// benchmark starts on a free port. In each round one process sets a key the other three hold in their RAM tiers,
// and each of them times when its RAM copy is gone: the invalidation delay, from the writer's set() resolving
// (and from its call). What a user has instead, on the same rounds: coherent: false, where the RAM copy stays
// (until evicted, or its TTL, which a promotion takes from the shared tier's entry).
//
//   node bench/redis-coherence.mjs [--quick]     (needs redis-server on the PATH)
//
// Results: a table on stdout, and the rows as JSON in bench/results/redis-coherence.json.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Cache, ram, redis } from '../dist/node.js';
import { startRedis } from './lib/redis-server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 100 : 300;
const UNCOHERENT_ROUNDS = 8;
const BOUND = 1000; // the default coherenceBound
const KEYS = 16;
const now = () => performance.timeOrigin + performance.now(); // ms, comparable across processes

/** One process: answers the parent's read, write and watch requests over IPC. */
async function peer(url, coherent) {
  const tier = redis({ url, prefix: 'bench-coherence:', coherent, timeout: '1s' });
  const cache = await Cache.open({ tiers: [ram(), tier] });
  process.on('message', async ({ op, key, value }) => {
    if (op === 'read') {
      await cache.get(key);
      process.send(cache.getSync(key) !== undefined);
    } else if (op === 'write') {
      const called = now();
      await cache.set(key, value);
      process.send({ called, resolved: now() });
    } else if (op === 'watch') {
      // Spins (yielding to the event loop) until the RAM copy is gone: when, or null past twice the bound.
      const until = now() + 2 * BOUND;
      while (cache.getSync(key) !== undefined && now() < until) await new Promise((resolve) => setImmediate(resolve));
      process.send(cache.getSync(key) === undefined ? now() : null);
    } else {
      await cache.close();
      await tier.close();
      process.disconnect();
    }
  });
  process.send('ready');
}

const ask = async (child, message) => {
  const answer = once(child, 'message');
  child.send(message);
  return (await answer)[0];
};

/** `rounds` rounds over four fresh processes: each round's delays in ms, from set() resolved and from its call. */
async function measure(url, coherent, count) {
  const peers = Array.from({ length: 4 }, () =>
    fork(fileURLToPath(import.meta.url), ['peer', url, coherent ? 'coherent' : 'not']));
  await Promise.all(peers.map((child) => once(child, 'message')));
  try {
    await new Promise((resolve) => setTimeout(resolve, 1100)); // subscriptions confirmed by a heartbeat
    return await rounds(peers, count);
  } finally {
    for (const child of peers) if (child.exitCode === null) child.kill();
  }
}

async function rounds(peers, count) {
  for (let key = 0; key < KEYS; key++) await ask(peers[0], { op: 'write', key: `k${key}`, value: 'first' });
  await new Promise((resolve) => setTimeout(resolve, 100)); // their announcements heard before anyone reads
  const fromResolved = [];
  const fromCall = [];
  for (let round = 0; round < count; round++) {
    const writer = peers[round % 4];
    const readers = peers.filter((child) => child !== writer);
    const key = `k${round % KEYS}`;
    for (const child of readers) if (!(await ask(child, { op: 'read', key }))) throw new Error('no RAM copy to watch');
    const watched = readers.map((child) => ask(child, { op: 'watch', key }));
    const { called, resolved } = await ask(writer, { op: 'write', key, value: `v${round}`.padEnd(100, '.') });
    for (const dropped of await Promise.all(watched)) {
      fromResolved.push(dropped === null ? Infinity : dropped - resolved);
      fromCall.push(dropped === null ? Infinity : dropped - called);
    }
  }
  await Promise.all(peers.map((child) => (child.send({ op: 'close' }), once(child, 'exit'))));
  return { fromResolved, fromCall };
}

const quantile = (values, q) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))];
const ms = (value) => Math.round(value * 1000) / 1000;
const row = (name, { fromResolved, fromCall }) => ({
  name,
  samples: fromResolved.length,
  'p50 ms (from set resolved)': ms(quantile(fromResolved, 0.5)),
  'p99 ms (from set resolved)': ms(quantile(fromResolved, 0.99)),
  'max ms (from set resolved)': ms(Math.max(...fromResolved)),
  'p50 ms (from set called)': ms(quantile(fromCall, 0.5)),
  'p99 ms (from set called)': ms(quantile(fromCall, 0.99)),
  [`stale after ${2 * BOUND} ms`]: `${fromResolved.filter((delay) => delay === Infinity).length}/${fromResolved.length}`,
});

async function main() {
  const server = await startRedis();
  try {
    const { url } = server;
    const rows = [
      row(`coherent (default, ${BOUND} ms bound)`, await measure(url, true, ROUNDS)),
      row('coherent: false', await measure(url, false, UNCOHERENT_ROUNDS)),
    ];
    console.table(rows);
    const [coherent] = rows;
    console.log(`invalidation delay from set() resolved: p50 ${coherent['p50 ms (from set resolved)']} ms, ` +
      `p99 ${coherent['p99 ms (from set resolved)']} ms; without coherence the copies stay stale`);
    mkdirSync(join(HERE, 'results'), { recursive: true });
    writeFileSync(join(HERE, 'results', 'redis-coherence.json'), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
    if (!(coherent['max ms (from set resolved)'] < BOUND)) {
      console.error(`an invalidation took longer than the ${BOUND} ms bound`);
      process.exitCode = 1;
    }
  } finally {
    await server.stop();
  }
}

if (process.argv[2] === 'peer') await peer(process.argv[3], process.argv[4] === 'coherent');
else await main();
