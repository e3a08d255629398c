// Seeded randomness shared by the benchmarks: the same "random" data in every process and run.

export /** mulberry32: small, fast, seeded; numbers in [0, 1). */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct values of `size` bytes: one random block with each value's index written at its start. */
export function distinctValues(size, count) {
  const base = new Uint8Array(size);
  for (let i = 0; i < size; i++) base[i] = (Math.random() * 256) | 0;
  return Array.from({ length: count }, (_, i) => {
    const value = base.slice();
    new DataView(value.buffer).setUint32(0, i);
    return value;
  });
}
