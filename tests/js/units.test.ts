import { tmpdir } from 'node:os';

import { Cache, disk, http, parseDuration, parseSize, ram, s3 } from '../../dist/node.js';

describe('parseSize', () => {
  test.each([
    [1024, 1024],
    [1.9, 1],
    ['512', 512],
    ['1B', 1],
    ['512MB', 512e6],
    ['512mb', 512e6],
    ['1.5KB', 1500],
    ['8GiB', 8 * 2 ** 30],
    ['64 KiB', 65536],
    ['2TB', 2e12],
  ])('%p is %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  test.each([[-1], [0], [NaN], [Infinity], ['12XB'], ['MB'], ['-5MB'], ['1e3'], [''], [null], [{}]])(
    '%p is refused',
    (input) => {
      expect(() => parseSize(input as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    },
  );
});

describe('parseDuration', () => {
  test.each([
    [250, 250],
    [0.5, 1],
    ['500ms', 500],
    ['10s', 10_000],
    ['10m', 600_000],
    ['1.5h', 5_400_000],
    ['4h', 14_400_000],
    ['7d', 604_800_000],
  ])('%p is %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  test.each([[0], [-5], [NaN], [Infinity], ['10'], ['10 years'], ['10M'], [''], [null]])('%p is refused', (input) => {
    expect(() => parseDuration(input as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
  });
});

describe('every number from users is in range or refused with ERR_INVALID_ARG', () => {
  const MAX_DURATION = Number.MAX_SAFE_INTEGER;
  const MAX_TIMER = 2 ** 31 - 1;
  type Use = (value: unknown) => unknown; // throws or rejects when it refuses the value
  const open = (options: object) => Cache.open(options).then((cache) => cache.close());
  const withCache = (use: (cache: Cache) => unknown) => async () => {
    await using cache = await Cache.open({ tiers: [ram()] });
    await use(cache);
  };
  const duration = (largest: number) => ({ largest, tooLarge: [largest + 1, largest * 2, 1e19, `${largest * 2}ms`] });
  const size = { largest: Number.MAX_SAFE_INTEGER, tooLarge: [2 ** 53, 1e19, '99999999TB'] };
  const s3Tier = (options: object) => s3({ bucket: 'bucket', endpoint: 'http://127.0.0.1:1', ...options });
  // Option, how it is given, and its range.
  const options: Array<[string, Use, { largest: number; tooLarge: unknown[] }]> = [
    ['Cache.open ttl', (ttl) => open({ ttl }), duration(MAX_DURATION)],
    ['Cache.open interval', (interval) => open({ interval }), duration(MAX_TIMER)],
    ['ttlRules ttl', (ttl) => open({ ttlRules: [{ tags: { a: 'b' }, ttl }] }), duration(MAX_DURATION)],
    ['ttlRules ttl by tier', (ram) => open({ ttlRules: [{ tags: { a: 'b' }, ttl: { ram } }] }), duration(MAX_DURATION)],
    ['ram ttl', (ttl) => ram({ ttl: ttl as number }), duration(MAX_DURATION)],
    ['ram cacheLimit', (cacheLimit) => ram({ cacheLimit: cacheLimit as number }), size],
    ['disk ttl', (ttl) => disk({ path: tmpdir(), ttl: ttl as number }), duration(MAX_DURATION)],
    ['disk cacheLimit', (cacheLimit) => disk({ path: tmpdir(), cacheLimit: cacheLimit as number }), size],
    ['s3 ttl', (ttl) => s3Tier({ ttl }), duration(MAX_DURATION)],
    ['s3 cacheLimit', (cacheLimit) => s3Tier({ cacheLimit }), size],
    ['s3 cooldown', (cooldown) => s3Tier({ cooldown }), duration(MAX_DURATION)],
    ['http timeout', (timeout) => http({ baseUrl: 'http://127.0.0.1:1/', timeout: timeout as number }), duration(MAX_TIMER)],
    ['set ttl', (ttl) => withCache((cache) => cache.set('k', 'v', { ttl: ttl as number }))(), duration(MAX_DURATION)],
    ['setSync ttl', (ttl) => withCache((cache) => cache.setSync('k', 'v', { ttl: ttl as number }))(), duration(MAX_DURATION)],
    ['getOrSet ttl', (ttl) => withCache((c) => c.getOrSet('k', () => 'v', { ttl: ttl as number }))(), duration(MAX_DURATION)],
    ['getOrSet staleTtl', (staleTtl) => withCache((c) => c.getOrSet('k', () => 'v', { staleTtl: staleTtl as number }))(), duration(MAX_DURATION)],
    ['getOrSet staleIfError', (staleIfError) => withCache((c) => c.getOrSet('k', () => 'v', { staleIfError: staleIfError as number }))(), duration(MAX_DURATION)],
    ['namespace cacheLimit', (cacheLimit) => withCache((c) => c.namespace('n', { cacheLimit: cacheLimit as number }))(), size],
    ['namespace cacheLimit by tier', (ram) => withCache((c) => c.namespace('n', { cacheLimit: { ram: ram as number } }))(), size],
    ['clean maxAge', (maxAge) => withCache((c) => c.clean({ maxAge: maxAge as number }))(), duration(MAX_DURATION)],
    ['clean maxSize', (maxSize) => withCache((c) => c.clean({ maxSize: maxSize as number }))(), size],
  ];
  const refused = (use: Use, value: unknown) =>
    expect((async () => use(value))()).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });

  test.each(options)('%s', async (_name, use, range) => {
    for (const bad of [-1, 0, NaN, Infinity, -Infinity, '-5s', ...range.tooLarge]) await refused(use, bad);
    await expect((async () => use(range.largest))()).resolves.not.toThrow();
    await expect((async () => use(1.5))()).resolves.not.toThrow(); // a fraction rounds to a whole unit
  });

  test('the longest TTLs keep their entries', async () => {
    await using cache = await Cache.open({ ttl: MAX_DURATION, interval: MAX_TIMER });
    cache.setSync('k', 'v');
    await cache.set('stale', 'v', { ttl: MAX_DURATION });
    await cache.getOrSet('g', () => 'v', { ttl: MAX_DURATION, staleTtl: MAX_DURATION });
    expect(['k', 'stale', 'g'].map((key) => cache.hasSync(key))).toEqual([true, true, true]);
  });
});
