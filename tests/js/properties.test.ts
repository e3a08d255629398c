// Property-based fuzzing (fast-check) of what takes input from users and from files: size and duration strings,
// tar archives and snapshots, shell command lines, and keys through both builds. Each property states what must
// hold for every input: a result, or a StrataError with the documented code; never another exception, a hang or
// another key's value. A failure prints its seed and the shrunk input, so it can be replayed.
import fc from 'fast-check';

import { memoryResource, ram, StrataError, Workspace } from '../../dist/node.js';
import { readTar, tarToBytes } from '../../dist/workspace/tar.js';
import { parseDuration, parseSize } from '../../dist/units.js';
import { backends } from './backends.js';

/** Runs `work`; a StrataError's code, or 'ok'. Anything else thrown fails the property. */
async function outcome(work: () => unknown): Promise<string> {
  try {
    await work();
    return 'ok';
  } catch (error) {
    if (error instanceof StrataError) return error.code;
    throw error;
  }
}

describe('size and duration strings', () => {
  const units = fc.constantFrom('', 'b', 'KB', 'mb', 'GiB', 'kib', 'ms', 's', 'm', 'h', 'd', 'x', 'µs', '1');
  const sizeLike = fc.oneof(
    fc.string(),
    fc.tuple(fc.constantFrom(' ', '', '-', '+', '.'), fc.double(), fc.constantFrom(' ', ''), units).map((parts) => parts.join('')),
  );

  test('parse to a whole positive safe number, or refuse with ERR_INVALID_ARG', () => {
    fc.assert(
      fc.property(fc.oneof(sizeLike, fc.double(), fc.integer()), (input) => {
        for (const parse of [parseSize, parseDuration]) {
          try {
            const value = parse(input as string);
            if (!Number.isSafeInteger(value) || value < 1) return false;
          } catch (error) {
            if (!(error instanceof StrataError) || error.code !== 'ERR_INVALID_ARG') return false;
          }
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  test('a number with a unit is that many units', () => {
    const sizeUnits: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, KiB: 1024, MiB: 2 ** 20, GiB: 2 ** 30 };
    const durationUnits: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(...Object.keys(sizeUnits)), (n, unit) =>
        parseSize(`${n}${unit}`) === n * sizeUnits[unit]!,
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(...Object.keys(durationUnits)), (n, unit) =>
        parseDuration(`${n} ${unit}`) === n * durationUnits[unit]!,
      ),
    );
  });
});

describe('tar archives and snapshots', () => {
  let archive: Uint8Array;
  beforeAll(async () => {
    archive = await tarToBytes(async (writer) => {
      await writer.addDirectory('docs');
      await writer.addFile('docs/a.txt', new TextEncoder().encode('alpha\n'.repeat(50)));
      await writer.addFile(`deep/${'long-name-'.repeat(12)}/b.bin`, new Uint8Array(700).fill(7));
      await writer.addFile('empty', new Uint8Array(0));
    });
  });

  /** An archive with damage: bytes overwritten, a cut, or a slice repeated. */
  const damaged = (): fc.Arbitrary<Uint8Array> =>
    fc.oneof(
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((edits) => {
        const copy = archive.slice();
        for (const [at, byte] of edits) copy[at % copy.length] = byte;
        return copy;
      }),
      fc.nat().map((at) => archive.slice(0, at % archive.length)),
      fc.tuple(fc.nat(), fc.nat({ max: 2048 })).map(([at, length]) => {
        const cut = at % archive.length;
        const repeated = archive.subarray(cut, cut + length);
        const copy = new Uint8Array(archive.length + repeated.length);
        copy.set(archive.subarray(0, cut));
        copy.set(repeated, cut);
        copy.set(archive.subarray(cut), cut + repeated.length);
        return copy;
      }),
    );

  test('a damaged archive reads whole or is refused with ERR_CORRUPT or ERR_INVALID_ARG, never worse', async () => {
    await fc.assert(
      fc.asyncProperty(damaged(), async (bytes) => {
        const code = await outcome(async () => {
          for await (const entry of readTar(bytes)) {
            if (entry.path.startsWith('/') || entry.path.split('/').includes('..')) throw new Error(`unsafe ${entry.path}`);
          }
        });
        return ['ok', 'ERR_CORRUPT', 'ERR_INVALID_ARG'].includes(code);
      }),
      { numRuns: 300 },
    );
  });

  test('loading a damaged snapshot opens a workspace or is refused with a StrataError', async () => {
    const workspace = await Workspace.open({ mounts: { '/m': memoryResource({ 'a.txt': 'alpha', 'b/c.txt': 'gamma' }) } });
    await workspace.readFile('/m/a.txt');
    await workspace.readFile('/m/b/c.txt');
    const { archive: snapshot } = await workspace.snapshot();
    await workspace.close();
    const mounts = () => ({ '/m': memoryResource({ 'a.txt': 'alpha', 'b/c.txt': 'gamma' }) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        async (edits) => {
          const copy = snapshot.slice();
          for (const [at, byte] of edits) copy[at % copy.length] = byte;
          const code = await outcome(async () => {
            const loaded = await Workspace.load(copy, { mounts: mounts() });
            // Whatever was restored, a read gives the source's bytes or the snapshot's, never a mix of others.
            const text = new TextDecoder().decode(await loaded.readFile('/m/a.txt'));
            await loaded.close();
            if (text.length !== 5) throw new Error(`read ${JSON.stringify(text)}`);
          });
          return code !== 'ERR_INTERNAL';
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('shell command lines', () => {
  const token = fc.oneof(
    fc.constantFrom('ls', 'cat', 'head', 'tail', 'wc', 'grep', 'find', 'stat', 'du', 'echo', 'sort', 'nope'),
    fc.constantFrom('-l', '-n', '-c', '-r', '-E', '-i', '-v', '-name', '-type', '-5', '--', '-', '-q'),
    fc.constantFrom('/m', '/m/a.txt', '/m/b', '/m/*.txt', '/m/b/**', '..', '/', '/missing', '.'),
    fc.constantFrom('|', ';', '&&', '||', '>', '<', '$(', ')', '`', "'", '"', '\\', '*', '[', ']', '{', '}', '\n'),
    fc.string({ maxLength: 6 }),
  );
  const commandLine = fc.array(token, { minLength: 1, maxLength: 10 }).map((tokens) => tokens.join(' '));

  test('every command line runs to an exit code or is refused with a StrataError', async () => {
    const workspace = await Workspace.open({
      mounts: { '/m': memoryResource({ 'a.txt': 'alpha\nbeta\n', 'b/c.txt': 'gamma\n', 'b/d e.txt': '' }) },
    });
    try {
      await fc.assert(
        fc.asyncProperty(commandLine, async (line) => {
          try {
            const result = await workspace.execute(line);
            return Number.isInteger(result.exitCode) && typeof result.stdout === 'string';
          } catch (error) {
            return error instanceof StrataError;
          }
        }),
        { numRuns: 1500 },
      );
    } finally {
      await workspace.close();
    }
  });
});

describe.each(backends)('keys (%s)', (_name, Cache) => {
  // Any UTF-16 string, lone surrogates included; half of them a short prefix and one lone surrogate, so that
  // pairs differing only in an unpaired surrogate come up often.
  const anyKey = fc.oneof(
    fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 12 }).map((units) =>
      String.fromCharCode(...units),
    ),
    fc.tuple(fc.constantFrom('user:', 'k'), fc.integer({ min: 0xd800, max: 0xdfff })).map(
      ([prefix, unit]) => prefix + String.fromCharCode(unit),
    ),
  );

  test('two different keys never read each other’s value; a key the cache cannot keep is refused', async () => {
    const cache = await Cache.open({ tiers: [ram()] });
    try {
      await fc.assert(
        fc.asyncProperty(anyKey, anyKey, async (first, second) => {
          fc.pre(first !== second);
          await cache.clear();
          const setFirst = await outcome(() => cache.set(first, 'first'));
          const setSecond = await outcome(() => cache.set(second, 'second'));
          if (setFirst !== 'ok') return setFirst === 'ERR_INVALID_ARG';
          const read = await cache.get(first);
          if (setSecond !== 'ok') return setSecond === 'ERR_INVALID_ARG' && new TextDecoder().decode(read) === 'first';
          return new TextDecoder().decode(read) === 'first' && new TextDecoder().decode(await cache.get(second)) === 'second';
        }),
        { numRuns: 500 },
      );
    } finally {
      await cache.close();
    }
  });
});
