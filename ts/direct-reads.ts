// Reads the Node build makes itself for a tier whose store is JavaScript already (redis()): a read that misses
// the RAM tiers goes straight to the tier's client (`hooks.read`), instead of the core calling the tier's driver
// and being answered through it, a crossing between JavaScript and the core and a promise each way. The core
// still begins and answers the read (native/node/cache_outside_reads.cc): it counts it, reports a failure,
// decodes the stored frame by the custom() tier's one definition of it (custom_store.h) and promotes a hit.
import { callWithin } from './custom.js';
import type { TierConfig } from './tiers.js';

/** Reads an entry's stored bytes by name, within the tier's timeout: [failure message or null, bytes or undefined]. */
export type DirectRead = (name: string) => Promise<[error: string | null, stored: Uint8Array | undefined]>;

/**
 * The direct read of a cache with `tiers`, if its reads take that path: when the first tier that is not RAM (the
 * first the core cannot answer from at once) has a `hooks.read`. The one rule of which path a read takes.
 */
export function directReadOf(tiers: readonly TierConfig[]): DirectRead | undefined {
  const tier = tiers.find((each) => each.kind !== 'ram');
  const read = tier?.hooks?.read;
  if (read === undefined) return undefined;
  const timeoutMs = Number(tier!.settings?.['timeoutMs']);
  return (name) =>
    new Promise((resolve) => {
      callWithin(timeoutMs, 'get', () => read(name), (error, stored) => {
        resolve(error === null ? [null, stored as Uint8Array | undefined] : [error.message, undefined]);
      });
    });
}
