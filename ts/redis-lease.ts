// Single flight across processes for getOrSet over a redis() tier. The process that misses a key first takes its
// lease (SET NX PX), loads, stores the value through its cache (so into Redis), then deletes the lease if still
// its own and publishes the key's name on the prefix's channel. The others wait for that message or the lease's
// expiry, read the value through their caches, and take the lease themselves when none landed (its holder's loader
// failed, or it died). A holder renews its lease while its loader runs, so a slow loader runs once and a dead
// holder's lease ends within the lease timeout. Every command is bounded by the tier's timeout and any failure lets
// the caller load on its own: a cache never waits on Redis for longer than that to load.
import { createHash, randomUUID } from 'node:crypto';

import { invalidArg } from './errors.js';
import type { FlightLease, LoadCoordinator, Reread } from './flight-lease.js';
import { closedError } from './open-calls.js';
import type { TierSubscriber } from './redis-subscriber.js';
import { type Duration, MAX_TIMER_MS, parseDuration } from './units.js';

export interface RedisLeaseOptions {
  /**
   * How long a lease lasts without renewal: how soon another process loads a key after the one loading it died.
   * Default `'5s'`.
   */
  timeout?: Duration;
}

/** What leases use of an ioredis `Redis` or `Cluster` client. */
export interface LeaseClient {
  readonly isCluster: boolean;
  eval(script: string, keys: number, ...args: Array<string | number | Buffer>): Promise<unknown>;
}

/** What the redis() tier gives its coordinator. */
export interface LeaseTier {
  prefix: string;
  timeoutMs: number;
  connection(): Promise<LeaseClient>;
  /** The tier's subscriber connection, where a released lease's name is published. */
  subscriber: TierSubscriber;
}

const DEFAULT_LEASE_TIMEOUT = '5s';
/** How long the subscription outlives the last wait: waits come in bursts, and a process exits soon after one. */
const IDLE_MS = 1000;
/** A waiter wakes this long after the lease's expiry it was told, so that the server has dropped it by then. */
const EXPIRY_SLACK_MS = 5;

const ACQUIRED = 'acquired';
/**
 * KEYS[1] the lease, ARGV the token and milliseconds: ACQUIRED, or the holder's lease's milliseconds left. A lease
 * without an expiry (not one of ours) is given one, so that no wait for it lasts for ever.
 */
const ACQUIRE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return '${ACQUIRED}' end
local left = redis.call('PTTL', KEYS[1])
if left >= 0 then return left end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return tonumber(ARGV[2])`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
/** Published even when the lease was no longer this holder's: its value landed all the same. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return redis.call('PUBLISH', ARGV[2], ARGV[3])`;

/** The coordinator `options` ask for (none for `false`), or ERR_INVALID_ARG. */
export function redisLeases(options: RedisLeaseOptions | false | undefined, tier: LeaseTier): RedisLeases | undefined {
  if (options === false) return undefined;
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw invalidArg("lease must be an options object, as in { timeout: '5s' }, or false");
  }
  const leaseMs = parseDuration(options?.timeout ?? DEFAULT_LEASE_TIMEOUT, 'lease.timeout', MAX_TIMER_MS);
  return new RedisLeases(tier, leaseMs);
}

/** A lease's name: one per key of each namespace, the same in every process and build. */
export const leaseName = (namespace: string, key: string) =>
  createHash('sha256').update(JSON.stringify([namespace, key])).digest('hex').slice(0, 32);

/** `work`, or a rejection once `ms` have passed. */
function within<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** The leases of one redis() tier, and the subscription that tells its waiters when a lease is let go. */
export class RedisLeases implements LoadCoordinator {
  readonly leaseMs: number;
  readonly #tier: LeaseTier;
  readonly #channel: string;
  /** Who waits on each lease name: woken when it is let go. */
  readonly #waiting = new Map<string, Set<() => void>>();
  readonly #listener = {
    message: (_channel: string, name: string) => this.#waiting.get(name)?.forEach((wake) => wake()),
  };
  #subscribed: Promise<void> | undefined;
  #idle: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(tier: LeaseTier, leaseMs: number) {
    this.#tier = tier;
    this.leaseMs = leaseMs;
    this.#channel = `${tier.prefix}lease`;
  }

  lease(namespace: string, key: string): FlightLease {
    return new KeyLease(this, leaseName(namespace, key));
  }

  /** ACQUIRED, the milliseconds left of another's lease, or undefined when Redis did not answer in time. */
  async acquire(name: string, token: string): Promise<typeof ACQUIRED | number | undefined> {
    const answer = await this.#run(ACQUIRE, name, token, this.leaseMs);
    return answer === ACQUIRED || typeof answer === 'number' ? answer : undefined;
  }

  renew(name: string, token: string): void {
    void this.#run(RENEW, name, token, this.leaseMs);
  }

  release(name: string, token: string): void {
    void this.#run(RELEASE, name, token, this.#channel, name);
  }

  /**
   * Calls `wake` whenever the lease `name` is let go, from when this resolves: once subscribed, or once that
   * failed or took longer than the tier's timeout (waits then end by the lease's expiry alone). Returns what stops
   * it.
   */
  async listen(name: string, wake: () => void): Promise<() => void> {
    clearTimeout(this.#idle);
    let wakers = this.#waiting.get(name);
    if (wakers === undefined) this.#waiting.set(name, (wakers = new Set()));
    wakers.add(wake);
    await this.#subscribe().catch(() => undefined);
    return () => {
      wakers.delete(wake);
      if (wakers.size === 0) this.#waiting.delete(name);
      if (this.#waiting.size > 0 || this.#closed) return;
      this.#idle = setTimeout(() => this.#unsubscribe(), IDLE_MS);
      this.#idle.unref?.();
    };
  }

  /** Ends the subscription and every wait (which then loads, as with Redis down); held leases end by timeout. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#idle);
    this.#unsubscribe();
    for (const wakers of this.#waiting.values()) wakers.forEach((wake) => wake());
  }

  /** A script on the lease `name`, its answer, or undefined when it failed or took longer than the timeout. */
  async #run(script: string, name: string, ...args: Array<string | number>): Promise<unknown> {
    if (this.#closed) return undefined;
    const key = `${this.#tier.prefix}lease:${name}`;
    const call = this.#tier.connection().then((client) => client.eval(script, 1, key, ...args));
    return within(call, this.#tier.timeoutMs).catch(() => undefined);
  }

  /** A lost subscription only makes waits last until the lease's expiry. */
  #subscribe(): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    const { subscriber, timeoutMs } = this.#tier;
    this.#subscribed ??= within(subscriber.subscribe(this.#listener, [this.#channel]), timeoutMs).catch((error) => {
      this.#unsubscribe(); // the next wait tries again
      throw error;
    });
    return this.#subscribed;
  }

  #unsubscribe(): void {
    this.#tier.subscriber.unsubscribe([this.#channel]);
    this.#subscribed = undefined;
  }
}

/** One process's lease on one key, for one load. */
class KeyLease implements FlightLease {
  readonly #leases: RedisLeases;
  readonly #name: string;
  readonly #token = randomUUID();
  #held = false;
  #ended = false;
  #renewal: ReturnType<typeof setInterval> | undefined;
  #alarm = new Alarm();

  constructor(leases: RedisLeases, name: string) {
    this.#leases = leases;
    this.#name = name;
  }

  async acquire(reread: Reread): Promise<Uint8Array | undefined> {
    let stopListening: (() => void) | undefined;
    try {
      for (;;) {
        const answer = await this.#leases.acquire(this.#name, this.#token);
        if (answer === ACQUIRED) return await this.#hold(reread);
        if (this.#ended) throw closedError();
        if (answer === undefined) return await reread(); // Redis down or slow: load here, as without a lease
        if (stopListening === undefined) {
          // Listen first, then ask again: a release between the two asks is heard rather than waited out.
          stopListening = await this.#leases.listen(this.#name, this.#alarm.ring);
          continue;
        }
        await this.#alarm.wait(Math.min(answer, this.#leases.leaseMs) + EXPIRY_SLACK_MS);
        const hit = await reread();
        if (this.#ended) throw closedError();
        if (hit !== undefined) return hit;
      }
    } finally {
      stopListening?.();
    }
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#alarm.ring();
    this.#release();
  }

  /**
   * Holds the lease, renewed thrice per lease timeout so that one late renewal does not let it lapse under a
   * loader still running; then reads again, since a holder that let it go just before has stored its value.
   */
  async #hold(reread: Reread): Promise<Uint8Array | undefined> {
    this.#held = true;
    this.#renewal = setInterval(() => this.#leases.renew(this.#name, this.#token), this.#leases.leaseMs / 3);
    this.#renewal.unref?.();
    const hit = this.#ended ? undefined : await reread();
    if (this.#ended) {
      this.#release();
      throw closedError();
    }
    if (hit !== undefined) this.#release();
    return hit;
  }

  #release(): void {
    if (!this.#held) return;
    this.#held = false;
    clearInterval(this.#renewal);
    this.#leases.release(this.#name, this.#token);
  }
}

/** A wait that a timer or `ring` ends; a ring while nobody waits ends the next wait at once. */
class Alarm {
  #rung = false;
  #stop: (() => void) | undefined;

  readonly ring = (): void => {
    this.#rung = true;
    this.#stop?.();
  };

  async wait(ms: number): Promise<void> {
    if (!this.#rung) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.#stop = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.#rung = false;
    this.#stop = undefined;
  }
}
