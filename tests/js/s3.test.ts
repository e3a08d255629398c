// The s3() tier against a real S3-protocol server (s3rver behind a SigV4-checking, request-counting proxy):
// what the contract suite cannot say — the object layout other S3 clients see, requests saved, the circuit
// breaker, credentials and buckets refused at open, clean(). The contract cases themselves run in contract.test.ts.
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { jest } from '@jest/globals';
import { Worker } from 'node:worker_threads';

import { readFileSync, writeFileSync } from 'node:fs';

import { Cache, type CacheErrorEvent, keyDigest, ram, s3, type S3TierOptions } from '../../dist/node.js';
import * as wasmEntry from '../../dist/wasm.js';
import { text } from './backends.js';
import { BUCKET, CREDENTIALS, freshPrefix, S3Server, useS3Server } from './s3-server.js';

const server = useS3Server();
const tier = (prefix: string, options: Partial<S3TierOptions> = {}) => s3({ ...server().tier(prefix), ...options });
const base64 = (value: string) => Buffer.from(value, 'utf8').toString('base64');

function sdk(): S3Client {
  return new S3Client({ region: 'us-east-1', endpoint: server().endpoint, forcePathStyle: true, credentials: CREDENTIALS });
}

/** The names of the objects under a prefix, as another S3 client lists them. */
async function objectNames(prefix: string): Promise<string[]> {
  const listing = await sdk().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
  return (listing.Contents ?? []).map((object) => object.Key!);
}

/** Requests the server answered while `work` ran. */
async function requestsDuring(work: () => Promise<unknown>): Promise<number> {
  const before = (await server().stats()).verified;
  await work();
  return (await server().stats()).verified - before;
}

describe('objects as other S3 clients see them', () => {
  test('one object per entry, named by the key digest under the prefix, with key and expiry in its metadata', async () => {
    const prefix = freshPrefix('interop');
    await using cache = await Cache.open({ tiers: [tier(prefix)] });
    const before = Date.now();
    await cache.set('ключ/1', 'value bytes', { ttl: '1h' });
    await cache.set('forever', 'x', { ttl: null });

    const names = await objectNames(prefix);
    expect(names).toHaveLength(2);
    for (const name of names) expect(name).toMatch(new RegExp(`^${prefix}/[0-9a-f]{32}$`));
    const heads = await Promise.all(names.map((Key) => sdk().send(new HeadObjectCommand({ Bucket: BUCKET, Key }))));
    const byKey = new Map(heads.map((head, i) => [Buffer.from(head.Metadata!['strata-key']!, 'base64').toString(), { head, name: names[i]! }]));
    const entry = byKey.get('ключ/1')!;
    const expires = Number(entry.head.Metadata!['strata-expires']);
    expect(expires).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(byKey.get('forever')!.head.Metadata!['strata-expires']).toBe('never');
    const body = await sdk().send(new GetObjectCommand({ Bucket: BUCKET, Key: entry.name }));
    expect(await body.Body!.transformToString()).toBe('value bytes');
  });

  test('an object holding another key, or past its expiry, is a miss', async () => {
    const prefix = freshPrefix('foreign');
    await using cache = await Cache.open({ tiers: [tier(prefix)] });
    await cache.set('mine', 'v');
    await cache.set('stale', 'v');
    const [mine, stale] = await Promise.all(['mine', 'stale'].map(async (key) => {
      const names = await objectNames(prefix);
      for (const name of names) {
        const head = await sdk().send(new HeadObjectCommand({ Bucket: BUCKET, Key: name }));
        if (head.Metadata!['strata-key'] === base64(key)) return name;
      }
      throw new Error(`no object for ${key}`);
    }));
    // Another writer puts a different key at the same name (as a digest collision would), and an expired entry.
    await sdk().send(new PutObjectCommand({ Bucket: BUCKET, Key: mine, Body: 'theirs', Metadata: { 'strata-key': base64('other'), 'strata-expires': 'never' } }));
    await sdk().send(new PutObjectCommand({ Bucket: BUCKET, Key: stale, Body: 'old', Metadata: { 'strata-key': base64('stale'), 'strata-expires': String(Date.now() - 1) } }));
    expect(await cache.get('mine')).toBeUndefined();
    expect(await cache.has('mine')).toBe(false);
    expect(await cache.delete('mine')).toBe(false);
    expect(await objectNames(prefix)).toContain(mine); // the other key's object is left alone
    const expired: string[] = [];
    cache.on('expire', (event) => expired.push(`${event.tier} ${event.key} ${event.reason}`));
    expect(await cache.get('stale')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 20)); // events arrive through the event loop
    expect(expired).toEqual(['s3 stale read']);
    expect(await objectNames(prefix)).toContain(stale); // left for a write or clean(): a delete could race a set
  });
});

describe('requests', () => {
  test('a hit in S3 is promoted into RAM, and repeated gets then make no request at all', async () => {
    const prefix = freshPrefix('promote');
    {
      await using writer = await Cache.open({ tiers: [tier(prefix)] });
      await writer.set('k', 'from s3');
    }
    await using cache = await Cache.open({ tiers: [ram(), tier(prefix)] });
    expect(cache.getSync('k')).toBeUndefined();
    expect(text(await cache.get('k'))).toBe('from s3');
    const [hot, cold] = cache.stats().tiers;
    expect([hot!.misses, cold!.hits]).toEqual([2, 1]); // getSync's miss, then get's
    expect(text(cache.getSync('k'))).toBe('from s3');
    const requests = await requestsDuring(async () => {
      for (let i = 0; i < 100; i++) expect(text(await cache.get('k'))).toBe('from s3');
    });
    expect(requests).toBe(0);
    expect(cache.stats().tiers[0]!.hits).toBe(101);
  });

  test('concurrent misses for one key make one GET', async () => {
    const prefix = freshPrefix('flight');
    {
      await using writer = await Cache.open({ tiers: [tier(prefix)] });
      await writer.set('shared', 'v');
    }
    await using cache = await Cache.open({ tiers: [ram(), tier(prefix)] });
    let values: Array<Uint8Array | undefined> = [];
    const requests = await requestsDuring(async () => {
      values = await Promise.all(Array.from({ length: 20 }, () => cache.get('shared')));
    });
    expect(values.map(text)).toEqual(Array(20).fill('v'));
    expect(requests).toBe(1);
    const absent = await requestsDuring(() => Promise.all(Array.from({ length: 20 }, () => cache.get('absent'))));
    expect(absent).toBe(1);
  });

  test('concurrent sets of one key with the same value make one PUT; a different value its own', async () => {
    await using cache = await Cache.open({ tiers: [ram(), tier(freshPrefix('set-flight'))] });
    const value = new Uint8Array(2048).fill(9);
    const same = await requestsDuring(() => Promise.all(Array.from({ length: 20 }, () => cache.set('k', value.slice()))));
    expect(same).toBe(1);
    const mixed = await requestsDuring(() => Promise.all([cache.set('k', 'a'), cache.set('k', 'b'), cache.set('k', 'a')]));
    expect(mixed).toBe(3);
    expect(text(await cache.get('k'))).toBe('a');
  });
});

describe('checked bytes', () => {
  /** Changes one byte of the object's bytes where s3rver keeps them: same length, same ETag. */
  function flipByte(name: string, at: number): void {
    const file = server().objectFile(name);
    const bytes = readFileSync(file);
    bytes[at] ^= 0x01;
    writeFileSync(file, bytes);
  }
  const pattern = (size: number) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
  const nextEvents = () => new Promise((resolve) => setTimeout(resolve, 50));

  test.each([
    ['a small value', 1000],
    ['a value uploaded in parts', 17 * 2 ** 20],
  ])('%s altered in the bucket is a miss and an ERR_CORRUPT event, never promoted', async (_what, size) => {
    const prefix = freshPrefix('corrupt');
    const value = pattern(size);
    const uploadsBefore = (await server().stats()).operations['POST'] ?? 0;
    {
      await using writer = await Cache.open({ tiers: [tier(prefix)] });
      await writer.set('k', value);
    }
    const multipart = (await server().stats()).operations['POST'] ?? 0;
    expect(multipart > uploadsBefore).toBe(size > 16 * 2 ** 20);
    const name = `${prefix}/${keyDigest('k')}`;
    flipByte(name, size - 7);
    await using cache = await Cache.open({ tiers: [ram(), tier(prefix)] });
    const events: CacheErrorEvent[] = [];
    cache.on('error', (event) => events.push(event));
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.getSync('k')).toBeUndefined();
    await nextEvents();
    expect(events).toMatchObject([{ tier: 's3', key: 'k', error: { code: 'ERR_CORRUPT', retryable: false } }]);
    expect(events[0]!.error.message).toContain('do not match the digest stored with them');

    await cache.set('k', value); // a write replaces the damaged object
    await using reader = await Cache.open({ tiers: [tier(prefix)] });
    expect(Buffer.from((await reader.get('k'))!).equals(value)).toBe(true);
  });

  test('an object written before digests were stored is checked against its ETag (an MD5)', async () => {
    const prefix = freshPrefix('legacy');
    const name = `${prefix}/${keyDigest('old')}`;
    const metadata = { 'strata-key': base64('old'), 'strata-expires': 'never' };
    await sdk().send(new PutObjectCommand({ Bucket: BUCKET, Key: name, Body: 'written long ago', Metadata: metadata }));
    {
      await using reader = await Cache.open({ tiers: [tier(prefix)] });
      expect(text(await reader.get('old'))).toBe('written long ago');
    }
    flipByte(name, 3);
    await using cache = await Cache.open({ tiers: [ram(), tier(prefix)] });
    const events: CacheErrorEvent[] = [];
    cache.on('error', (event) => events.push(event));
    expect(await cache.get('old')).toBeUndefined();
    await nextEvents();
    expect(events).toMatchObject([{ tier: 's3', key: 'old', error: { code: 'ERR_CORRUPT' } }]);
  });
});

describe('write-back', () => {
  test('a key set many times makes one PUT, of its last value, when it is flushed', async () => {
    const prefix = freshPrefix('write-back');
    const cache = await Cache.open({ tiers: [ram(), tier(prefix)], writePolicy: 'back' });
    const sets = await requestsDuring(async () => {
      for (let i = 0; i < 50; i++) await cache.set('counter', String(i));
    });
    expect(sets).toBe(0);
    expect(await requestsDuring(() => cache.close())).toBe(1);
    await using reader = await Cache.open({ tiers: [tier(prefix)] });
    expect(text(await reader.get('counter'))).toBe('49');
  });
});

describe('clean', () => {
  test('removes the oldest objects beyond maxSize, and those older than maxAge', async () => {
    const prefix = freshPrefix('clean');
    await using cache = await Cache.open({ tiers: [tier(prefix)] });
    for (const key of ['a', 'b', 'c']) await cache.set(key, new Uint8Array(100));
    expect(await cache.clean({ maxSize: 250 })).toBe(1);
    expect(await objectNames(prefix)).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // Last-Modified has whole seconds
    await cache.set('new', 'v');
    expect(await cache.clean({ maxAge: '1s' })).toBe(2);
    expect(await objectNames(prefix)).toHaveLength(1);
    expect(text(await cache.get('new'))).toBe('v');
  });

  test('needs a limit', async () => {
    await using cache = await Cache.open({ tiers: [tier(freshPrefix('clean'))] });
    await expect(cache.clean({})).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    await expect(cache.clean({ maxAge: 'soon' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });
});

describe('refusals at open', () => {
  const SECRET = 'not-the-secret-9f8e7d6c';
  const TOKEN = 'session-token-5a4b3c2d';

  test('wrong credentials are ERR_S3_AUTH, and no secret appears in the error', async () => {
    for (const credentials of [
      { accessKeyId: 'S3RVER', secretAccessKey: SECRET },
      { accessKeyId: 'NOSUCHKEY', secretAccessKey: SECRET, sessionToken: TOKEN },
    ]) {
      const error = await Cache.open({ tiers: [tier(freshPrefix('auth'), { credentials })] }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'StrataError', code: 'ERR_S3_AUTH', tier: 's3', retryable: false });
      const seen = JSON.stringify(error) + String(error) + (error as Error).stack;
      expect(seen).not.toContain(SECRET);
      expect(seen).not.toContain(TOKEN);
    }
  });

  test('a bucket that does not exist is ERR_NOT_FOUND, naming it', async () => {
    const error = await Cache.open({ tiers: [ram(), tier(freshPrefix('bucket'), { bucket: 'no-such-bucket' })] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_NOT_FOUND', tier: 's3' });
    expect((error as Error).message).toContain("'no-such-bucket' does not exist (NoSuchBucket)");
  });

  test.each([
    ['no bucket', {}],
    ['a bucket name S3 refuses', { bucket: 'Not_A_Bucket' }],
    ['an endpoint that is not a URL', { bucket: 'b', endpoint: 'localhost:9000' }],
    ['an endpoint with credentials in it', { bucket: 'bkt', endpoint: `http://user:${SECRET}@127.0.0.1:1` }],
    ['half the credentials', { bucket: 'bkt', credentials: { accessKeyId: 'id' } }],
    ['a prefix starting with a slash', { bucket: 'bkt', prefix: '/x' }],
    ['a non-boolean forcePathStyle', { bucket: 'bkt', forcePathStyle: 'yes' }],
    ['a bad cooldown', { bucket: 'bkt', cooldown: 'later' }],
    ['a timeout of 0', { bucket: 'bkt', timeout: 0 }],
    ['a timeout longer than a timer can wait', { bucket: 'bkt', timeout: '30d' }],
  ])('s3() with %s throws ERR_INVALID_ARG', (_what, options) => {
    let error: unknown;
    try {
      s3(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect((error as Error).message).not.toContain(SECRET);
  });

  test('the WebAssembly build offers no s3 tier and refuses one', async () => {
    expect('s3' in wasmEntry).toBe(false);
    const error = await wasmEntry.Cache.open({ tiers: [tier(freshPrefix('wasm'))] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARG' });
    expect((error as Error).message).toContain("tier kind 's3' is not available");
  });
});

describe('when S3 goes away', () => {
  /** A [ram, s3] cache on a server of its own, which is stopped once the cache has written `warm`. */
  async function cacheOnStoppedServer(): Promise<Cache> {
    const own = await S3Server.start();
    const cache = await Cache.open({ tiers: [ram(), s3({ ...own.tier(freshPrefix('down')), cooldown: '1h' })] });
    await cache.set('warm', 'in ram and s3');
    await own.stop();
    return cache;
  }
  const nextEvents = () => new Promise((resolve) => setTimeout(resolve, 50)); // they arrive through the event loop

  test('the tiers above keep serving, sets still land in them, error events fire, nothing hangs', async () => {
    await using cache = await cacheOnStoppedServer();
    const events: CacheErrorEvent[] = [];
    cache.on('error', (event) => events.push(event));

    expect(text(await cache.get('warm'))).toBe('in ram and s3');
    expect(await cache.get('cold')).toBeUndefined(); // S3 cannot answer: a miss, reported
    await cache.set('later', 'in ram only');
    expect(text(cache.getSync('later'))).toBe('in ram only');
    await expect(cache.delete('warm')).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE', tier: 's3', retryable: true });
    await expect(cache.clear()).rejects.toMatchObject({ code: 'ERR_UNAVAILABLE', tier: 's3' });

    await nextEvents();
    expect(events.map((e) => [e.type, e.tier, e.key, e.error.code, e.error.retryable])).toEqual([
      ['error', 's3', 'cold', 'ERR_UNAVAILABLE', true],
      ['error', 's3', 'later', 'ERR_UNAVAILABLE', true],
    ]);
    expect(events[0]!.error.message).toContain('could not be reached');
    expect(events[1]!.error.message).toContain('circuit open'); // the breaker answered at once
  });

  test('every thread sharing the cache hears its events; a thread that ends without closing breaks nothing', async () => {
    const own = await S3Server.start();
    const s3Options = { ...own.tier(freshPrefix('workers')), cooldown: '1h' };
    await using cache = await Cache.open({ shared: 'events', tiers: [ram(), s3(s3Options)] });
    const worker = new Worker(new URL('./fixtures/events-worker.mjs', import.meta.url), { workerData: { shared: 'events', s3: s3Options } });
    const messages: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: { ready?: boolean }) => (message.ready ? resolve() : messages.push(message)));
      worker.once('error', reject);
    });
    const heard: string[] = [];
    cache.on('error', (event) => heard.push(event.key!));
    await own.stop();

    expect(await cache.get('cold')).toBeUndefined();
    await nextEvents();
    expect(heard).toEqual(['cold']);
    expect(messages).toEqual([{ key: 'cold', code: 'ERR_UNAVAILABLE' }]);

    await worker.terminate();
    expect(await cache.get('colder')).toBeUndefined();
    await nextEvents();
    expect(heard).toEqual(['cold', 'colder']);
  });

  test('a listener that throws disturbs neither the cache nor the other listeners', async () => {
    await using cache = await cacheOnStoppedServer();
    const report = jest.spyOn(console, 'error').mockImplementation(() => {});
    const heard: string[] = [];
    const thrower = () => {
      throw new Error('listener bug');
    };
    cache.on('error', thrower).on('error', (event) => heard.push(event.key!));
    try {
      expect(await cache.get('a')).toBeUndefined();
      await nextEvents();
      expect(heard).toEqual(['a']);
      expect(report).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ message: 'listener bug' }));
      cache.off('error', thrower);
      expect(await cache.get('b')).toBeUndefined();
      expect(text(await cache.get('warm'))).toBe('in ram and s3');
      await nextEvents();
      expect(heard).toEqual(['a', 'b']);
      expect(report).toHaveBeenCalledTimes(1);
    } finally {
      report.mockRestore();
    }
  });
});
