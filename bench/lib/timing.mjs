// Timing helpers shared by the benchmarks.

export /** Runs `op(i)` for i in [0, count) with at most `concurrency` in flight; resolves to the elapsed seconds. */
async function timed(count, concurrency, op) {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await op(next++);
  }));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
