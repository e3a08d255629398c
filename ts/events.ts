// Cache events, through a tiny typed emitter that both builds share (Node's EventEmitter is not in browsers).
import type { StrataError } from './errors.js';

/** A tier failed and the cache carried on without it (a read passed over it, a background write failed). */
export interface CacheErrorEvent {
  type: 'error';
  /** The tier's name. */
  tier: string;
  /** The key concerned, when there is one. */
  key?: string;
  /** The key's namespace, when it is one's (see KeyedEvent). */
  namespace?: string;
  error: StrataError;
}

/** The cache works, in a lesser way than asked: an indexedDb() tier that could not open keeps entries in RAM. */
export interface CacheWarningEvent {
  type: 'warning';
  /** The tier's name. */
  tier: string;
  /** Why, with a code (`ERR_UNAVAILABLE`, `ERR_TIMEOUT`) and the browser's error as its cause. */
  error: StrataError;
}

/** What events about one entry say of its key. */
interface KeyedEvent {
  key: string;
  /**
   * The namespace of the key (`cache.namespace(name)`); absent for the cache's own keys. RAM and IndexedDB tiers,
   * promotions, demotions and disk tiers' namespace evictions report it; other disk events do not yet.
   */
  namespace?: string;
}

/** A tier evicted an entry to stay within its `cacheLimit`, or a namespace's. */
export interface CacheEvictEvent extends KeyedEvent {
  type: 'evict';
  tier: string;
  /**
   * The tier's policy, which chose the entry: `'lru'`, `'lfu'`, `'sized-lru'`, `'s3-fifo'`; `'namespace'` when its
   * namespace went over its own limit.
   */
  reason: string;
}

/** A tier dropped an entry whose TTL had run out. */
export interface CacheExpireEvent extends KeyedEvent {
  type: 'expire';
  tier: string;
  /** When: `'read'` (found expired), `'sweep'` (the background sweep), `'budget'` (dropped to make room). */
  reason: 'read' | 'sweep' | 'budget';
}

/** A hit in a lower tier was copied into a tier above it. */
export interface CachePromoteEvent extends KeyedEvent {
  type: 'promote';
  /** The tier the entry was copied into. */
  tier: string;
  /** The tier the hit came from. */
  reason: string;
}

/** An entry of a write-back cache's first tier was written down into a tier below it. */
export interface CacheDemoteEvent extends KeyedEvent {
  type: 'demote';
  /** The tier the entry was written into. */
  tier: string;
  /** Why: it left the first tier (`'evict'`, `'expire'`), or `flush()` / `close()` wrote it down (`'flush'`). */
  reason: 'evict' | 'expire' | 'flush';
}

/** Every event a cache emits, by type. */
export interface CacheEvents {
  error: CacheErrorEvent;
  warning: CacheWarningEvent;
  evict: CacheEvictEvent;
  expire: CacheExpireEvent;
  promote: CachePromoteEvent;
  demote: CacheDemoteEvent;
}

export type CacheEventType = keyof CacheEvents;
export type CacheListener<T extends CacheEventType> = (event: CacheEvents[T]) => void;

type AnyListener = (event: CacheEvents[CacheEventType]) => void;

export class Emitter {
  readonly #listeners = new Map<CacheEventType, Set<AnyListener>>();

  on<T extends CacheEventType>(type: T, listener: CacheListener<T>): void {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, (set = new Set()));
    set.add(listener as AnyListener);
  }

  off<T extends CacheEventType>(type: T, listener: CacheListener<T>): void {
    this.#listeners.get(type)?.delete(listener as AnyListener);
  }

  /** The types that have listeners. */
  types(): CacheEventType[] {
    return [...this.#listeners].filter(([, listeners]) => listeners.size > 0).map(([type]) => type);
  }

  /**
   * Calls every listener of the event's type. A listener that throws does not stop the others, nor the cache:
   * what it threw is reported where the runtime reports uncaught errors without ending the program.
   */
  emit<T extends CacheEventType>(event: CacheEvents[T]): void {
    const listeners = this.#listeners.get(event.type);
    if (listeners === undefined) return;
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }
}

/** What a listener of the user's threw: reported as browsers report uncaught errors, never thrown into the cache. */
export function reportListenerError(error: unknown): void {
  const global = globalThis as { reportError?: (error: unknown) => void };
  if (typeof global.reportError === 'function') global.reportError(error);
  else console.error('stratacache: a listener threw', error);
}
