// The remote tiers (s3(), http()) and mounts (s3Resource, httpResource) against servers that misbehave
// (hostile-server.ts), as classes: every call settles near its `timeout` whatever the server does (silence, a
// stalled body, a trickle), close() settles what is stuck on the server at once (yet writes down what it
// accepted), and no secret comes back out of an error or event whatever encoding the server echoes it in.
import { Worker } from 'node:worker_threads';
import { Cache, type CacheErrorEvent, http, httpResource, ram, s3, s3Resource, StrataError } from '../../dist/node.js';
import { HostileServer, type Misbehaviour } from './hostile-server.js';

const TIMEOUT_MS = 600;
/** How soon after close() the calls waiting on a remote tier or mount settle (README, Reliability). */
const CLOSE_BOUND_MS = 100;
const BUCKET = 'strata-test';
const CREDENTIALS = {
  accessKeyId: 'AKIAHOSTILE0TEST',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRET',
  sessionToken: 'FwoGZXIvYXdzE/session+token/with=chars==',
};
const HEADERS = { authorization: 'Bearer tok/en+secret=1', 'x-api-key': 'key-secret-42/+abc' };

const s3Options = (server: HostileServer, timeout: number | string = TIMEOUT_MS) => ({
  bucket: BUCKET, endpoint: server.url, forcePathStyle: true, region: 'us-east-1', credentials: CREDENTIALS, timeout,
  cooldown: 1, // every call goes to the server: the breaker would otherwise answer the second at once
});

/** How long `work` took to settle, and with what. */
async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const start = performance.now();
  try {
    const value = await work();
    return { ms: performance.now() - start, value };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

function expectNearTimeout(ms: number): void {
  expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
  expect(ms).toBeLessThan(TIMEOUT_MS + 700);
}

const nextEvents = () => new Promise((resolve) => setTimeout(resolve, 50)); // they arrive through the event loop
const MODES: Misbehaviour[] = ['silent', 'stall', 'trickle'];

describe.each(MODES)('a server that is %s', (mode) => {
  let server: HostileServer;
  beforeAll(async () => {
    server = await HostileServer.start(mode);
  });
  afterAll(() => server.close());

  test('s3(): Cache.open rejects with ERR_TIMEOUT near the timeout', async () => {
    const own = await HostileServer.start(mode, { bucketToo: true });
    try {
      const open = await timed(() => Cache.open({ tiers: [ram(), s3(s3Options(own))] }));
      expect(open.error).toMatchObject({ name: 'StrataError', code: 'ERR_TIMEOUT', retryable: true, tier: 's3' });
      expect((open.error as Error).message).toContain(`timeout ${TIMEOUT_MS} ms`);
      expectNearTimeout(open.ms);
    } finally {
      await own.close();
    }
  });

  /** Gets 'k' from `cache`, expecting a miss near the timeout; answers the error events it heard. */
  async function missNearTimeout(cache: Cache): Promise<CacheErrorEvent[]> {
    const events: CacheErrorEvent[] = [];
    cache.on('error', (event) => events.push(event));
    const get = await timed(() => cache.get('k'));
    expect(get.error).toBeUndefined();
    expect(get.value).toBeUndefined();
    expectNearTimeout(get.ms);
    return events;
  }

  test('s3(): get is a miss with an ERR_TIMEOUT error event, set rejects with ERR_TIMEOUT, near the timeout', async () => {
    await using cache = await Cache.open({ tiers: [ram(), s3(s3Options(server))] });
    const events = await missNearTimeout(cache);
    await new Promise((resolve) => setTimeout(resolve, 5)); // past the 1 ms cooldown
    const set = await timed(() => cache.set('k', 'v'));
    expect(set.error).toMatchObject({ code: 'ERR_TIMEOUT', retryable: true, tier: 's3' });
    expectNearTimeout(set.ms);
    expect((await timed(() => cache.has('other'))).ms).toBeLessThan(TIMEOUT_MS + 700);
    await nextEvents();
    expect(events[0]).toMatchObject({ type: 'error', tier: 's3', key: 'k', error: { code: 'ERR_TIMEOUT', retryable: true } });
  });

  test('http(): get is a miss with an ERR_TIMEOUT error event near the timeout', async () => {
    await using cache = await Cache.open({ tiers: [ram(), http({ baseUrl: `${server.url}/builds`, timeout: TIMEOUT_MS })] });
    const events = await missNearTimeout(cache);
    await nextEvents();
    expect(events).toMatchObject([{ type: 'error', tier: 'http', key: 'k', error: { code: 'ERR_TIMEOUT', retryable: true } }]);
  });

  test('s3Resource and httpResource: a read rejects with ERR_TIMEOUT near the timeout', async () => {
    const bucket = s3Resource(s3Options(server));
    const web = httpResource(`${server.url}/files/`, { timeout: TIMEOUT_MS });
    try {
      for (const read of [() => bucket.read('a/file'), () => web.read('a/file')]) {
        const got = await timed(read);
        expect(got.error).toMatchObject({ name: 'StrataError', code: 'ERR_TIMEOUT', retryable: true });
        expectNearTimeout(got.ms);
      }
    } finally {
      await bucket.close?.();
    }
  });

  // close() ends every call waiting on the server within CLOSE_BOUND_MS (README, Reliability), whatever the
  // tier's timeout, and the tiers and s3Resource leave no connection open behind them. (httpResource runs on the
  // platform's fetch, whose connection pool is the platform's: it is served by a server of its own.)
  test('close() settles every call waiting on the server at once with ERR_CLOSED, and closes its connections', async () => {
    const own = await HostileServer.start(mode);
    const other = await HostileServer.start(mode);
    try {
      const cache = await Cache.open({ tiers: [ram(), s3(s3Options(own, '1h'))] });
      const web = await Cache.open({ tiers: [ram(), http({ baseUrl: `${own.url}/builds`, timeout: '1h' })] });
      const bucket = s3Resource(s3Options(own, '1h'));
      const files = httpResource(`${other.url}/files/`, { timeout: '1h' });
      const calls: Array<Promise<unknown>> = [
        cache.get('a'), cache.set('b', 'v'), cache.getOrSet('c', async () => 'loaded'), cache.has('d'), cache.delete('e'),
        cache.namespace('ns').get('f'), web.get('g'), web.has('h'), bucket.read('i'), bucket.stat('j'), files.read('k'),
        files.stat('l'), files.list('m'),
      ];
      await new Promise((resolve) => setTimeout(resolve, 150)); // on the wire
      expect(own.connections).toBeGreaterThan(0);
      const closing = performance.now();
      const settled = calls.map((call) => call.then(() => 'resolved', (error: StrataError) => error.code)
        .then((code) => ({ code, ms: performance.now() - closing })));
      await Promise.all([cache.close(), web.close(), bucket.close?.(), files.close?.()]);
      for (const outcome of await Promise.all(settled)) {
        expect(outcome.code).toBe('ERR_CLOSED');
        expect(outcome.ms).toBeLessThan(CLOSE_BOUND_MS);
      }
      for (const later of [() => cache.get('a'), () => files.read('k'), () => bucket.read('i')]) {
        await expect(later()).rejects.toMatchObject({ code: 'ERR_CLOSED' });
      }
      const deadline = performance.now() + 1000;
      while (own.connections > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(own.connections).toBe(0);
    } finally {
      await Promise.all([own.close(), other.close()]);
    }
  });

  test('close() still writes down what was accepted before it, while the calls waiting end at once', async () => {
    const cache = await Cache.open({ tiers: [ram(), s3(s3Options(server))] });
    const events: CacheErrorEvent[] = [];
    cache.on('error', (event) => events.push(event));
    cache.setSync('accepted', 'v'); // a background write to the server, which close() must see through
    const get = cache.get('a').then(() => 'resolved', (error: StrataError) => error.code);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const start = performance.now();
    const closed = cache.close().then(() => performance.now() - start);
    const read = await get;
    expect({ code: read, fast: performance.now() - start < CLOSE_BOUND_MS }).toEqual({ code: 'ERR_CLOSED', fast: true });
    const closeMs = await closed;
    expect(closeMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 100 - 50); // the write's deadline, counted from its start
    expect(closeMs).toBeLessThan(TIMEOUT_MS + 700);
    await nextEvents();
    expect(events).toMatchObject([{ type: 'error', tier: 's3', key: 'accepted', error: { code: 'ERR_TIMEOUT' } }]);
  });
});

test('a worker terminated while its close() ends calls waiting on a silent server takes nothing down', async () => {
  const server = await HostileServer.start('silent');
  try {
    const script = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.dist).then(async ({ Cache, http, ram, s3 }) => {
        const cache = await Cache.open({ tiers: [ram(), s3(workerData.s3), http({ baseUrl: workerData.web, timeout: '1h' })] });
        for (let i = 0; i < 8; i++) cache.get('k' + i).catch(() => undefined);
        cache.setSync('accepted', 'v');
        parentPort.postMessage('closing');
        cache.close().catch(() => undefined);
      });`;
    for (const delayMs of [0, 0, 1, 5, 20]) {
      const worker = new Worker(script, {
        eval: true,
        workerData: { dist: new URL('../../dist/node.js', import.meta.url).href, s3: s3Options(server, '1h'), web: `${server.url}/builds` },
      });
      await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await worker.terminate();
    }
    // This thread lives on, and its own cache still works.
    await using cache = await Cache.open({ tiers: [ram(), s3(s3Options(server))] });
    cache.setSync('here', 'v');
    expect(cache.getSync('here')).toEqual(new TextEncoder().encode('v'));
  } finally {
    await server.close();
  }
});

/** The secrets among `secrets` that `text` shows, in any encoding a test can undo. */
function leaked(text: string, secrets: Iterable<string>): string[] {
  const decoded = [text];
  for (const run of text.match(/[A-Za-z0-9+/_-]{8,}/g) ?? []) {
    for (let skip = 0; skip < 4; skip++) {
      for (const alphabet of ['base64', 'base64url'] as const) decoded.push(Buffer.from(run.slice(skip), alphabet).toString('latin1'));
    }
    if (/^[0-9a-fA-F]+$/.test(run)) {
      for (let skip = 0; skip < 2; skip++) decoded.push(Buffer.from(run.slice(skip), 'hex').toString('latin1'));
    }
  }
  let unescaped = text;
  for (let i = 0; i < 2; i++) unescaped = unescaped.replace(/%[0-9a-fA-F]{2}/g, (escape) => String.fromCharCode(parseInt(escape.slice(1), 16)));
  decoded.push(unescaped, text.replace(/\\\//g, '/'));
  return [...secrets].filter((secret) => decoded.some((form) => form.includes(secret)));
}

/** Everything a caller can see of an error or event: messages, stacks, properties, causes. */
function exposed(value: unknown): string {
  const parts: string[] = [];
  for (let item = value, depth = 0; item !== undefined && item !== null && depth < 5; depth++) {
    parts.push(String(item), JSON.stringify(item) ?? '', (item as Error).stack ?? '', (item as Error).message ?? '');
    if (typeof item === 'object') parts.push(JSON.stringify(Object.entries(item as object)));
    item = (item as { cause?: unknown; error?: unknown }).cause ?? (item as { error?: unknown }).error;
  }
  return parts.join('\n');
}

describe('a server that echoes every request header back, in every encoding', () => {
  let server: HostileServer;
  beforeAll(async () => {
    server = await HostileServer.start('echo');
  });
  afterAll(() => server.close());

  /** The secrets the server saw: the credentials, the signatures of the Authorization headers, the headers given. */
  function secrets(): string[] {
    const signatures = [...server.seen].flatMap((value) => /Signature=([0-9a-f]{64})/.exec(value)?.[1] ?? []);
    expect(signatures.length).toBeGreaterThan(0);
    return [CREDENTIALS.secretAccessKey, CREDENTIALS.sessionToken, CREDENTIALS.accessKeyId, ...signatures, ...Object.values(HEADERS)];
  }

  test('s3() and s3Resource: no secret in any error or event', async () => {
    const seen: unknown[] = [];
    const opening = await HostileServer.start('echo', { bucketToo: true });
    try {
      seen.push((await timed(() => Cache.open({ tiers: [ram(), s3(s3Options(opening))] }))).error);
      for (const value of opening.seen) server.seen.add(value);
    } finally {
      await opening.close();
    }
    await using cache = await Cache.open({ tiers: [ram(), s3(s3Options(server))] });
    cache.on('error', (event) => seen.push(event));
    expect(await cache.get('k')).toBeUndefined();
    seen.push((await timed(() => cache.set('k', 'v'))).error, (await timed(() => cache.delete('k'))).error);
    seen.push((await timed(() => cache.set('large', new Uint8Array(17 * 2 ** 20)))).error); // a multipart upload
    const bucket = s3Resource(s3Options(server));
    for (const call of [() => bucket.read('f'), () => bucket.stat('f'), () => bucket.list('d')] as Array<() => Promise<unknown>>) seen.push((await timed(call)).error);
    await bucket.close?.();
    await nextEvents();

    expect(seen.filter((item) => item !== undefined).length).toBeGreaterThanOrEqual(8);
    // The echoed bodies did come through (a HEAD's answer has none).
    expect(seen.filter((item) => exposed(item).includes('SignatureDoesNotMatch')).length).toBeGreaterThanOrEqual(4);
    for (const item of seen) expect(leaked(exposed(item), secrets())).toEqual([]);
  });

  test('http() and httpResource: no header value in any error or event', async () => {
    const seen: unknown[] = [];
    await using cache = await Cache.open({ tiers: [ram(), http({ baseUrl: `${server.url}/redirect/builds`, headers: HEADERS })] });
    cache.on('error', (event) => seen.push(event));
    expect(await cache.get('k')).toBeUndefined();
    const web = httpResource(`${server.url}/files/`, { headers: HEADERS });
    for (const call of [() => web.read('f'), () => web.stat('f'), () => web.list('d')] as Array<() => Promise<unknown>>) seen.push((await timed(call)).error);
    await nextEvents();
    expect(seen).toHaveLength(4);
    for (const item of seen) expect(leaked(exposed(item), Object.values(HEADERS))).toEqual([]);
  });
});
