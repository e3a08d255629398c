// The near cache: JavaScript-side references to values recently read from the RAM tiers, so that a repeated
// getSync costs a Map lookup rather than a call into the core. A copy is served only while the core's change
// counter for its key's stripe (ChangeCounters, read in place through a Uint32Array) has not moved: any write,
// delete, eviction, expiry or promotion of an entry of that stripe in a RAM tier moves it. Values expiring by TTL
// are checked against the clock. Hits served here are counted here and added to stats(); one in TOUCH_EVERY
// is passed on to the core (in batches, and before each write, which is what may evict) so that its eviction
// policy still sees the key as used.
//
// The values are the same bytes the core lent (large values) or copied into a slab (small ones), so they are
// read-only views, as every value get returns. The near cache holds at most `maxBytes` of them; when full it
// admits nothing new until enough fills have been refused, then starts over, which follows a moving working set
// without a per-hit reordering cost.

import type { CoreHandle } from './backend.js';
import { checkKey } from './values.js';

/**
 * How the core answers a fill: [stripe, change counter before the lookup, expires at ms (Infinity: never)], or
 * [NO_COPY] for a value read from a tier below the RAM tiers (disk), whose changes move no counter.
 */
export type FillInfo = Float64Array;

interface NearEntry {
  value: Uint8Array;
  stripe: number;
  version: number;
  expiresAt: number;
}

const NO_COPY = -1;
const TOUCH_EVERY = 32; // a power of two
// The near cache may keep this share of the first tier's budget (the values it holds stay alive until it drops
// them), up to MAX_BYTES.
const SHARE = 2;
const MAX_BYTES = 256 * 1024 * 1024;
const TOUCH_BATCH = 64;
const ENTRY_OVERHEAD = 96; // bytes: the entry object, the Map slot, the view

/** What a near cache in front of a first tier of `firstTierLimit` bytes may hold. */
export function nearBytes(firstTierLimit: number): number {
  return Math.min(firstTierLimit / SHARE, MAX_BYTES);
}

export class NearCache {
  readonly #entries = new Map<string, NearEntry>();
  #counters: Uint32Array;
  readonly #touch: (keys: string[]) => void;
  readonly #maxBytes: number;
  #bytes = 0;
  #refused = 0;
  #touches: string[] = [];
  /** Hits served from here, to add to the first tier's and the cache's hits. */
  hits = 0;

  constructor(counters: Uint32Array, touch: (keys: string[]) => void, maxBytes: number) {
    this.#counters = counters;
    this.#touch = touch;
    this.#maxBytes = maxBytes;
  }

  get(key: string): Uint8Array | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#counters[entry.stripe] !== entry.version || (entry.expiresAt !== Infinity && entry.expiresAt <= Date.now())) {
      this.#remove(key, entry);
      return undefined;
    }
    // Every TOUCH_EVERY-th hit touches its key: a key is touched in proportion to how often it is hit.
    if ((++this.hits & (TOUCH_EVERY - 1)) === 0 && this.#touches.push(key) === TOUCH_BATCH) this.flushTouches();
    return entry.value;
  }

  /**
   * The counters' memory was replaced (wasm memory grew, detaching its views: every copy then reads as stale,
   * never as fresh). Give the near cache the new view before filling.
   */
  get detached(): boolean {
    return this.#counters.length === 0;
  }

  rebind(counters: Uint32Array): void {
    this.#counters = counters;
  }

  /** Keeps `value`, just read from the core with `info`, if there is room. */
  fill(key: string, value: Uint8Array, info: FillInfo): void {
    if (info[0] === NO_COPY) return;
    const size = value.byteLength + key.length * 2 + ENTRY_OVERHEAD;
    if (this.#bytes + size > this.#maxBytes) {
      // Full of what was hot earlier: once as many fills were refused as it holds, make room for what is hot now.
      if (++this.#refused < this.#entries.size) return;
      this.clear();
      if (size > this.#maxBytes) return;
    }
    this.#entries.set(key, { value, stripe: info[0]!, version: info[1]!, expiresAt: info[2]! });
    this.#bytes += size;
  }

  flushTouches(): void {
    if (this.#touches.length === 0) return;
    const keys = this.#touches;
    this.#touches = [];
    this.#touch(keys);
  }

  /** Drops the copies that can no longer be served, releasing the bytes they keep alive. */
  dropStale(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) {
      if (this.#counters[entry.stripe] !== entry.version || entry.expiresAt <= now) this.#remove(key, entry);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
    this.#refused = 0;
  }

  #remove(key: string, entry: NearEntry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.value.byteLength + key.length * 2 + ENTRY_OVERHEAD;
  }
}

/**
 * `handle` with getSync and get answered from `near` first. `read(key, info)` is the core's getSync that also
 * fills `info`; writes first pass on the touches (a write may evict), and stats() counts the near hits as the
 * first tier's, as the core would have.
 */
export function withNearCache(
  handle: CoreHandle,
  near: NearCache,
  read: (key: string, info: FillInfo) => Uint8Array | undefined,
): CoreHandle {
  const info: FillInfo = new Float64Array(3);
  // getSync checks its key here, on the way to the core, rather than before every lookup: a key the near cache
  // holds was checked when it was filled, and no other value finds an entry in its Map of strings.
  const fill = (key: string): Uint8Array | undefined => {
    checkKey(key);
    const value = read(key, info);
    if (value !== undefined) near.fill(key, value, info);
    return value;
  };
  const { setMany } = handle;
  return {
    ...handle,
    getSync: (key) => near.get(key) ?? fill(key),
    get: (key) => near.get(key) ?? handle.get(key),
    setSync: (key, value, ttl, tags) => {
      near.flushTouches();
      handle.setSync(key, value, ttl, tags);
    },
    set: (key, value, ttl, tags) => {
      near.flushTouches();
      return handle.set(key, value, ttl, tags);
    },
    ...(setMany !== undefined && {
      setMany: (...write: Parameters<typeof setMany>) => {
        near.flushTouches();
        return setMany(...write);
      },
    }),
    stats: () => {
      near.flushTouches();
      const stats = handle.stats();
      stats.hits += near.hits;
      if (stats.tiers[0] !== undefined) stats.tiers[0].hits += near.hits;
      return stats;
    },
    sweep: () => {
      handle.sweep();
      near.dropStale();
    },
    close: () => {
      near.clear();
      return handle.close();
    },
  };
}
