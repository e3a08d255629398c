// One subscriber connection per redis() tier (redis.ts), shared by its coherence (redis-coherence.ts) and its
// leases (redis-lease.ts). The first subscription makes it: an ioredis duplicate() of the tier's client, or of a
// Cluster's first master (a PUBLISH reaches every node of a Cluster). The last one, or the tier's close(), ends
// it. ioredis queues a SUBSCRIBE while it connects and subscribes again after a reconnect. Its socket is unref'd:
// a subscription keeps no process alive by itself (a lease's wait has a timer of its own).

/** A subscriber connection, as ioredis's duplicate() makes it. */
export interface SubscriberLike {
  readonly stream?: { unref?(): void };
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'connect' | 'close' | 'error', listener: () => void): unknown;
  disconnect(): void;
}

/** What the subscriber is made from: a single server's client, or a Cluster, whose first master it duplicates. */
export interface SubscriberSource {
  readonly isCluster: boolean;
  nodes?(role: 'master'): SubscriberSource[];
}

/** A single server's client (not a Cluster's, whose duplicate() takes other arguments). */
type ServerClient = SubscriberSource & { duplicate?(options: object): unknown };

/** Who subscribes: told each message on its channels, and that the connection closed (messages may be lost). */
export interface SubscriptionListener {
  message(channel: string, message: string): void;
  lost?(): void;
}

const noop = () => {};
/** The subscriber reconnects at once, then backs off up to a second. */
const retryStrategy = (attempt: number) => Math.min(attempt * 20, 1000);
// disconnectTimeout 0: ioredis would otherwise keep the process alive 2 s after a disconnect while it retries.
const OPTIONS = { lazyConnect: false, enableOfflineQueue: true, retryStrategy, autoResubscribe: true, disconnectTimeout: 0 };

export class TierSubscriber {
  readonly #connection: () => Promise<SubscriberSource>;
  /** Each channel subscribed, and who listens on it. */
  readonly #channels = new Map<string, SubscriptionListener>();
  #subscriber: SubscriberLike | undefined;

  constructor(connection: () => Promise<SubscriberSource>) {
    this.#connection = connection;
  }

  /**
   * Subscribes `listener` to `channels`; resolves once the server has. Rejects when it could not (no connection,
   * or the channels were unsubscribed meanwhile): calling again tries again.
   */
  async subscribe(listener: SubscriptionListener, channels: string[]): Promise<void> {
    for (const channel of channels) this.#channels.set(channel, listener);
    const subscriber = await this.#connect();
    if (subscriber === undefined || channels.some((channel) => this.#channels.get(channel) !== listener)) {
      throw new Error('not subscribed');
    }
    await subscriber.subscribe(...channels);
  }

  /** Ends the subscriptions to `channels`; the connection ends with the last. */
  unsubscribe(channels: string[]): void {
    for (const channel of channels) this.#channels.delete(channel);
    if (this.#channels.size === 0) this.close();
    else this.#subscriber?.unsubscribe(...channels).catch(noop);
  }

  /** Ends the connection (the tier closed, or nothing listens). */
  close(): void {
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
  }

  async #connect(): Promise<SubscriberLike | undefined> {
    if (this.#subscriber !== undefined) return this.#subscriber;
    const client = await this.#connection();
    if (this.#subscriber !== undefined) return this.#subscriber; // made by another subscribe meanwhile
    const base: ServerClient | undefined = client.isCluster ? client.nodes?.('master')[0] : client;
    if (base?.duplicate === undefined || this.#channels.size === 0) return undefined; // none yet, or ended
    const subscriber = base.duplicate(OPTIONS) as SubscriberLike;
    subscriber.on('error', noop); // a lost connection shows as a close
    subscriber.on('connect', () => subscriber.stream?.unref?.());
    subscriber.on('close', () => {
      if (this.#subscriber === subscriber) new Set(this.#channels.values()).forEach((listener) => listener.lost?.());
    });
    subscriber.on('message', (channel, message) => this.#channels.get(channel)?.message(channel, message));
    this.#subscriber = subscriber;
    return subscriber;
  }
}
