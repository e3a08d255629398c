// The custom() tier (both builds): any asynchronous key-value store, written in JavaScript, as a tier. The core's
// CustomStore (native/core/include/stratacache/custom_store.h) decides what each call means; the CustomDriver
// here makes its calls to the user's functions, bounded by the tier's timeout, and answers each through the
// build's driverComplete (native/node/custom_tier.h, wasm/driver_channel.h).
import { type CompleteRequest, type DriverError, toDriverError } from './driver-channel.js';
import { invalidArg } from './errors.js';
import { timerDelay } from './http-driver.js';
import { type Tier, type TierConfig, tierName } from './tiers.js';
import { type Duration, MAX_TIMER_MS, parseDuration, parseTtl } from './units.js';

type Awaitable<T> = T | PromiseLike<T>;

/** The functions a custom tier stores its entries with; each may answer at once or with a promise. */
export interface CustomStoreFunctions {
  /** The bytes stored under `key`, or undefined (or null) when there are none. */
  get(key: string): Awaitable<Uint8Array | undefined | null>;
  /** Stores `value` under `key`; `ttl`: milliseconds after which the store may drop it, undefined for never. */
  set(key: string, value: Uint8Array, ttl: number | undefined): Awaitable<unknown>;
  /** Removes `key`; true when it was there. */
  delete(key: string): Awaitable<boolean | undefined | void>;
  /** Whether `key` is stored. Default: a get. */
  has?(key: string): Awaitable<boolean>;
  /** Removes every entry of this tier. Without it, `cache.clear()` fails with ERR_UNAVAILABLE. */
  clear?(): Awaitable<unknown>;
}

export interface CustomTierOptions extends CustomStoreFunctions {
  /** The tier's name in statistics, errors, events and `ttlRules`. */
  name: string;
  /**
   * The longest one call of a function may take: past it, a read is a miss and a write an `error` event, as when
   * the function throws or rejects. Default `'1s'`.
   */
  timeout?: Duration;
  /** Default TTL for entries in this tier. Default: the cache's `ttl`. */
  ttl?: Duration | null;
}

/** A custom tier as the backends receive it: a TierConfig and the functions its driver calls. */
export interface CustomTierConfig extends TierConfig {
  readonly kind: 'custom';
  readonly functions: CustomStoreFunctions;
}

export const DEFAULT_CUSTOM_TIMEOUT = '1s';
const METHODS = ['get', 'set', 'delete'] as const;
const OPTIONAL_METHODS = ['has', 'clear'] as const;

/**
 * A tier over any asynchronous key-value store: `get`, `set` and `delete` (and optionally `has` and `clear`) of
 * bytes by key, as a Map, memcached or a database offers them. The store sees each entry under the 32 hex
 * digits `keyDigest()` gives its key, holding the entry's expiry, key and value; a set also passes the TTL in
 * milliseconds for the store to drop the entry itself. Both builds.
 */
export function custom(options: CustomTierOptions): Tier {
  if (options === null || typeof options !== 'object') {
    throw invalidArg('custom() takes an options object with name, get, set and delete');
  }
  if (typeof options.name !== 'string') throw invalidArg('custom() needs a name');
  for (const method of METHODS) {
    if (typeof options[method] !== 'function') throw invalidArg(`custom() needs a ${method} function`);
  }
  for (const method of OPTIONAL_METHODS) {
    if (options[method] !== undefined && typeof options[method] !== 'function') {
      throw invalidArg(`${method} must be a function when given`);
    }
  }
  const timeoutMs = parseDuration(options.timeout ?? DEFAULT_CUSTOM_TIMEOUT, 'timeout', MAX_TIMER_MS);
  const { get, set, has, clear } = options;
  const remove = options.delete;
  const functions: CustomStoreFunctions = {
    get: (key) => get.call(options, key),
    set: (key, value, ttl) => set.call(options, key, value, ttl),
    delete: (key) => remove.call(options, key),
    ...(has === undefined ? {} : { has: (key: string) => has.call(options, key) }),
    ...(clear === undefined ? {} : { clear: () => clear.call(options) }),
  };
  const tier: CustomTierConfig = {
    kind: 'custom',
    name: tierName(options.name, 'custom'),
    // The store bounds itself; the core wants a budget all the same.
    cacheLimit: Number.MAX_SAFE_INTEGER,
    ttl: parseTtl(options.ttl, 'ttl'),
    settings: { timeoutMs: String(timeoutMs), has: String(has !== undefined) },
    functions,
  };
  return tier;
}

function isCustom(tier: TierConfig): tier is CustomTierConfig {
  return tier.kind === 'custom';
}

/** The answer a function's result makes for its method, or a throw for one it cannot be. */
function answerOf(method: string, result: unknown): unknown {
  if (method !== 'get') return result === true;
  if (result === undefined || result === null) return undefined;
  if (result instanceof Uint8Array) return result;
  throw new TypeError('get must resolve to a Uint8Array, undefined or null');
}

/** Makes a custom tier's calls for its C++ store, one per request, each answered once. */
export class CustomDriver {
  readonly #functions: CustomStoreFunctions;
  readonly #timeoutMs: number;
  readonly #complete: CompleteRequest;
  #channel = 0;
  #closed = false;
  // Calls made and not yet answered, and who waits for there to be none (settled()).
  #inFlight = 0;
  #idle: Array<() => void> = [];

  constructor(functions: CustomStoreFunctions, timeoutMs: number, complete: CompleteRequest) {
    this.#functions = functions;
    this.#timeoutMs = timeoutMs;
    this.#complete = complete;
  }

  // The C++ store's requests (native/node/custom_tier.cc, wasm/custom_store.cc).
  attach(channel: number): void {
    this.#channel = channel;
  }
  get(request: number, key: string): void {
    this.#call(request, 'get', () => this.#functions.get(key));
  }
  set(request: number, key: string, value: Uint8Array, ttl: number | undefined): void {
    this.#call(request, 'set', () => this.#functions.set(key, value, ttl));
  }
  delete(request: number, key: string): void {
    this.#call(request, 'delete', () => this.#functions.delete(key));
  }
  has(request: number, key: string): void {
    this.#call(request, 'has', () => this.#functions.has!(key));
  }
  clear(request: number): void {
    const { clear } = this.#functions;
    this.#call(request, 'clear', () => {
      if (clear === undefined) throw new Error('the tier has no clear function');
      return clear();
    });
  }
  close(): void {
    this.#closed = true;
  }

  /** Resolves once every call made so far has been answered (each within the timeout). */
  settled(): Promise<void> {
    return this.#inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  // Always answers later, never within the C++ call that asked.
  #call(request: number, method: string, work: () => unknown): void {
    this.#inFlight++;
    callWithin(this.#timeoutMs, method, work, (error, result) => {
      if (!this.#closed) this.#complete(this.#channel, request, error, result);
      if (--this.#inFlight === 0) this.#idle.splice(0).forEach((resolve) => resolve());
    });
  }
}

/**
 * One call of a tier's function for `method`, as a custom tier makes it: `work` runs in a microtask (never within
 * its caller), and `answer` is called exactly once, with the answer its result makes (answerOf), or its failure,
 * or a TimeoutError when neither came within `timeoutMs`.
 */
export function callWithin(
  timeoutMs: number, method: string, work: () => unknown, answer: (error: DriverError | null, result?: unknown) => void,
): void {
  let answered = false;
  const once = (error: DriverError | null, result?: unknown) => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    answer(error, result);
  };
  const timer = setTimeout(
    () => once({ name: 'TimeoutError', message: `no answer within the timeout (${timeoutMs} ms)` }),
    timerDelay(timeoutMs),
  );
  Promise.resolve()
    .then(work)
    .then(
      (result) => {
        let answerValue: unknown;
        try {
          answerValue = answerOf(method, result);
        } catch (error) {
          return once(toDriverError(error));
        }
        once(null, answerValue);
      },
      (error: unknown) => once(toDriverError(error)),
    );
}

/** A driver for each custom tier of a cache, by tier name (the builds' store factories look them up there). */
export function openCustomDrivers(
  tiers: readonly TierConfig[], complete: CompleteRequest,
): Record<string, CustomDriver> {
  const drivers: Record<string, CustomDriver> = {};
  for (const tier of tiers) {
    if (!isCustom(tier)) continue;
    drivers[tier.name] = new CustomDriver(tier.functions, Number(tier.settings?.['timeoutMs']), complete);
  }
  return drivers;
}
