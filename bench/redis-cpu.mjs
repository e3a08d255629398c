// CPU per call at concurrency 1 (process.cpuUsage): the redis() tier alone against ioredis used directly, on a
// redis-server this script starts. Each round measures every side over the same keys and 1 KiB values; the
// medians and ranges over the rounds are printed. What a row of bench/redis.mjs spends besides its round trips.
//
//   node bench/redis-cpu.mjs [--calls N] [--rounds N]     (defaults 5,000 calls, 5 rounds)
import { parseArgs } from 'node:util';

import { Redis } from 'ioredis';

import { Cache, redis } from '../dist/node.js';
import { startRedis } from './lib/redis-server.mjs';

const { values: args } = parseArgs({ options: { calls: { type: 'string' }, rounds: { type: 'string' } } });
const CALLS = Number(args.calls ?? 5000);
const ROUNDS = Number(args.rounds ?? 5);
const WARMUP = 500;

const server = await startRedis();
const value = Buffer.alloc(1024, 7);
const keys = Array.from({ length: 1000 }, (_, i) => `key:${i}`);
const client = new Redis(server.url);
const tier = redis({ url: server.url });
const cache = await Cache.open({ tiers: [tier] });
for (const key of keys) {
  await client.set(key, value);
  await cache.set(key, value);
}
const sides = {
  'ioredis get': (key) => client.getBuffer(key),
  'redis() get': (key) => cache.get(key),
  'ioredis set': (key) => client.set(key, value),
  'redis() set': (key) => cache.set(key, value),
};

const micros = Object.fromEntries(Object.keys(sides).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, call] of Object.entries(sides)) {
    for (let i = 0; i < WARMUP; i++) await call(keys[i % keys.length]);
    const before = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) await call(keys[i % keys.length]);
    const used = process.cpuUsage(before);
    micros[name].push((used.user + used.system) / CALLS);
  }
}
console.log(`CPU per call at concurrency 1, µs (user + system), ${ROUNDS} rounds of ${CALLS} calls`);
for (const [name, values] of Object.entries(micros)) {
  values.sort((a, b) => a - b);
  const median = values[values.length >> 1];
  console.log(`${name.padEnd(12)} median ${median.toFixed(1)}  range ${values[0].toFixed(1)} to ${values.at(-1).toFixed(1)}`);
}
await cache.close();
await tier.close();
client.disconnect();
await server.stop();
