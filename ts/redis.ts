// The redis() tier (Node build): a Redis server or Redis Cluster, through ioredis, as a custom() tier. Entries are
// bytes under `prefix` with PX expiries, so the server drops them itself; eviction is the server's
// maxmemory-policy. ioredis is an optional peer dependency, loaded only when a tier makes its own client.
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';

import { custom, DEFAULT_CUSTOM_TIMEOUT, type CustomTierOptions } from './custom.js';
import { invalidArg, StrataError } from './errors.js';
import { moduleUrl } from './module-url.js';
import { type CoherenceClient, RedisCoherence } from './redis-coherence.js';
import { type LeaseClient, type RedisLeaseOptions, redisLeases } from './redis-lease.js';
import { type SubscriberSource, TierSubscriber } from './redis-subscriber.js';
import type { Tier, TierHooks } from './tiers.js';
import { type Duration, MAX_TIMER_MS, parseDuration } from './units.js';

/** What the tier uses of an ioredis `Redis` or `Cluster` client. */
export interface RedisClientLike extends CoherenceClient, LeaseClient, SubscriberSource {
  readonly isCluster: boolean;
  getBuffer(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer): Promise<unknown>;
  set(key: string, value: Buffer, px: 'PX', milliseconds: number): Promise<unknown>;
  unlink(...keys: string[]): Promise<number>;
  exists(key: string): Promise<number>;
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', size: number): Promise<[string, string[]]>;
  /** Cluster clients only: one client per master. */
  nodes?(role: 'master'): RedisClientLike[];
  /** A single server's clients only: the socket to it. */
  readonly stream?: { cork(): void; uncork(): void };
  quit(): Promise<unknown>;
  disconnect(): void;
}

export type RedisTierOptions = Pick<CustomTierOptions, 'timeout' | 'ttl'> & {
  /** A server's address, as `redis://[user:password@]host:port/db`; the tier makes and owns its client. */
  url?: string;
  /** An ioredis `Redis` or `Cluster` client of your own (stays yours: the tier never closes it). */
  client?: RedisClientLike;
  /** Put before every key this tier stores; `clear()` removes only keys under it. Default `'strata:'`. */
  prefix?: string;
  /** Name in statistics, errors and events. Default `'redis'`. */
  name?: string;
  /**
   * getOrSet runs each key's loader once across every process that misses it together, under a lease in Redis
   * (`{ timeout }`: see RedisLeaseOptions). Default on; `false` turns it off.
   */
  lease?: RedisLeaseOptions | false;
  /**
   * Keep the RAM tiers above this tier, in every process, from serving a copy older than a change made through it
   * anywhere (see redis-coherence.ts). Default true.
   */
  coherent?: boolean;
  /** How long after a change a RAM tier above may still serve an older copy, at most. Default `'1s'`. */
  coherenceBound?: Duration;
};

/** A redis() tier; `close()` ends the connections the tier made (its client from `url`, its subscriber). */
export type RedisTier = Tier & { close(): Promise<void> };

const DEFAULT_PREFIX = 'strata:';
const DEFAULT_COHERENCE_BOUND = '1s';
/** Heartbeats go every half bound: more often than every 25 ms is not worth a bound. */
const MIN_COHERENCE_BOUND_MS = 50;
/** Keys a SCAN step asks for and an UNLINK removes at once. */
const CLEAR_BATCH = 1000;

/** A SCAN MATCH pattern for the keys that start with `prefix`, its glob characters escaped. */
const prefixPattern = (prefix: string) => `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;

/**
 * Holds a server's socket corked until the tick's microtasks have run, so that the commands of the calls in
 * flight together leave in one write rather than a system call each (node-redis batches its writes likewise); a
 * lone call waits for no more than the end of its tick. A Cluster client has no one socket, and is left as it is.
 */
function tickBatcher(): (client: RedisClientLike) => RedisClientLike {
  let corked = false;
  return (client) => {
    const { stream } = client;
    if (corked || stream === undefined) return client;
    corked = true;
    stream.cork();
    process.nextTick(() => {
      corked = false;
      stream.uncork();
    });
    return client;
  };
}

type Ioredis = typeof import('ioredis');

/** ioredis, from beside this package (see module-url.ts); ERR_MISSING_LIBRARY when it is not installed. */
function loadIoredis(): Ioredis {
  const require = createRequire(moduleUrl());
  let path: string;
  try {
    path = require.resolve('ioredis');
  } catch (error) {
    throw new StrataError('ERR_MISSING_LIBRARY', 'redis({ url }) needs ioredis: npm install ioredis', { cause: error });
  }
  return require(path) as Ioredis;
}

/**
 * A client of its own for `url`. A dead server fails each call at once rather than queueing it (no offline
 * queue, no retries of a command), and each command is bounded by `timeoutMs`; the connection itself is
 * retried in the background, so the tier recovers when the server returns.
 */
async function connectTo(Redis: Ioredis['Redis'], url: string, timeoutMs: number): Promise<RedisClientLike> {
  const client = new Redis(url, {
    lazyConnect: true,
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(timeoutMs, 1000),
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 50, 1000),
    disconnectTimeout: 0, // else a disconnect while it retries keeps the process alive 2 s
  });
  client.on('error', () => {}); // failures reach the cache as misses and error events, call by call
  await client.connect().catch(() => undefined); // down at open: calls fail until the retries reach it
  return client;
}

/**
 * Removes every key under `prefix` from one server, a SCAN page at a time. A Cluster master refuses an UNLINK of
 * keys in different slots, so there each key goes alone (all of a page sent at once).
 */
async function clearNode(node: RedisClientLike, prefix: string, inCluster: boolean): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', prefixPattern(prefix), 'COUNT', CLEAR_BATCH);
    cursor = next;
    if (keys.length === 0) continue;
    if (!inCluster) await node.unlink(...keys);
    else await Promise.all(keys.map((key) => node.unlink(key)));
  } while (cursor !== '0');
}

/**
 * A tier on Redis (or Valkey), on one server from `url` or on an ioredis `Redis` or `Cluster` client. Reads are
 * misses and writes `error` events while the server is down or slower than `timeout` (default 1s).
 */
export function redis(options: RedisTierOptions): RedisTier {
  if (options === null || typeof options !== 'object') throw invalidArg('redis() takes an options object');
  const { url, client: given } = options;
  if ((url === undefined) === (given === undefined)) throw invalidArg('redis() needs either a url or a client');
  if (url !== undefined && typeof url !== 'string') throw invalidArg('url must be a string');
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string') throw invalidArg('prefix must be a string');
  const timeoutMs = parseDuration(options.timeout ?? DEFAULT_CUSTOM_TIMEOUT, 'timeout', MAX_TIMER_MS);
  const subscriber = new TierSubscriber(() => connection());
  const coherence = coherenceOf(options, prefix, () => connection(), subscriber);
  const ioredis = url === undefined ? undefined : loadIoredis();
  let connecting: Promise<RedisClientLike> | undefined = given === undefined ? undefined : Promise.resolve(given);
  let connected = given; // once `connecting` has resolved: lets a read skip awaiting it
  const batched = tickBatcher();
  let closed = false;
  // A closed tier makes no new client: its calls fail (misses and error events) rather than reconnect.
  const connection = async () => {
    if (closed) throw new StrataError('ERR_CLOSED', 'the redis() tier is closed');
    connecting ??= connectTo(ioredis!.Redis, url!, timeoutMs).then((client) => (connected = client));
    return batched(await connecting);
  };
  const read = (name: string) => {
    if (closed || connected === undefined) return connection().then((client) => client.getBuffer(prefix + name));
    return batched(connected).getBuffer(prefix + name);
  };
  const lease = redisLeases(options.lease, { prefix, timeoutMs, connection, subscriber });

  const tier = custom({
    name: options.name ?? 'redis',
    timeout: timeoutMs,
    ...(options.ttl === undefined ? {} : { ttl: options.ttl }),
    get: read,
    set: async (key, value, ttl) => {
      const client = await connection();
      const entry = prefix + key;
      // ioredis sends a Buffer as bytes but any other Uint8Array as text (the wasm build's values are those).
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      // PX takes a positive whole number of milliseconds: round up, so the server never drops an entry early.
      const px = ttl === undefined ? undefined : Math.max(1, Math.ceil(ttl));
      if (coherence !== undefined) await coherence.set(client, entry, key, bytes, px);
      else if (px === undefined) await client.set(entry, bytes);
      else await client.set(entry, bytes, 'PX', px);
    },
    delete: async (key) => {
      const client = await connection();
      if (coherence !== undefined) return coherence.unlink(client, prefix + key, key);
      return (await client.unlink(prefix + key)) > 0;
    },
    has: async (key) => (await (await connection()).exists(prefix + key)) > 0,
    clear: async () => {
      const client = await connection();
      const masters = client.isCluster ? client.nodes!('master') : [client];
      await Promise.all(masters.map((node) => clearNode(node, prefix, client.isCluster)));
      await coherence?.cleared(client);
    },
  });
  const close = async () => {
    closed = true;
    lease?.close();
    coherence?.stop();
    subscriber.close();
    if (given !== undefined || connecting === undefined) return;
    const client = await connecting;
    connecting = undefined;
    connected = undefined;
    await client.quit().catch(() => client.disconnect()); // no server to say goodbye to: just drop the socket
  };
  const hooks: TierHooks = {
    read,
    ...(coherence === undefined ? {} : { watch: coherence.watch.bind(coherence) }),
    ...(lease === undefined ? {} : { lease }),
  };
  return Object.defineProperty({ ...tier, hooks }, 'close', { value: close }) as RedisTier;
}

/** The tier's coherence (redis-coherence.ts), unless `coherent: false`. */
function coherenceOf(
  options: RedisTierOptions, prefix: string, connection: () => Promise<RedisClientLike>, subscriber: TierSubscriber,
): RedisCoherence | undefined {
  const { coherent = true } = options;
  if (typeof coherent !== 'boolean') throw invalidArg('coherent must be true or false');
  const bound = options.coherenceBound ?? DEFAULT_COHERENCE_BOUND;
  const boundMs = parseDuration(bound, 'coherenceBound', MAX_TIMER_MS);
  if (boundMs < MIN_COHERENCE_BOUND_MS) throw invalidArg(`coherenceBound must be at least ${MIN_COHERENCE_BOUND_MS}ms`);
  return coherent ? new RedisCoherence(prefix, boundMs, connection, subscriber) : undefined;
}
