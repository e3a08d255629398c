// Coherent RAM tiers over a redis() tier, across processes. Each write to the tier (a set, whether the caller's or
// a write-back demotion, a delete) is announced by the same script as the write (Redis runs a script whole):
// PUBLISH on the prefix's channel of `<origin> <key digest>`, so a write that lands is always announced; a clear()
// is announced once done (`<origin> *`). Every cache opened with the tier and RAM tiers above it hears the
// announcements on the tier's subscriber connection (redis-subscriber.ts) and drops its copies
// (CoreHandle.forgetAbove).
//
// The bound: a copy older than a change is not served later than `boundMs` after the change landed. Every half
// bound, a heartbeat is published on this tier object's own channel and must come back on the subscriber before
// the next; the server delivers a connection's messages in order, so a heartbeat back proves that every change
// published before it was delivered. While heartbeats do not come back, or once the subscriber's connection closed
// (messages may have been lost), the tiers above are emptied every half bound, until a heartbeat comes back on a
// working subscription, which empties them once more.
import { Buffer } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';

import type { TierSubscriber } from './redis-subscriber.js';
import type { Forget } from './shared-tiers.js';


/** What coherence uses of the tier's client (a Redis, or a Cluster whose first master it subscribes on). */
export interface CoherenceClient {
  readonly isCluster: boolean;
  evalsha(sha: string, keys: number, ...args: Array<string | number | Buffer>): Promise<unknown>;
  eval(script: string, keys: number, ...args: Array<string | number | Buffer>): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
}

const noop = () => {};

/**
 * A write and its announcement, as one script: one command and one reply, where a MULTI of the two costs four
 * of each (and ioredis a pipeline object); a Cluster routes it by its one key. KEYS[1] the entry; ARGV the
 * channel, the message, then for SET the bytes and the milliseconds ('' for no expiry).
 */
const SET = `if ARGV[4] == '' then redis.call('SET', KEYS[1], ARGV[3])
else redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4]) end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1`;
/** The number of entries removed. */
const UNLINK = `local removed = redis.call('UNLINK', KEYS[1])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return removed`;

type Script = { text: string; sha: string };
const script = (text: string): Script => ({ text, sha: createHash('sha1').update(text).digest('hex') });
const SCRIPTS = { set: script(SET), unlink: script(UNLINK) };

/** Runs a script by its SHA-1, sending its text once the server does not know it (a new or restarted server). */
async function run(client: CoherenceClient, { text, sha }: Script, ...args: Array<string | number | Buffer>) {
  try {
    return await client.evalsha(sha, 1, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return client.eval(text, 1, ...args);
  }
}

export class RedisCoherence {
  readonly #origin = randomBytes(8).toString('hex');
  readonly #changes: string;
  readonly #beats: string;
  readonly #periodMs: number;
  readonly #connection: () => Promise<CoherenceClient>;
  readonly #subscriber: TierSubscriber;
  readonly #listener = { message: this.#heard.bind(this), lost: this.#lost.bind(this) };
  /** Every cache open with the tier, and how it drops its copies (undefined: nothing above the tier). */
  readonly #caches = new Set<{ forget: Forget | undefined }>();
  #subscribing = false;
  #subscribed = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #beat = 0;
  #awaiting: number | undefined; // the heartbeat sent and not yet back
  #healthy = false;

  constructor(
    prefix: string, boundMs: number, connection: () => Promise<CoherenceClient>, subscriber: TierSubscriber,
  ) {
    this.#changes = `${prefix}changes`;
    this.#beats = `${prefix}beat:${this.#origin}`;
    this.#periodMs = boundMs / 2;
    this.#connection = connection;
    this.#subscriber = subscriber;
  }

  /** SET with its announcement; `ttl`: ms, undefined for none. */
  async set(client: CoherenceClient, entry: string, digest: string, bytes: Buffer, ttl: number | undefined) {
    await run(client, SCRIPTS.set, entry, this.#changes, this.#announcement(digest), bytes, ttl ?? '');
    this.#changedHere(digest);
  }

  /** UNLINK with its announcement: whether the entry was there. */
  async unlink(client: CoherenceClient, entry: string, digest: string): Promise<boolean> {
    const removed = await run(client, SCRIPTS.unlink, entry, this.#changes, this.#announcement(digest));
    this.#changedHere(digest);
    return (removed as number) > 0;
  }

  #announcement(digest: string): string {
    return `${this.#origin} ${digest}`;
  }

  /** Announces a clear() that has removed every entry. */
  async cleared(client: CoherenceClient): Promise<void> {
    await client.publish(this.#changes, `${this.#origin} *`);
    this.#changedHere(undefined);
  }

  /** Registers a cache opened with the tier (SharedTierWatch). */
  watch(forget: Forget | undefined): () => void {
    const cache = { forget };
    this.#caches.add(cache);
    if (forget !== undefined && this.#timer === undefined) this.#start();
    return () => {
      this.#caches.delete(cache);
      if (![...this.#caches].some((each) => each.forget !== undefined)) this.stop();
    };
  }

  /** Ends the subscriber and the heartbeats (the last cache with tiers above closed, or the tier did). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#subscriber.unsubscribe([this.#changes, this.#beats]);
    this.#subscribed = false;
    this.#awaiting = undefined;
    this.#healthy = false;
  }

  #start(): void {
    this.#timer = setInterval(() => this.#tick(), this.#periodMs);
    this.#timer.unref?.();
    this.#tick();
  }

  #tick(): void {
    if (this.#awaiting !== undefined) this.#healthy = false; // the last heartbeat is a period late
    if (!this.#healthy) this.#forget(undefined);
    if (!this.#subscribed && !this.#subscribing) void this.#listen();
    const beat = ++this.#beat;
    this.#awaiting = beat;
    this.#connection()
      .then((client) => client.publish(this.#beats, String(beat)))
      .catch(noop); // not back by the next tick, which is what counts
  }

  /** Subscribes to the changes and this tier object's heartbeats; until it has, each tick tries again. */
  async #listen(): Promise<void> {
    this.#subscribing = true;
    try {
      await this.#subscriber.subscribe(this.#listener, [this.#changes, this.#beats]);
      if (this.#timer !== undefined) this.#subscribed = true; // ioredis subscribes again on reconnects
    } catch {
      // the next tick tries again
    } finally {
      this.#subscribing = false;
    }
  }

  /** The subscriber's connection closed: what was published until it is back is lost. */
  #lost(): void {
    if (this.#timer === undefined) return;
    this.#healthy = false;
    this.#forget(undefined);
  }

  #heard(channel: string, message: string): void {
    if (channel === this.#beats) {
      if (Number(message) !== this.#awaiting) return;
      this.#awaiting = undefined;
      if (!this.#healthy) this.#forget(undefined); // what was published before the subscription worked
      this.#healthy = true;
      return;
    }
    const space = message.indexOf(' ');
    const origin = message.slice(0, space);
    const digest = message.slice(space + 1);
    // This process's own changes reached its other caches when they were made (#changedHere).
    if (space < 0 || origin === this.#origin) return;
    if (digest === '*') this.#forget(undefined);
    else if (/^[0-9a-f]{32}$/.test(digest)) this.#forget(digest);
  }

  /**
   * A change made through this tier object: its other caches in this process drop their copies now. With a
   * single cache, that cache made it (and holds the new value).
   */
  #changedHere(digest: string | undefined): void {
    if (this.#caches.size > 1) this.#forget(digest);
  }

  #forget(digest: string | undefined): void {
    for (const { forget } of this.#caches) forget?.(digest);
  }
}
