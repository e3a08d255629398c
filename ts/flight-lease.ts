// What getOrSet asks of a tier that runs each key's loader once across processes, not only within one (the
// redis() tier's leases, ts/redis-lease.ts). A module of its own, free of Node imports, because both builds'
// caches look for it on their tiers.
import type { MaybePromise } from './backend.js';
import type { TierConfig } from './tiers.js';

/** Reads the key's value again before a flight's leader loads it; undefined makes the leader load. */
export type Reread = () => MaybePromise<Uint8Array | undefined>;

/** The lease on one key, for one load this process leads. */
export interface FlightLease {
  /**
   * `reread`'s value, else once no other process loads the key: undefined, and the caller loads (holding the
   * lease, or without one when the coordinator cannot answer). A value another process stored while this one
   * waited is read by `reread`. Rejects with ERR_CLOSED once `end()` was called.
   */
  acquire(reread: Reread): Promise<Uint8Array | undefined>;
  /** Lets the lease go when held (telling the waiting processes) and stops waiting for it; again: nothing. */
  end(): void;
}

/** A tier's coordinator: a lease per key of a namespace. */
export interface LoadCoordinator {
  lease(namespace: string, key: string): FlightLease;
}

/** The coordinator of the first tier that has one (its `hooks.lease`). */
export function coordinatorOf(tiers: readonly TierConfig[]): LoadCoordinator | undefined {
  return tiers.find((tier) => tier.hooks?.lease !== undefined)?.hooks?.lease;
}
