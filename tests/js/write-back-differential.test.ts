// Write-back against write-through, differentially: the same random sequence of sets and deletes (over the
// cache's own keys and a bounded namespace) through [ram(), disk()] under each policy must leave, after
// flush(), the same entries with the same bytes in the bounded disk tier: the most recently written that fit.
import { Cache, disk, ram } from '../../dist/node.js';
import { random } from './backends.js';
import { freshFolder } from './disk-folders.js';

const KEYS = 24;
const RAM_LIMIT = 12_000;
const DISK_LIMIT = 24_000;
const NAMESPACE_DISK_LIMIT = 8_000;

type Op = { kind: 'set'; ns: boolean; key: string; value: Uint8Array } | { kind: 'delete'; ns: boolean; key: string };

function operations(seed: number, count: number): Op[] {
  const next = random(seed);
  return Array.from({ length: count }, (_, i): Op => {
    const ns = next() < 0.3;
    const key = `k${Math.floor(next() * KEYS)}`;
    if (next() < 0.15) return { kind: 'delete', ns, key };
    const value = new Uint8Array(100 + Math.floor(next() * 2_500)).fill(i % 251);
    return { kind: 'set', ns, key, value };
  });
}

async function lowerTierAfter(ops: Op[], writePolicy: 'through' | 'back'): Promise<Map<string, number>> {
  const path = freshFolder(`differential-${writePolicy}`);
  const cache = await Cache.open({
    tiers: [ram({ cacheLimit: RAM_LIMIT }), disk({ path, cacheLimit: DISK_LIMIT })],
    writePolicy,
    ttl: null,
  });
  const bounded = cache.namespace('ns', { cacheLimit: { disk: NAMESPACE_DISK_LIMIT } });
  for (const op of ops) {
    const view = op.ns ? bounded : cache;
    if (op.kind === 'set') await view.set(op.key, op.value);
    else await view.delete(op.key);
  }
  await cache.flush();
  await cache.close();

  // What the disk tier holds, read on its own: key -> the fill byte of its value.
  const alone = await Cache.open({ tiers: [disk({ path, cacheLimit: DISK_LIMIT })], ttl: null });
  const held = new Map<string, number>();
  for (const [prefix, view] of [['', alone], ['ns/', alone.namespace('ns')]] as const) {
    for (let i = 0; i < KEYS; i++) {
      const bytes = await view.get(`k${i}`);
      if (bytes !== undefined) held.set(`${prefix}k${i}`, bytes[0]!);
    }
  }
  await alone.close();
  return held;
}

test.each(Array.from({ length: 12 }, (_, i) => i + 1))(
  'sequence %i: after flush(), write-back leaves the bounded disk tier as write-through does',
  async (seed) => {
    const ops = operations(seed, 120);
    const through = await lowerTierAfter(ops, 'through');
    const back = await lowerTierAfter(ops, 'back');
    expect(through.size).toBeGreaterThan(0);
    expect(Object.fromEntries(back)).toEqual(Object.fromEntries(through));
  },
);
