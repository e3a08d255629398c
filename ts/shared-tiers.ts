// Tiers shared across processes (redis()) that keep the RAM tiers above them coherent: while a cache is open, the
// tier tells it which entries another process changed, and the cache drops its copies above that tier
// (CoreHandle.forgetAbove). Only RAM tiers can be kept so: a disk tier above would have to be emptied whenever
// the tier lost track of the other processes (see redis-coherence.ts).
import { invalidArg } from './errors.js';
import type { TierConfig } from './tiers.js';

/** Drops the copies of the entry under a key digest (undefined: of every entry) above the shared tier. */
export type Forget = (digest: string | undefined) => void;

/**
 * How a cache registers with a shared tier it opens with: `forget` drops its copies above the tier (undefined when
 * no tier is above). The function returned ends the registration, at close.
 */
export type SharedTierWatch = (forget: Forget | undefined) => () => void;

/** ERR_INVALID_ARG unless every tier above a watching shared tier is a RAM tier. */
export function checkSharedTiers(tiers: readonly TierConfig[]): void {
  tiers.forEach((tier, index) => {
    if (tier.hooks?.watch === undefined) return;
    const above = tiers.slice(0, index).find((each) => each.kind !== 'ram');
    if (above === undefined) return;
    throw invalidArg(
      `tier '${above.name}' cannot sit above '${tier.name}', which keeps the tiers above it coherent across ` +
        `processes and can do so only for ram() tiers: put '${above.name}' below it, or pass coherent: false`,
    );
  });
}

/**
 * Registers a cache with each shared tier it opens with (`forgetAbove` as CoreHandle.forgetAbove); the function
 * returned ends every registration.
 */
export function watchSharedTiers(
  tiers: readonly TierConfig[], forgetAbove: (tier: string, digest: string | undefined) => void,
): () => void {
  const ends = tiers.flatMap((tier, index) => {
    const watch = tier.hooks?.watch;
    if (watch === undefined) return [];
    const forget: Forget = (digest) => forgetAbove(tier.name, digest);
    return [watch(index === 0 ? undefined : forget)];
  });
  return () => ends.forEach((end) => end());
}
