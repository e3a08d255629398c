// Write-back against write-through, differentially: the same random sequence of sets and deletes (over the
// cache's own keys and a bounded namespace) through [ram(), disk()] under each policy. After flush(), the bounded
// disk tier holds under either policy only the latest value of live keys, the most recently written ones (a key
// it lacks was last written before every key it holds of that namespace, or of any, for the default one); and
// write-back keeps every entry write-through keeps. It may keep more: a value overwritten or deleted while only
// RAM held it never reached the disk, so it pushed nothing out there.
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
    const value = new Uint8Array(100 + Math.floor(next() * 2_500)).fill(i); // the byte names the op (count < 256)
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

/** The op that last wrote each key ('k3', 'ns/k3'), from the first to the last written; deleted keys are absent. */
function latestWrites(ops: Op[]): Map<string, number> {
  const latest = new Map<string, number>();
  ops.forEach((op, i) => {
    const key = `${op.ns ? 'ns/' : ''}${op.key}`;
    latest.delete(key);
    if (op.kind === 'set') latest.set(key, i);
  });
  return latest;
}

/** Whether `held` keeps the most recently written keys: a live key it lacks is older than those it keeps. */
function mostRecentKept(held: Map<string, number>, latest: Map<string, number>): string[] {
  const wrong: string[] = [];
  for (const [missing, written] of latest) {
    if (held.has(missing)) continue;
    for (const [kept, keptWritten] of held) {
      const rivals = !missing.startsWith('ns/') || kept.startsWith('ns/');
      if (rivals && keptWritten < written) wrong.push(`${kept} (op ${keptWritten}) kept, ${missing} (op ${written}) not`);
    }
  }
  return wrong;
}

test.each(Array.from({ length: 30 }, (_, i) => i + 1))(
  'sequence %i: after flush(), the bounded disk tier keeps the most recent under write-back as under write-through',
  async (seed) => {
    const ops = operations(seed, 120);
    const latest = latestWrites(ops);
    const through = await lowerTierAfter(ops, 'through');
    const back = await lowerTierAfter(ops, 'back');
    expect(through.size).toBeGreaterThan(0);
    for (const held of [through, back]) {
      for (const [key, written] of held) expect({ key, written }).toEqual({ key, written: latest.get(key) });
      expect(mostRecentKept(held, latest)).toEqual([]);
    }
    for (const [key, written] of through) expect({ key, back: back.get(key) }).toEqual({ key, back: written });
  },
);
