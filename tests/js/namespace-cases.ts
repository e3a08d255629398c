// The contract of cache.namespace(), shared as contract-cases.ts is (Jest in Node for both builds, and the
// browser page): isolation on any tiers, limits on RAM tiers.
import { ram, StrataError } from '../../dist/node.js';
import { type CacheClass, sleep, text, type TierSetup } from './backends.js';

const invalid = { code: 'ERR_INVALID_ARG' };

/** The cases that hold for any tiers. */
export function namespaceTierCases(setup: TierSetup): void {
  const open = () => setup.Cache.open({ tiers: setup.tiers() });

  describe('namespaces', () => {
    test("a namespace's keys live apart from the cache's and other namespaces'", async () => {
      await using cache = await open();
      const a = cache.namespace('a');
      const b = cache.namespace('b');
      await cache.set('k', 'cache');
      await a.set('k', 'in a');
      await b.set('k', 'in b');
      expect(text(await cache.get('k'))).toBe('cache');
      expect(text(await a.get('k'))).toBe('in a');
      expect(text(await b.get('k'))).toBe('in b');
      expect(await a.delete('k')).toBe(true);
      expect(await a.has('k')).toBe(false);
      expect(await a.get('k')).toBeUndefined();
      expect(text(await b.get('k'))).toBe('in b');
      expect(text(await cache.get('k'))).toBe('cache');
      expect(await cache.namespace('c').get('k')).toBeUndefined();
    });

    test('getOrSet and entries are scoped too', async () => {
      await using cache = await open();
      const a = cache.namespace('a');
      let loads = 0;
      const load = async () => `loaded ${++loads}`;
      expect(text(await a.getOrSet('g', load))).toBe('loaded 1');
      expect(text(await cache.getOrSet('g', load))).toBe('loaded 2');
      expect(text(await a.getOrSet('g', load))).toBe('loaded 1');
      await a.entry('e').set({ out: 'o' });
      expect(text(await a.entry('e').get('out'))).toBe('o');
      expect(await cache.entry('e').get('out')).toBeUndefined();
    });

    test('the same name gives the same view, over the same entries', async () => {
      await using cache = await open();
      await cache.namespace('same').set('k', 'v');
      expect(cache.namespace('same')).toBe(cache.namespace('same'));
      expect(text(await cache.namespace('same').get('k'))).toBe('v');
    });

    test('a namespace is not the content namespace, nor a prefix of keys', async () => {
      await using cache = await open();
      await cache.namespace('a').set('b:c', 'scoped');
      expect(await cache.get('a:b:c')).toBeUndefined();
      expect(await cache.namespace('a:b').get('c')).toBeUndefined();
      expect(() => cache.namespace('content')).toThrow(expect.objectContaining(invalid));
    });

    test('a view closes with its cache', async () => {
      const cache = await open();
      const a = cache.namespace('a');
      await a.set('k', 'v');
      await cache.close();
      await expect(a.get('k')).rejects.toMatchObject({ code: 'ERR_CLOSED' });
      expect(() => a.getSync('k')).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
      expect(() => cache.namespace('b')).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
    });

    test.each([
      ['an empty name', ''],
      ['a name that is not a string', 42],
      ['a name over 256 UTF-8 bytes', 'é'.repeat(129)],
    ])('%s throws ERR_INVALID_ARG', async (_what, name) => {
      await using cache = await open();
      expect(() => cache.namespace(name as string)).toThrow(StrataError);
      expect(() => cache.namespace(name as string)).toThrow(expect.objectContaining(invalid));
    });

    test('a name of 256 UTF-8 bytes is fine', async () => {
      await using cache = await open();
      const longest = cache.namespace('é'.repeat(128));
      await longest.set('k', 'v');
      expect(text(await longest.get('k'))).toBe('v');
    });

    test('a size bounds every RAM, disk and IndexedDB tier; naming another kind of tier throws ERR_INVALID_ARG', async () => {
      await using cache = await open();
      const n = cache.namespace('n', { cacheLimit: '1KB' });
      // S3 and HTTP tiers: nothing bounds them.
      const other = setup.tiers().find((tier) => !['ram', 'disk', 'indexeddb'].includes(tier.kind));
      if (other === undefined) {
        await expect(n.set('big', new Uint8Array(10_000))).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
      } else {
        expect(() => cache.namespace('m', { cacheLimit: { [other.name]: '1MB' } })).toThrow(
          expect.objectContaining(invalid),
        );
      }
    });

    test.each([
      ['a bad size', { cacheLimit: '12XB' }],
      ['a negative size', { cacheLimit: -1 }],
      ['an unknown tier', { cacheLimit: { nowhere: '1MB' } }],
      ['a bad size for a tier', { cacheLimit: { ram: 'lots' } }],
      ['options that are not an object', 'big'],
    ])('%s throws ERR_INVALID_ARG before anything changes', async (_what, options) => {
      await using cache = await open();
      expect(() => cache.namespace('n', options as never)).toThrow(expect.objectContaining(invalid));
    });
  });
}

/** The synchronous API and limits, on RAM tiers. */
export function namespaceRamCases(Cache: CacheClass): void {
  test('the synchronous API is scoped, near-cache hits included', async () => {
    await using cache = await Cache.open();
    const a = cache.namespace('a');
    a.setSync('k', 'sync');
    expect(text(a.getSync('k'))).toBe('sync');
    expect(text(a.getSync('k'))).toBe('sync'); // a near-cache hit, if the build keeps one
    expect(cache.getSync('k')).toBeUndefined();
    expect(cache.hasSync('k')).toBe(false);
    cache.setSync('k', 'outside');
    expect(text(cache.getSync('k'))).toBe('outside');
    expect(text(a.getSync('k'))).toBe('sync');
    a.setSync('k', 'rewritten');
    expect(text(a.getSync('k'))).toBe('rewritten');
    expect(text(cache.getSync('k'))).toBe('outside');
    expect(a.deleteSync('k')).toBe(true);
    expect(a.hasSync('k')).toBe(false);
    expect(a.getSync('k')).toBeUndefined();
    expect(text(cache.getSync('k'))).toBe('outside');
  });

  describe('namespace limits', () => {
    type Policy = 'lru' | 'lfu' | 'sized-lru' | 's3-fifo';
    // The bytes one entry of 1,000 bytes under a 2-character key costs in a namespace, measured: the
    // per-entry overhead differs between builds and policies.
    async function entryCharge(policy: Policy = 'lru'): Promise<number> {
      await using probe = await Cache.open({ tiers: [ram({ policy })] });
      probe.namespace('probe').setSync('k0', new Uint8Array(1000));
      return probe.stats().tiers[0]!.bytes;
    }

    test.each(['lru', 'lfu', 'sized-lru', 's3-fifo'] as const)(
      'policy %s: a namespace over its limit evicts its own entries only, with reason namespace',
      async (policy) => {
        const charge = await entryCharge(policy);
        await using cache = await Cache.open({ tiers: [ram({ cacheLimit: '1MB', policy })] });
        const evicted: string[] = [];
        cache.on('evict', (event) => evicted.push(`${event.namespace}/${event.key} ${event.reason}`));
        const small = cache.namespace('small', { cacheLimit: 5 * charge });
        const other = cache.namespace('other');
        for (let i = 0; i < 10; i++) {
          other.setSync(`o${i}`, new Uint8Array(1000));
          cache.setSync(`c${i}`, new Uint8Array(1000));
        }
        const before = cache.stats().tiers[0]!.bytes;
        for (let i = 0; i < 50; i++) small.setSync(`s${i}`, new Uint8Array(1000)); // ten times its limit
        await sleep(20); // events reach listeners through the event loop
        expect(evicted.length).toBe(45);
        expect(evicted.filter((event) => !/^small\/s\d+ namespace$/.test(event))).toEqual([]);
        for (let i = 0; i < 10; i++) {
          expect(other.hasSync(`o${i}`)).toBe(true);
          expect(cache.hasSync(`c${i}`)).toBe(true);
        }
        expect(small.hasSync('s49')).toBe(true); // the newest stays
        // Five more entries, and s3-fifo's ghosts of the evicted, which the tier counts as its own.
        const bytes = cache.stats().tiers[0]!.bytes;
        if (policy === 's3-fifo') expect(bytes).toBeGreaterThan(before + 5 * charge);
        else expect(bytes).toBe(before + 5 * charge);
      },
    );

    test("the tier's own cacheLimit still bounds every namespace together", async () => {
      await using cache = await Cache.open({ tiers: [ram({ cacheLimit: '256KB' })] });
      const a = cache.namespace('a', { cacheLimit: '1MB' });
      const b = cache.namespace('b', { cacheLimit: { ram: '64KB' } });
      for (let i = 0; i < 300; i++) {
        a.setSync(`k${i}`, new Uint8Array(2000));
        b.setSync(`k${i}`, new Uint8Array(2000));
        expect(cache.stats().tiers[0]!.bytes).toBeLessThanOrEqual(256_000);
      }
      expect(a.hasSync('k299')).toBe(true);
      expect(b.hasSync('k299')).toBe(true);
      expect(b.hasSync('k250')).toBe(false); // b holds about 30 entries of its own
    });

    test('a value larger than its namespace may hold is refused with ERR_TOO_LARGE', async () => {
      await using cache = await Cache.open();
      const a = cache.namespace('a', { cacheLimit: '10KB' });
      await expect(a.set('big', new Uint8Array(20_000))).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
      const tooLarge = expect.objectContaining({ code: 'ERR_TOO_LARGE' });
      expect(() => a.setSync('big', new Uint8Array(20_000))).toThrow(tooLarge);
      await cache.set('big', new Uint8Array(20_000)); // the cache itself is not bound by it
    });

    test('opening a namespace again with a lower limit evicts at once: the latest limit wins', async () => {
      const charge = await entryCharge();
      await using cache = await Cache.open();
      const a = cache.namespace('a');
      for (let i = 0; i < 10; i++) a.setSync(`k${i}`, new Uint8Array(1000));
      expect(cache.namespace('a', { cacheLimit: 3 * charge })).toBe(a);
      expect(cache.stats().tiers[0]!.bytes).toBe(3 * charge);
      expect(a.hasSync('k9')).toBe(true);
      expect(a.hasSync('k6')).toBe(false);
      cache.namespace('a', { cacheLimit: 6 * charge });
      for (let i = 10; i < 20; i++) a.setSync(`k${i}`, new Uint8Array(1000));
      expect(cache.stats().tiers[0]!.bytes).toBe(6 * charge);
      cache.namespace('a'); // no cacheLimit: the limit stays
      a.setSync('k20', new Uint8Array(1000));
      expect(cache.stats().tiers[0]!.bytes).toBe(6 * charge);
    });

    test('limits apply per RAM tier by name', async () => {
      const charge = await entryCharge();
      await using cache = await Cache.open({
        tiers: [ram({ name: 'hot', cacheLimit: '1MB' }), ram({ name: 'warm', cacheLimit: '1MB' })],
      });
      const a = cache.namespace('a', { cacheLimit: { hot: 2 * charge } });
      for (let i = 0; i < 5; i++) await a.set(`k${i}`, new Uint8Array(1000));
      const [hot, warm] = cache.stats().tiers;
      expect(hot!.entries).toBe(2);
      expect(warm!.entries).toBe(5);
      expect((await a.get('k0'))?.length).toBe(1000); // from warm, promoted
    });
  });
}
