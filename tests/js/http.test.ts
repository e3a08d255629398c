// The http() tier against a real HTTP server on 127.0.0.1, in the Node build (libcurl) and the WebAssembly build
// in Node (fetch): hits by key digest, misses, promotion into ram() above it, failures as error events and
// misses, writes that never reach the server, and the options' checks.
import { Cache as NodeCache, type CacheErrorEvent, http, keyDigest as nodeKeyDigest, ram, type Tier } from '../../dist/node.js';
import { Cache as WasmCache, init, keyDigest as wasmKeyDigest } from '../../dist/wasm.js';
import { text } from './backends.js';
import { ArtefactServer, closedPort } from './http-server.js';

let server: ArtefactServer;
let prefixes = 0;
beforeAll(async () => {
  server = await ArtefactServer.start();
  await init();
});
afterAll(() => server.stop());

const freshPrefix = () => `artefacts-${++prefixes}`;
const nextEvents = () => new Promise((resolve) => setTimeout(resolve, 50)); // they arrive through the event loop
const bytes = (value: string) => new TextEncoder().encode(value);

describe.each([
  ['node addon', NodeCache],
  ['wasm', WasmCache],
] as const)('http() tier, %s', (_name, Cache) => {
  const open = (tiers: Tier[]) => Cache.open({ tiers });
  /** A cache of ram() over http() on a fresh prefix of the server, with the prefix and a path maker. */
  async function openOverServer(options: { timeout?: string } = {}) {
    const prefix = freshPrefix();
    const cache = await open([ram(), http({ baseUrl: `${server.origin}/${prefix}/`, headers: { authorization: 'Bearer t0ken' }, ...options })]);
    const pathOf = (key: string) => `/${prefix}/${nodeKeyDigest(key)}`;
    const errors: CacheErrorEvent[] = [];
    cache.on('error', (event) => errors.push(event));
    return { cache, prefix, pathOf, errors, requests: () => server.requestsUnder(prefix) };
  }

  test('a hit is the body of GET <baseUrl>/<key digest>, sent with the headers', async () => {
    const { cache, pathOf, requests, errors } = await openOverServer();
    server.files.set(pathOf('build/lib.o'), bytes('object code'));
    expect(text(await cache.get('build/lib.o'))).toBe('object code');
    expect(requests()).toEqual([expect.objectContaining({ method: 'GET', path: pathOf('build/lib.o') })]);
    expect(requests()[0]!.headers.authorization).toBe('Bearer t0ken');
    await nextEvents();
    expect(errors).toEqual([]);
    await cache.close();
  });

  test('404 and 410 are misses, not errors', async () => {
    const { cache, pathOf, requests, errors } = await openOverServer();
    server.statuses.set(pathOf('gone'), 410);
    expect(await cache.get('absent')).toBeUndefined();
    expect(await cache.get('gone')).toBeUndefined();
    expect(requests()).toHaveLength(2);
    await nextEvents();
    expect(errors).toEqual([]);
    await cache.close();
  });

  test('a hit is promoted into ram() above it: the second get makes no request', async () => {
    const { cache, pathOf, requests } = await openOverServer();
    server.files.set(pathOf('k'), bytes('remote'));
    expect(text(await cache.get('k'))).toBe('remote');
    expect(text(await cache.get('k'))).toBe('remote');
    expect(text(cache.getSync('k'))).toBe('remote');
    expect(requests()).toHaveLength(1);
    const stats = await cache.stats();
    expect(stats.tiers.find((tier) => tier.name === 'http')).toMatchObject({ hits: 1 });
    await cache.close();
  });

  test('concurrent gets of one key make one request', async () => {
    const { cache, pathOf, requests } = await openOverServer();
    server.files.set(pathOf('popular'), bytes('artefact'));
    const values = await Promise.all(Array.from({ length: 8 }, () => cache.get('popular')));
    expect(values.map(text)).toEqual(Array(8).fill('artefact'));
    expect(requests()).toHaveLength(1);
    await cache.close();
  });

  test('has() is a HEAD', async () => {
    const { cache, pathOf, requests } = await openOverServer();
    server.files.set(pathOf('here'), bytes('x'));
    expect(await cache.has('here')).toBe(true);
    expect(await cache.has('absent')).toBe(false);
    expect(requests().map((request) => request.method)).toEqual(['HEAD', 'HEAD']);
    await cache.close();
  });

  test('set, delete and clear never reach the server', async () => {
    const { cache, requests } = await openOverServer();
    await cache.set('k', 'local');
    cache.setSync('k2', 'local');
    await cache.flush();
    expect(text(await cache.get('k'))).toBe('local');
    expect(await cache.delete('k')).toBe(true);
    expect(cache.deleteSync('k2')).toBe(true);
    await cache.clear();
    await cache.flush();
    expect(requests()).toEqual([]);
    await cache.close();
  });

  test('a server that is down is an error event and a miss', async () => {
    const cache = await open([ram(), http({ baseUrl: `http://127.0.0.1:${await closedPort()}/x` })]);
    const errors: CacheErrorEvent[] = [];
    cache.on('error', (event) => errors.push(event));
    expect(await cache.get('k')).toBeUndefined();
    await nextEvents();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ tier: 'http', key: 'k' });
    expect(errors[0]!.error.code).toBe('ERR_UNAVAILABLE');
    expect(errors[0]!.error.retryable).toBe(true);
    await cache.close();
  });

  test('other statuses are error events naming the URL, never the headers; a timeout is ERR_TIMEOUT', async () => {
    const { cache, pathOf, errors } = await openOverServer({ timeout: '300ms' });
    server.statuses.set(pathOf('broken'), 500);
    server.statuses.set(pathOf('forbidden'), 403);
    server.stalled.add(pathOf('slow'));
    expect(await cache.get('broken')).toBeUndefined();
    expect(await cache.get('forbidden')).toBeUndefined();
    expect(await cache.get('slow')).toBeUndefined();
    await nextEvents();
    expect(errors.map((event) => [event.key, event.error.code])).toEqual([
      ['broken', 'ERR_IO'],
      ['forbidden', 'ERR_IO'],
      ['slow', 'ERR_TIMEOUT'],
    ]);
    expect(errors[0]!.error.message).toContain(`GET ${server.origin}${pathOf('broken')}: HTTP 500`);
    expect(errors.map((event) => event.error.retryable)).toEqual([true, false, true]);
    for (const event of errors) expect(event.error.message).not.toContain('t0ken');
    await cache.close();
  });

  test('it must be the last tier, below one that takes writes', async () => {
    const tier = http({ baseUrl: server.origin });
    await expect(open([tier])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG', message: expect.stringContaining('read-only') });
    await expect(open([tier, ram()])).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
  });
});

test('both builds name a key by the same digest', () => {
  for (const key of ['k', 'ключ/1', 'x'.repeat(1000)]) {
    expect(wasmKeyDigest(key)).toBe(nodeKeyDigest(key));
    expect(nodeKeyDigest(key)).toMatch(/^[0-9a-f]{32}$/);
  }
  expect(() => nodeKeyDigest('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
});

describe('http() options', () => {
  test('baseUrl is http(s) without credentials, query or fragment, and is never repeated in the message', () => {
    for (const baseUrl of ['ftp://host/x', 'not a url', 'http://user:secret@host/', 'https://host/?sig=secret', 'http://h/#f']) {
      expect(() => http({ baseUrl })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
      try {
        http({ baseUrl });
      } catch (error) {
        expect((error as Error).message).not.toContain('secret');
      }
    }
    expect(http({ baseUrl: 'https://cdn.example/builds/' }).settings).toMatchObject({ baseUrl: 'https://cdn.example/builds' });
  });

  test('headers are an object of string values with token names; timeout is a positive duration', () => {
    expect(() => http({ baseUrl: 'http://h', headers: { 'bad name': 'v' } })).toThrow(/HTTP token/);
    expect(() => http({ baseUrl: 'http://h', headers: { x: 'a\r\nb' } })).toThrow(/line breaks/);
    expect(() => http({ baseUrl: 'http://h', headers: { x: 1 as unknown as string } })).toThrow(/string/);
    expect(() => http({ baseUrl: 'http://h', timeout: 0 })).toThrow(/positive/);
    expect(() => http({ baseUrl: 'http://h', timeout: '1 fortnight' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    expect(() => http({ baseUrl: 'http://h', timeout: '30d' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    expect(http({ baseUrl: 'http://h' }).settings).toMatchObject({ timeoutMs: '10000' });
    const tier = http({ baseUrl: 'http://h', headers: { 'X-Token': 'v' }, timeout: '2s', name: 'artefacts' });
    expect(tier).toMatchObject({ kind: 'http', name: 'artefacts', settings: { 'headers.X-Token': 'v', timeoutMs: '2000' } });
  });
});
