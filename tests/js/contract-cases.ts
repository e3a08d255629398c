// The cache contract's cases, shared by the Jest suite (contract.test.ts, in Node) and the browser page
// (tests/browser), which bundles this module with '../../dist/node.js' mapped to the WebAssembly build.
import { digest, ram, StrataError } from '../../dist/node.js';
import { type CacheClass, random, sleep, text, type TierSetup } from './backends.js';
import { namespaceRamCases, namespaceTierCases } from './namespace-cases.js';

const MB = 1_000_000;

/** The cases that hold for any tiers. */
export function tierContract(setup: TierSetup): void {
  const open = (options: { ttl?: number | string | null; tierTtl?: number | string | null } = {}) =>
    setup.Cache.open({
      tiers: setup.tiers(options.tierTtl === undefined ? {} : { ttl: options.tierTtl }),
      ...(options.ttl === undefined ? {} : { ttl: options.ttl }),
    });
  // What each tier counts after one write: writes never reach a read-only http() tier, and a custom() tier's
  // entries are counted by its own store, out of the cache's sight.
  const isWritable = (tier: { kind: string }) => tier.kind !== 'http';
  const countsEntries = (tier: { kind: string }) => isWritable(tier) && tier.kind !== 'custom';
  const oneInEachWritableTier = () => setup.tiers().map((tier) => (countsEntries(tier) ? 1 : 0));

  describe('values', () => {
    test('round-trips bytes and strings', async () => {
      await using cache = await open();
      await cache.set('bytes', new Uint8Array([0, 1, 2, 255]));
      expect(Array.from((await cache.get('bytes'))!)).toEqual([0, 1, 2, 255]);
      await cache.set('text', 'héllo ✓ 🌍');
      expect(text(await cache.get('text'))).toBe('héllo ✓ 🌍');
      expect(await cache.get('bytes')).toBeInstanceOf(Uint8Array);
    });

    test('accepts Buffers, ArrayBuffers and other views as their bytes', async () => {
      await using cache = await open();
      await cache.set('buffer', Buffer.from('buf'));
      await cache.set('arraybuffer', new Uint8Array([7, 8]).buffer);
      const floats = new Float64Array([1.5]);
      await cache.set('view', floats);
      const window = new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 3);
      await cache.set('window', window);
      expect(text(await cache.get('buffer'))).toBe('buf');
      expect(Array.from((await cache.get('arraybuffer'))!)).toEqual([7, 8]);
      expect(Array.from((await cache.get('view'))!)).toEqual(Array.from(new Uint8Array(floats.buffer)));
      expect(Array.from((await cache.get('window'))!)).toEqual([2, 3]);
    });

    test('stores empty values and large ones intact', async () => {
      await using cache = await open();
      await cache.set('empty', '');
      expect((await cache.get('empty'))?.length).toBe(0);
      const big = new Uint8Array(1 << 20).map((_, i) => (i * 31) & 0xff);
      await cache.set('big', big);
      expect(Buffer.compare(Buffer.from((await cache.get('big'))!), Buffer.from(big))).toBe(0);
    });

    test('a stored value does not change when the caller mutates its input or a read copy', async () => {
      await using cache = await open();
      const input = new Uint8Array([1, 2, 3]);
      await cache.set('k', input);
      input[0] = 99;
      const read = (await cache.get('k'))!;
      expect(read[0]).toBe(1);
      read[1] = 99;
      expect((await cache.get('k'))![1]).toBe(2);
    });

    test('unicode keys are distinct and exact', async () => {
      await using cache = await open();
      await cache.set('ключ', 'a');
      await cache.set('键', 'b');
      await cache.set('e\u0301', 'c'); // not normalised: 'é' as two code points is its own key
      expect(text(await cache.get('ключ'))).toBe('a');
      expect(text(await cache.get('键'))).toBe('b');
      expect(await cache.get('é')).toBeUndefined();
    });
  });

  describe('operations', () => {
    test('get of a missing key is undefined, not an error', async () => {
      await using cache = await open();
      expect(await cache.get('missing')).toBeUndefined();
      expect(cache.getSync('missing')).toBeUndefined();
    });

    test('has, delete and clear', async () => {
      await using cache = await open();
      await cache.set('a', '1');
      await cache.set('b', '2');
      expect(await cache.has('a')).toBe(true);
      expect(await cache.delete('a')).toBe(true);
      expect(await cache.delete('a')).toBe(false);
      expect(await cache.has('a')).toBe(false);
      expect(text(await cache.get('b'))).toBe('2');
      await cache.clear();
      expect(await cache.has('b')).toBe(false);
      expect(await cache.get('b')).toBeUndefined();
      for (const tier of cache.stats().tiers) expect([tier.entries, tier.bytes]).toEqual([0, 0]);
    });

    test('flush waits for what setSync and deleteSync sent to the slower tiers', async () => {
      await using cache = await open();
      const entries = () => cache.stats().tiers.map((tier) => tier.entries);
      cache.setSync('k', 'v');
      await cache.flush();
      expect(entries()).toEqual(oneInEachWritableTier());
      cache.deleteSync('k');
      await cache.flush(setup.tiers().at(-1)!.name); // the last tier is the slowest
      expect(entries()).toEqual(setup.tiers().map(() => 0));
      expect(await cache.has('k')).toBe(false);
      await expect(cache.flush('nowhere')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    });

    test('setMany and getMany: a batch written and read back in order, misses undefined, options for all', async () => {
      await using cache = await open();
      const keys = Array.from({ length: 100 }, (_, i) => `many:${i}`);
      await cache.setMany(keys.map((key, i) => [key, i % 2 === 0 ? `v${i}` : new Uint8Array([i])]), { ttl: 60_000 });
      const read = await cache.getMany([...keys, 'many:missing', keys[3]!]);
      expect(read.length).toBe(102);
      keys.forEach((_, i) => {
        if (i % 2 === 0) expect(text(read[i])).toBe(`v${i}`);
        else expect(Array.from(read[i]!)).toEqual([i]);
      });
      expect(read[100]).toBeUndefined();
      expect(Array.from(read[101]!)).toEqual([3]);
      expect(cache.stats().tiers.map((tier) => tier.entries)).toEqual(oneInEachWritableTier().map((n) => n * 100));
      expect(await cache.getMany([])).toEqual([]);
      await cache.setMany([]);
      await cache.setMany([['many:0', 'short']], { ttl: 40 });
      await sleep(80);
      expect(await cache.getMany(['many:0', 'many:2'])).toEqual([undefined, expect.any(Uint8Array)]);
    });

    test('set replaces the value and its TTL', async () => {
      await using cache = await open();
      await cache.set('k', 'short', { ttl: 40 });
      await cache.set('k', 'long', { ttl: null });
      await sleep(80);
      expect(text(await cache.get('k'))).toBe('long');
    });
  });

  describe('TTL', () => {
    test('an entry expires after its TTL', async () => {
      await using cache = await open();
      await cache.set('k', 'v', { ttl: '60ms' });
      expect(text(await cache.get('k'))).toBe('v');
      await sleep(120);
      expect(await cache.get('k')).toBeUndefined();
      expect(await cache.has('k')).toBe(false);
    });

    test('per call, then per tier, then global; null means never', async () => {
      await using cache = await open({ tierTtl: 60, ttl: '1h' });
      await cache.set('tier-default', 'v');
      await cache.set('per-call', 'v', { ttl: '1h' });
      await cache.set('never', 'v', { ttl: null });
      await sleep(120);
      expect(await cache.get('tier-default')).toBeUndefined();
      expect(text(await cache.get('per-call'))).toBe('v');
      expect(text(await cache.get('never'))).toBe('v');

      await using global = await open({ ttl: 60 });
      await global.set('k', 'v');
      await sleep(120);
      expect(await global.get('k')).toBeUndefined();
    });
  });

  describe('TTL rules', () => {
    test('a matching tag rule sets the TTL in every tier; the call\'s own ttl wins; other tags keep the default', async () => {
      await using cache = await setup.Cache.open({
        tiers: setup.tiers(),
        ttl: '1h',
        ttlRules: [
          { tags: { type: 'keep' }, ttl: null },
          { tags: { type: 'thumbnail' }, ttl: 60 },
          { tags: { type: 'thumbnail', size: 'small' }, ttl: null }, // never reached: the rule above matches first
        ],
      });
      await cache.set('thumb', 'v', { tags: { type: 'thumbnail', size: 'small' } });
      await cache.set('own', 'v', { tags: { type: 'thumbnail' }, ttl: '1h' });
      await cache.set('avatar', 'v', { tags: { type: 'avatar' } });
      await cache.set('kept', 'v', { tags: { type: 'keep' }, ttl: undefined });
      const loaded = await cache.getOrSet('loaded', () => 'v', { tags: { type: 'thumbnail' } });
      expect(text(loaded)).toBe('v');
      await sleep(120);
      expect(await cache.get('thumb')).toBeUndefined();
      expect(await cache.get('loaded')).toBeUndefined();
      expect(text(await cache.get('own'))).toBe('v');
      expect(text(await cache.get('avatar'))).toBe('v');
      expect(text(await cache.get('kept'))).toBe('v');
    });

    test('a rule per tier: the tiers it leaves out keep their default, and a lower hit comes back up', async () => {
      const [first, ...lower] = setup.tiers().filter(isWritable).map((tier) => tier.name);
      await using cache = await setup.Cache.open({
        tiers: setup.tiers(),
        ttlRules: [{ tags: { type: 'thumbnail' }, ttl: { [first!]: 60 } }],
      });
      await cache.set('thumb', 'v', { tags: { type: 'thumbnail' } });
      await sleep(120);
      // Gone from the first tier; a lower tier, when there is one, still serves it.
      expect(text(await cache.get('thumb'))).toBe(lower.length > 0 ? 'v' : undefined);
    });

    test('bad rules are refused at open and bad tags at the call, with ERR_INVALID_ARG', async () => {
      const invalid = { code: 'ERR_INVALID_ARG' };
      const open = (ttlRules: unknown) => setup.Cache.open({ tiers: setup.tiers(), ttlRules: ttlRules as never });
      await expect(open([{ tags: { type: 'a' }, ttl: { nowhere: '1h' } }])).rejects.toMatchObject({
        ...invalid,
        message: expect.stringContaining("'nowhere'"),
      });
      await expect(open([{ tags: {}, ttl: '1h' }])).rejects.toMatchObject(invalid);
      await expect(open([{ tags: { type: 'a' }, ttl: '1 fortnight' }])).rejects.toMatchObject(invalid);
      await expect(open([{ tags: { type: 1 }, ttl: '1h' }])).rejects.toMatchObject(invalid);
      await expect(open({ tags: { type: 'a' }, ttl: '1h' })).rejects.toMatchObject(invalid);
      await using cache = await open([{ tags: { type: 'a' }, ttl: '1h' }]);
      await expect(cache.set('k', 'v', { tags: { type: 42 } as never })).rejects.toMatchObject(invalid);
      await expect(cache.set('k', 'v', { tags: 'a' as never })).rejects.toMatchObject(invalid);
      expect(await cache.has('k')).toBe(false);
    });
  });

  describe('content', () => {
    test('putContent stores bytes once under their digest, apart from ordinary keys', async () => {
      await using cache = await open();
      const bytes = new TextEncoder().encode('the same artefact');
      const key = await cache.putContent(bytes);
      expect(key).toBe(digest(bytes));
      expect(await cache.putContent('the same artefact')).toBe(key); // a string is its UTF-8 bytes
      expect(text(await cache.getContent(key))).toBe('the same artefact');
      expect(cache.stats().tiers.map((tier) => tier.entries)).toEqual(oneInEachWritableTier());
      expect(await cache.get(key)).toBeUndefined(); // the content namespace is not the keys'
      expect(await cache.getContent(digest('never stored'))).toBeUndefined();
    });

    test('putContent takes a ttl; a malformed digest is refused', async () => {
      await using cache = await open();
      const key = await cache.putContent('short-lived', { ttl: 60 });
      await sleep(120);
      expect(await cache.getContent(key)).toBeUndefined();
      for (const bad of ['abc', key.toUpperCase(), `${key}0`, 42]) {
        await expect(cache.getContent(bad as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
      }
      await expect(cache.putContent(null as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
    });
  });

  describe('entries', () => {
    test('named blobs are read and written by name and stored as one value', async () => {
      await using cache = await open();
      const entry = cache.entry('build:42');
      expect(await entry.get('stdout')).toBeUndefined();
      expect(await entry.names()).toEqual([]);
      await entry.set({ output: new Uint8Array([0, 1, 255]), stdout: 'built ✓\n', exit_code: '0' });
      await entry.set({ stderr: '', exit_code: '1' }); // keeps the others
      expect(await entry.names()).toEqual(['exit_code', 'output', 'stderr', 'stdout']);
      expect(Array.from((await entry.get('output'))!)).toEqual([0, 1, 255]);
      expect(text(await cache.entry('build:42').get('stdout'))).toBe('built ✓\n');
      expect(text(await entry.get('exit_code'))).toBe('1');
      expect((await entry.get('stderr'))?.length).toBe(0);
      expect(await entry.get('metadata')).toBeUndefined();
      expect(cache.stats().tiers.map((tier) => tier.entries)).toEqual(oneInEachWritableTier());
      await entry.set({ metadata: '{}' }, { replace: true });
      expect(await entry.names()).toEqual(['metadata']);
      expect(await entry.delete()).toBe(true);
      expect(await cache.has('build:42')).toBe(false);
    });

    test('the blobs expire together; a value that is not a frame is ERR_CORRUPT; bad names are refused', async () => {
      await using cache = await open();
      await cache.entry('e').set({ a: '1', b: '2' }, { ttl: 60 });
      expect(text(await cache.entry('e').get('b'))).toBe('2');
      await sleep(120);
      expect(await cache.entry('e').getAll()).toBeUndefined();
      await cache.set('plain', 'not a frame');
      await expect(cache.entry('plain').get('a')).rejects.toMatchObject({ code: 'ERR_CORRUPT' });
      await expect(cache.entry('e').set({ '': 'x' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
      await expect(cache.entry('e').set({ a: 42 as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
      await expect(cache.entry('e').set('a' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
      expect(await cache.has('e')).toBe(false);
      expect(() => cache.entry('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    });
  });

  describe('getOrSet', () => {
    /** A loader that counts its calls and answers only when the test says so. */
    const gatedLoader = (value: string) => {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const loader = Object.assign(
        async () => {
          loader.calls++;
          await gate;
          return value;
        },
        { calls: 0, open: () => open() },
      );
      return loader;
    };

    test('concurrent misses of one key run the loader once and all get its value, which is stored', async () => {
      await using cache = await open();
      const loader = gatedLoader('loaded');
      const callers = Array.from({ length: 5 }, () => cache.getOrSet('k', loader, { ttl: '1h' }));
      const other = cache.getOrSet('other', async () => 'x');
      await sleep(0); // every caller has joined the flight
      loader.open();
      expect((await Promise.all(callers)).map(text)).toEqual(Array(5).fill('loaded'));
      expect(text(await other)).toBe('x');
      expect(loader.calls).toBe(1);
      expect(text(await cache.get('k'))).toBe('loaded');
      expect(text(await cache.getOrSet('k', () => 'unused'))).toBe('loaded'); // a hit does not load
    });

    test("the loader's failure reaches every caller as ERR_LOADER, stores nothing, and the next miss loads again", async () => {
      await using cache = await open();
      const failing = Object.assign(async () => {
        failing.calls++;
        await sleep(0);
        throw new Error('backend down');
      }, { calls: 0 });
      const results = await Promise.allSettled([cache.getOrSet('k', failing), cache.getOrSet('k', failing)]);
      expect(failing.calls).toBe(1);
      const reasons = results.map((result) => (result.status === 'rejected' ? result.reason : undefined));
      expect(reasons.map((reason) => [reason?.code, reason?.message])).toEqual(Array(2).fill(['ERR_LOADER', 'backend down']));
      expect(await cache.has('k')).toBe(false);
      expect(text(await cache.getOrSet('k', () => 'recovered'))).toBe('recovered');
    });

    test('an aborted caller rejects with ERR_ABORTED; the others still get the value and it is stored', async () => {
      await using cache = await open();
      const loader = gatedLoader('v');
      const leaderAbort = new AbortController();
      const waiterAbort = new AbortController();
      const leader = cache.getOrSet('k', loader, { signal: leaderAbort.signal });
      const aborted = cache.getOrSet('k', loader, { signal: waiterAbort.signal });
      const patient = cache.getOrSet('k', loader);
      await sleep(0);
      waiterAbort.abort();
      leaderAbort.abort();
      const settled = await Promise.allSettled([aborted, leader]);
      expect(settled.map((result) => (result.status === 'rejected' ? result.reason.code : result.status))).toEqual([
        'ERR_ABORTED',
        'ERR_ABORTED',
      ]);
      loader.open();
      expect(text(await patient)).toBe('v');
      expect(loader.calls).toBe(1);
      expect(text(await cache.get('k'))).toBe('v');
      await expect(cache.getOrSet('k2', loader, { signal: AbortSignal.abort() })).rejects.toMatchObject({
        code: 'ERR_ABORTED',
      });
    });

    test('staleTtl: a value past its TTL is returned at once while one background load replaces it', async () => {
      await using cache = await open();
      const options = { ttl: 60, staleTtl: '1h' };
      expect(text(await cache.getOrSet('k', () => 'v1', options))).toBe('v1');
      await sleep(120);
      const loader = gatedLoader('v2');
      const failFast = setTimeout(loader.open, 5_000); // were a caller made to wait for the load, it would fail, not hang
      const served = await Promise.all([cache.getOrSet('k', loader, options), cache.getOrSet('k', loader, options)]);
      clearTimeout(failFast);
      expect(served.map(text)).toEqual(['v1', 'v1']);
      for (let i = 0; i < 1_000 && loader.calls === 0; i++) await sleep(5); // the refresh starts in the background
      await sleep(20);
      expect(loader.calls).toBe(1);
      loader.open();
      // Reads wait a while first: s3rver rewrites an object in place, and a GET racing the refresh's PUT of it can
      // get a body shorter than its length and wait for the rest until the request times out (real S3 is atomic).
      await sleep(500);
      for (let i = 0; i < 50 && text(await cache.get('k')) !== 'v2'; i++) await sleep(100);
      expect(text(await cache.getOrSet('k', () => 'unused', options))).toBe('v2');
      expect(loader.calls).toBe(1);
    });

    test('staleIfError: a failed load within the window returns the old value; past it, the failure', async () => {
      await using cache = await open();
      const failing = async () => {
        throw new Error('origin down');
      };
      await cache.getOrSet('k', () => 'old', { ttl: 60, staleIfError: '1h' });
      await cache.getOrSet('short', () => 'old', { ttl: 60, staleIfError: 60 });
      await sleep(200);
      expect(text(await cache.getOrSet('k', failing, { ttl: 60, staleIfError: '1h' }))).toBe('old');
      expect(text(await cache.getOrSet('k', () => 'new', { ttl: 60, staleIfError: '1h' }))).toBe('new');
      await expect(cache.getOrSet('short', failing, { ttl: 60, staleIfError: 60 })).rejects.toMatchObject({
        code: 'ERR_LOADER',
      });
    });

    test('close() during loads settles every caller: leaders and waiters reject with ERR_CLOSED', async () => {
      const cache = await open();
      const loader = gatedLoader('late');
      const plain = Array.from({ length: 3 }, () => cache.getOrSet('k', loader));
      const stale = Array.from({ length: 2 }, () => cache.getOrSet('s', loader, { staleTtl: '1m' }));
      const namespaced = Array.from({ length: 2 }, () => cache.namespace('ns').getOrSet('k', loader));
      for (let i = 0; i < 500 && loader.calls < 3; i++) await sleep(10); // misses read slower tiers first
      await sleep(20); // every caller has joined its flight; the loads wait on the gate
      expect(loader.calls).toBe(3);
      await cache.close();
      const pending = Symbol('pending');
      const outcomes = await Promise.all(
        [...plain, ...stale, ...namespaced].map((call) =>
          Promise.race([call.then(() => 'resolved', (error: unknown) => error), sleep(0).then(() => pending)]),
        ),
      );
      for (const outcome of outcomes) {
        expect(outcome).toBeInstanceOf(StrataError);
        expect(outcome).toMatchObject({ code: 'ERR_CLOSED' });
      }
      loader.open(); // a load that ends after close stores nothing and throws nowhere
      await sleep(20);
    });

    test('bad arguments are refused before the loader runs', async () => {
      await using cache = await open();
      const loader = Object.assign(() => { loader.calls++; return 'v'; }, { calls: 0 });
      await expect(cache.getOrSet('k', loader, { staleTtl: 'soon' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
      await expect(cache.getOrSet('k', loader, { staleIfError: -5 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
      await expect(cache.getOrSet('', loader)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
      await expect(cache.getOrSet('k', loader, { ttl: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
      await expect(cache.getOrSet('k', 'v' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
      await expect(cache.getOrSet('k', () => 42 as never)).rejects.toMatchObject({ code: 'ERR_LOADER' });
      expect(loader.calls).toBe(0);
    });
  });

  namespaceTierCases(setup);

  describe('bad input', () => {
    const invalid = { code: 'ERR_INVALID_ARG' };

    test('bad keys are refused before anything is touched', async () => {
      await using cache = await open();
      const tooLong = 'é'.repeat(513); // 1026 UTF-8 bytes in 513 characters
      for (const key of ['', tooLong, 42, null, undefined, {}] as never[]) {
        await expect(cache.get(key)).rejects.toMatchObject(invalid);
        await expect(cache.set(key, 'v')).rejects.toMatchObject(invalid);
        expect(() => cache.getSync(key)).toThrow(expect.objectContaining(invalid));
        expect(() => cache.setSync(key, 'v')).toThrow(expect.objectContaining(invalid));
      }
      await cache.set('k'.repeat(1024), 'v'); // exactly the limit is fine
      expect(text(await cache.get('k'.repeat(1024)))).toBe('v');
      expect(cache.stats().tiers.map((tier) => tier.entries)).toEqual(oneInEachWritableTier());
    });

    test('getMany and setMany refuse what get and set refuse, before anything is written', async () => {
      await using cache = await open();
      for (const key of ['', 'é'.repeat(513), 42, null, undefined, {}, 'user:\uD800'] as never[]) {
        await expect(cache.getMany(['ok', key])).rejects.toMatchObject(invalid);
        await expect(cache.setMany([['ok', 'v'], [key, 'v']])).rejects.toMatchObject(invalid);
      }
      for (const entries of [undefined, 'k', [['k']], [['k', 'v', 'x']], ['k']] as never[]) {
        await expect(cache.setMany(entries)).rejects.toMatchObject(invalid);
      }
      await expect(cache.getMany('k' as never)).rejects.toMatchObject(invalid);
      await expect(cache.setMany([['ok', 42 as never]])).rejects.toMatchObject(invalid);
      await expect(cache.setMany([['ok', 'v']], { ttl: -1 })).rejects.toMatchObject(invalid);
      expect(await cache.has('ok')).toBe(false);
    });

    test('keys, namespace names and tags that are not well-formed UTF-16 are refused', async () => {
      await using cache = await open();
      // UTF-8 has no lone surrogates: encoded, each would become U+FFFD, and these keys one key.
      const malformed = ['user:\uD800', 'user:\uDBFF', '\uDC00user', 'a\uDFFF\uD800b', '\uD800'.repeat(300)];
      for (const key of malformed) {
        await expect(cache.get(key)).rejects.toMatchObject(invalid);
        await expect(cache.set(key, 'v')).rejects.toMatchObject(invalid);
        await expect(cache.getOrSet(key, () => 'v')).rejects.toMatchObject(invalid);
        expect(() => cache.getSync(key)).toThrow(expect.objectContaining(invalid));
        expect(() => cache.setSync(key, 'v')).toThrow(expect.objectContaining(invalid));
        expect(() => cache.deleteSync(key)).toThrow(expect.objectContaining(invalid));
        expect(() => cache.namespace(key)).toThrow(expect.objectContaining(invalid));
        await expect(cache.set('k', 'v', { tags: { [key]: 'x' } })).rejects.toMatchObject(invalid);
        await expect(cache.set('k', 'v', { tags: { type: key } })).rejects.toMatchObject(invalid);
      }
      expect(cache.stats().tiers.map((tier) => tier.entries)).toEqual(setup.tiers().map(() => 0));
      // Well-formed keys that differ only past the Basic Multilingual Plane stay apart.
      await cache.set('user:\uD83D\uDE00', 'grin');
      await cache.set('user:\uD83D\uDE01', 'beam');
      expect([text(await cache.get('user:😀')), text(await cache.get('user:😁'))]).toEqual(['grin', 'beam']);
    });

    test('values that are not bytes or strings are refused', async () => {
      await using cache = await open();
      for (const value of [42, null, undefined, { a: 1 }, [1, 2], true] as never[]) {
        await expect(cache.set('k', value)).rejects.toMatchObject(invalid);
        expect(() => cache.setSync('k', value)).toThrow(expect.objectContaining(invalid));
      }
      expect(await cache.has('k')).toBe(false);
    });

    test('bad per-call TTLs are refused and the old value stays', async () => {
      await using cache = await open();
      await cache.set('k', 'old');
      await expect(cache.set('k', 'new', { ttl: -1 })).rejects.toMatchObject(invalid);
      await expect(cache.set('k', 'new', { ttl: '5 parsecs' })).rejects.toMatchObject(invalid);
      expect(text(await cache.get('k'))).toBe('old');
    });

    test('every call after close fails with ERR_CLOSED; closing twice is fine', async () => {
      const cache = await open();
      await cache.set('k', 'v');
      await cache.close();
      await cache.close();
      const closed = { code: 'ERR_CLOSED' };
      await expect(cache.get('k')).rejects.toMatchObject(closed);
      await expect(cache.set('k', 'v')).rejects.toMatchObject(closed);
      await expect(cache.has('k')).rejects.toMatchObject(closed);
      await expect(cache.delete('k')).rejects.toMatchObject(closed);
      await expect(cache.clear()).rejects.toMatchObject(closed);
      for (const call of [() => cache.getSync('k'), () => cache.setSync('k', 'v'), () => cache.stats()]) {
        expect(call).toThrow(expect.objectContaining(closed));
      }
    });

    test('errors are StrataErrors with a code and a retry hint', async () => {
      await using cache = await open();
      const error = await cache.get('').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StrataError);
      expect(error).toMatchObject({ name: 'StrataError', code: 'ERR_INVALID_ARG', retryable: false });
    });
  });

  test('`await using` closes the cache at the end of the block', async () => {
    let escaped: Awaited<ReturnType<typeof open>> | undefined;
    {
      await using cache = await open();
      escaped = cache;
    }
    expect(() => escaped!.stats()).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
  });
}

/** The cases about RAM itself: budgets, eviction, the synchronous API, sweeping. */
export function ramContract(Cache: CacheClass): void {
  describe('values', () => {
    test('the synchronous API round-trips bytes and strings', async () => {
      await using cache = await Cache.open();
      cache.setSync('sync', 'value');
      expect(text(cache.getSync('sync'))).toBe('value');
      cache.setSync('bytes', new Uint8Array([0, 1, 2, 255]));
      expect(cache.getSync('bytes')).toBeInstanceOf(Uint8Array);
      expect(Array.from(cache.getSync('bytes')!)).toEqual([0, 1, 2, 255]);
    });

  });

  describe('operations', () => {
    test('has, delete and clear, synchronously and in the statistics', async () => {
      await using cache = await Cache.open();
      await cache.set('a', '1');
      cache.setSync('b', '2');
      expect(await cache.has('a')).toBe(true);
      expect(cache.hasSync('b')).toBe(true);
      expect(await cache.delete('a')).toBe(true);
      expect(await cache.delete('a')).toBe(false);
      expect(cache.deleteSync('b')).toBe(true);
      expect(cache.hasSync('b')).toBe(false);
      await cache.set('c', '3');
      await cache.clear();
      expect(await cache.has('c')).toBe(false);
      expect(cache.stats().tiers[0]!.entries).toBe(0);
      expect(cache.stats().tiers[0]!.bytes).toBe(0);
    });

  });

  describe('TTL', () => {
    test('an expired entry counts as an expiration', async () => {
      await using cache = await Cache.open();
      await cache.set('k', 'v', { ttl: '60ms' });
      expect(text(await cache.get('k'))).toBe('v');
      await sleep(120);
      expect(await cache.get('k')).toBeUndefined();
      expect(cache.hasSync('k')).toBe(false);
      const [tier] = cache.stats().tiers;
      expect(tier!.expirations).toBe(1);
      expect(tier!.entries).toBe(0);
    });

    test('the background sweep removes expired entries nobody reads', async () => {
      await using cache = await Cache.open({ interval: '40ms' });
      for (let i = 0; i < 100; i++) await cache.set(`k${i}`, 'v', { ttl: 30 });
      await cache.set('keep', 'v');
      await sleep(200);
      const [tier] = cache.stats().tiers;
      expect(tier!.expirations).toBe(100);
      expect(tier!.entries).toBe(1);
    });
  });

  describe('TTL rules', () => {
    test('setSync applies the rules of its tags', async () => {
      await using cache = await Cache.open({ ttlRules: [{ tags: { type: 'thumbnail' }, ttl: { ram: 60 } }] });
      cache.setSync('thumb', 'v', { tags: { type: 'thumbnail' } });
      cache.setSync('plain', 'v');
      expect(text(cache.getSync('thumb'))).toBe('v');
      await sleep(120);
      expect(cache.getSync('thumb')).toBeUndefined();
      expect(text(cache.getSync('plain'))).toBe('v');
      expect(() => cache.setSync('k', 'v', { tags: [] as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    });
  });

  describe('budget', () => {
    test('cacheLimit holds under a tenfold overfill with random sizes', async () => {
      await using cache = await Cache.open({ tiers: [ram({ cacheLimit: '1MB' })] });
      const next = random(7);
      let written = 0;
      let i = 0;
      while (written < 10 * MB) {
        const size = Math.floor(next() * 20_000);
        cache.setSync(`key:${i++}`, new Uint8Array(size));
        written += size;
        expect(cache.stats().tiers[0]!.bytes).toBeLessThanOrEqual(MB);
      }
      const [tier] = cache.stats().tiers;
      expect(tier!.evictions).toBeGreaterThan(0);
      expect(tier!.bytes).toBeGreaterThan(MB / 2);
      expect(cache.hasSync(`key:${i - 1}`)).toBe(true); // the newest entry survives
    });

    test('keys and per-entry overhead count, not just value bytes', async () => {
      await using cache = await Cache.open();
      const key = 'k'.repeat(500);
      await cache.set(key, new Uint8Array(100));
      expect(cache.stats().tiers[0]!.bytes).toBeGreaterThan(600);
    });

    test('least recently used entries go first', async () => {
      // Room for five and a half entries, measured, since the per-entry overhead differs between builds.
      let charge: number;
      {
        await using probe = await Cache.open();
        await probe.set('k0', new Uint8Array(1500));
        charge = probe.stats().tiers[0]!.bytes;
      }
      await using cache = await Cache.open({ tiers: [ram({ cacheLimit: Math.floor(5.5 * charge) })] });
      for (let i = 0; i < 5; i++) await cache.set(`k${i}`, new Uint8Array(1500));
      await cache.get('k0'); // k1 becomes the coldest
      await cache.set('k5', new Uint8Array(1500));
      expect(await cache.has('k0')).toBe(true);
      expect(await cache.has('k1')).toBe(false);
    });

    test('a value larger than every tier is refused with ERR_TOO_LARGE', async () => {
      await using cache = await Cache.open({ tiers: [ram({ cacheLimit: '10KB' })] });
      await expect(cache.set('big', new Uint8Array(20_000))).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
      expect(() => cache.setSync('big', new Uint8Array(20_000))).toThrow(StrataError);
    });

    test('bytes read before an eviction stay intact', async () => {
      await using cache = await Cache.open({ tiers: [ram({ cacheLimit: '200KB' })] });
      const value = new Uint8Array(64 * 1024).fill(42);
      await cache.set('pinned', value);
      const read = (await cache.get('pinned'))!;
      for (let i = 0; i < 10; i++) await cache.set(`filler${i}`, new Uint8Array(64 * 1024).fill(i));
      expect(await cache.has('pinned')).toBe(false);
      expect(read.every((b) => b === 42)).toBe(true);
    });

    test.each(['lru', 'lfu', 'sized-lru', 's3-fifo'] as const)('policy %s holds its budget and keeps serving', async (policy) => {
      await using cache = await Cache.open({ tiers: [ram({ cacheLimit: '64KB', policy })] });
      for (let i = 0; i < 200; i++) {
        cache.setSync(`k${i}`, new Uint8Array(1 + ((i * 733) % 3000)));
        cache.getSync(`k${i % 7}`);
      }
      const tier = cache.stats().tiers[0]!;
      expect(tier.bytes).toBeLessThanOrEqual(64 * 1024);
      expect(tier.evictions).toBeGreaterThan(0);
      expect(cache.getSync('k199')?.length).toBe(1 + ((199 * 733) % 3000));
    });
  });

  describe('tiers', () => {
    test('a lower-tier hit is promoted into the tier above', async () => {
      await using cache = await Cache.open({
        tiers: [ram({ name: 'hot', cacheLimit: 4_000 }), ram({ name: 'warm', cacheLimit: '1MB' })],
      });
      await cache.set('a', new Uint8Array(1_500));
      await cache.set('b', new Uint8Array(1_500)); // hot can hold only two such entries
      await cache.set('c', new Uint8Array(1_500)); // evicts 'a' from hot; warm keeps it
      expect(cache.getSync('a')?.length).toBe(1_500); // found in warm...
      const [hot, warm] = cache.stats().tiers;
      expect(warm!.hits).toBe(1);
      expect(hot!.misses).toBe(1);
      expect(hot!.promotions).toBe(1);
      expect(cache.getSync('a')?.length).toBe(1_500); // ...and now served by hot
      expect(cache.stats().tiers[0]!.hits).toBe(1);
    });

    test('stats report each tier by name with all counters', async () => {
      await using cache = await Cache.open({ tiers: [ram({ name: 'l1' }), ram({ name: 'l2' })] });
      await cache.set('k', 'v');
      await cache.get('k');
      await cache.get('nope');
      const stats = cache.stats();
      expect(stats.hits).toBe(1);
      expect(stats.misses).toBe(1);
      expect(stats.tiers.map((t) => t.name)).toEqual(['l1', 'l2']);
      expect(stats.tiers[0]).toEqual({
        name: 'l1', hits: 1, misses: 1, promotions: 0, demotions: 0, entries: 1, bytes: expect.any(Number), evictions: 0,
        expirations: 0,
      });
      expect(stats.tiers[1]!.misses).toBe(1);
    });
  });

  describe('write-back', () => {
    const twoTiers = () => [ram({ name: 'hot', cacheLimit: 4_000 }), ram({ name: 'warm', cacheLimit: '1MB' })];

    test('writes stay in the first tier until evicted from it, then are demoted to the next', async () => {
      await using cache = await Cache.open({ tiers: twoTiers(), writePolicy: 'back' });
      const demoted: string[] = [];
      cache.on('demote', (event) => demoted.push(`${event.tier} ${event.key} ${event.reason}`));
      await cache.set('a', new Uint8Array(1_500));
      cache.setSync('b', new Uint8Array(1_500));
      expect(cache.stats().tiers[1]!.entries).toBe(0);
      await cache.set('c', new Uint8Array(1_500)); // evicts 'a' from hot, which writes it down
      await cache.flush(); // and writes down b and c
      await sleep(10);
      expect(demoted[0]).toBe('warm a evict');
      expect(demoted.slice(1).sort()).toEqual(['warm b flush', 'warm c flush']); // a flush goes in no set order
      const [hot, warm] = cache.stats().tiers;
      expect([hot!.entries, warm!.entries, warm!.demotions]).toEqual([2, 3, 3]);
      expect((await cache.get('a'))?.length).toBe(1_500);
    });

    test('a write-back cache needs a RAM tier first and a tier below; the policy name is checked', async () => {
      await expect(Cache.open({ writePolicy: 'back' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARG' });
      await expect(Cache.open({ tiers: twoTiers(), writePolicy: 'later' as never })).rejects.toMatchObject({
        code: 'ERR_INVALID_ARG',
      });
    });
  });

  describe('entries', () => {
    test("an entry's blobs are charged and evicted as one", async () => {
      await using cache = await Cache.open({ tiers: [ram({ cacheLimit: 8_000 })] });
      const evicted: string[] = [];
      cache.on('evict', (event) => evicted.push(event.key));
      await cache.entry('job').set({ stdout: new Uint8Array(2_000), output: new Uint8Array(2_000) });
      expect(cache.stats().tiers[0]!.bytes).toBeGreaterThan(4_000);
      for (let i = 0; i < 3; i++) await cache.set(`filler${i}`, new Uint8Array(2_000));
      await sleep(20);
      expect(evicted[0]).toBe('job');
      expect(await cache.entry('job').getAll()).toBeUndefined();
    });
  });

  describe('events', () => {
    type Heard = { type: string; tier: string; key: string; reason: string };
    const record = (heard: string[]) => (event: Heard) => heard.push(`${event.type} ${event.tier} ${event.key} ${event.reason}`);
    /** Lets events raised so far reach their listeners (through the event loop in Node). */
    const nextEvents = () => sleep(20);
    const twoTiers = () =>
      Cache.open({ tiers: [ram({ name: 'hot', cacheLimit: 4_000 }), ram({ name: 'warm', cacheLimit: '1MB' })] });

    test('evict and promote events name the key, the tier and why', async () => {
      await using cache = await twoTiers();
      const heard: string[] = [];
      cache.on('evict', record(heard)).on('promote', record(heard));
      await cache.set('a', new Uint8Array(1_500));
      await cache.set('b', new Uint8Array(1_500)); // hot can hold only two such entries
      await cache.set('c', new Uint8Array(1_500));
      await nextEvents();
      expect(heard).toEqual(['evict hot a lru']);
      expect(cache.getSync('a')?.length).toBe(1_500); // from warm, copied into hot, which makes room again
      await nextEvents();
      expect(heard).toEqual(['evict hot a lru', 'evict hot b lru', 'promote hot a warm']);
    });

    test('expire events say whether a read or the sweep found the entry expired', async () => {
      await using cache = await Cache.open({ interval: '200ms' });
      const heard: string[] = [];
      cache.on('expire', record(heard));
      await cache.set('read', 'v', { ttl: 20 });
      await cache.set('swept', 'v', { ttl: 20 });
      await sleep(30);
      expect(cache.getSync('read')).toBeUndefined(); // well before the first sweep
      await sleep(400);
      expect(heard).toEqual(['expire ram read read', 'expire ram swept sweep']);
    });

    test('only the types listened to are reported, until off', async () => {
      await using cache = await twoTiers();
      const evictions: string[] = [];
      const promotions: string[] = [];
      const onPromote = record(promotions);
      cache.on('promote', onPromote);
      cache.on('evict', record(evictions));
      cache.off('promote', onPromote);
      for (const key of ['a', 'b', 'c']) cache.setSync(key, new Uint8Array(1_500));
      cache.getSync('a');
      await nextEvents();
      expect(evictions).toEqual(['evict hot a lru', 'evict hot b lru']);
      expect(promotions).toEqual([]);
      expect(() => cache.on('bogus' as never, () => {})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
    });

    test('a listener that throws breaks neither the cache nor the other listeners', async () => {
      await using cache = await twoTiers();
      const heard: string[] = [];
      const reported: unknown[] = [];
      // Where the emitter reports what a listener threw: reportError in browsers, console.error in Node.
      const global = globalThis as { reportError?: (error: unknown) => void };
      const [reportError, consoleError] = [global.reportError, console.error];
      if (reportError) global.reportError = (error) => reported.push(error);
      else console.error = (_message: unknown, error: unknown) => reported.push(error);
      try {
        cache.on('evict', () => {
          throw new Error('observer bug');
        });
        cache.on('evict', record(heard));
        for (const key of ['a', 'b', 'c', 'd']) await cache.set(key, new Uint8Array(1_500));
        await nextEvents();
        expect(heard).toEqual(['evict hot a lru', 'evict hot b lru']);
        expect(reported.map((error) => (error as Error).message)).toEqual(['observer bug', 'observer bug']);
        expect(cache.getSync('d')?.length).toBe(1_500);
        expect(cache.stats().tiers[0]!.evictions).toBe(2);
      } finally {
        if (reportError) global.reportError = reportError;
        else console.error = consoleError;
      }
    });
  });

  describe('metrics', () => {
    /** Parses the Prometheus text format: each sample's value by `name{labels}`, checking every line's shape. */
    function parseMetrics(text: string): Map<string, number> {
      const types = new Map<string, string>();
      const samples = new Map<string, number>();
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.slice(0, -1).split('\n')) {
        const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
        if (comment) {
          if (comment[1] === 'TYPE') types.set(comment[2]!, comment[3]!);
          continue;
        }
        const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (\d+)$/.exec(line);
        if (!sample) throw new Error(`not a sample: ${line}`);
        expect(types.has(sample[1]!)).toBe(true); // declared before its samples
        samples.set(sample[1]! + (sample[2] ?? ''), Number(sample[3]));
      }
      expect(types.get('stratacache_hits_total')).toBe('counter');
      expect(types.get('stratacache_bytes')).toBe('gauge');
      return samples;
    }

    test('metrics() exposes the statistics in the Prometheus text format', async () => {
      await using cache = await Cache.open({ tiers: [ram({ name: 'hot', cacheLimit: '1MB' }), ram({ name: 'a "b"\\c' })] });
      await cache.set('k', 'v');
      await cache.get('k');
      await cache.get('nope');
      const samples = parseMetrics(cache.metrics());
      const [hot, other] = cache.stats().tiers;
      expect(samples.get('stratacache_cache_hits_total')).toBe(1);
      expect(samples.get('stratacache_cache_misses_total')).toBe(1);
      expect(samples.get('stratacache_hits_total{tier="hot"}')).toBe(1);
      expect(samples.get('stratacache_misses_total{tier="hot"}')).toBe(1);
      expect(samples.get('stratacache_entries{tier="hot"}')).toBe(1);
      expect(samples.get('stratacache_bytes{tier="hot"}')).toBe(hot!.bytes);
      expect(samples.get('stratacache_misses_total{tier="a \\"b\\"\\\\c"}')).toBe(other!.misses);
      expect(samples.get('stratacache_evictions_total{tier="hot"}')).toBe(0);
      expect(samples.size).toBe(2 + 8 * 2);
    });
  });

  namespaceRamCases(Cache);

  describe('bad input', () => {
    const invalid = { code: 'ERR_INVALID_ARG' };

    test.each([
      ['unknown size unit', { tiers: [() => ram({ cacheLimit: '12XB' })] }],
      ['negative limit', { tiers: [() => ram({ cacheLimit: -1 })] }],
      ['non-finite limit', { tiers: [() => ram({ cacheLimit: Infinity })] }],
      ['NaN ttl', { tiers: [() => ram({ ttl: NaN })] }],
      ['unit-less ttl string', { tiers: [() => ram({ ttl: '10' })] }],
      ['unknown ttl unit', { tiers: [() => ram({ ttl: '10 years' })] }],
      ['zero ttl', { tiers: [() => ram({ ttl: 0 })] }],
      ['unknown policy', { tiers: [() => ram({ policy: 'fifo' as never })] }],
    ])('%s throws ERR_INVALID_ARG at the tier function', (_what, { tiers }) => {
      expect(tiers[0]).toThrow(expect.objectContaining(invalid));
    });

    test.each([
      ['empty tiers', { tiers: [] }],
      ['duplicate tier names', { tiers: [ram(), ram()] }],
      ['negative global ttl', { ttl: -5 }],
      ['bad interval', { interval: 'often' }],
      ['a tier that is not a tier', { tiers: [{} as never] }],
    ])('open with %s rejects with ERR_INVALID_ARG', async (_what, options) => {
      await expect(Cache.open(options as never)).rejects.toMatchObject(invalid);
    });
  });
}
