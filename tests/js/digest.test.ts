// digest() against the official BLAKE3 test vectors, in both builds: each computes it in the C++ core.
import { readFileSync } from 'node:fs';

import { digest as nodeDigest } from '../../dist/node.js';
import { digest as wasmDigest, init } from '../../dist/wasm.js';

interface Vectors {
  cases: Array<{ input_len: number; hash: string }>;
}

const vectors = JSON.parse(
  readFileSync(new URL('../testdata/blake3_test_vectors.json', import.meta.url), 'utf8'),
) as Vectors;

/** The vectors' input: the bytes 0, 1, ..., 250 repeated. */
const input = (length: number) => Uint8Array.from({ length }, (_, i) => i % 251);

const digests: Array<[string, (value: Uint8Array | string) => string]> = [
  ['node addon', nodeDigest],
  ['wasm', wasmDigest],
];

beforeAll(() => init());

describe.each(digests)('digest (%s)', (_name, digest) => {
  test('matches every official BLAKE3 vector (the first 32 bytes of the extended output)', () => {
    expect(vectors.cases.length).toBeGreaterThan(30);
    for (const { input_len: length, hash } of vectors.cases) {
      expect([length, digest(input(length))]).toEqual([length, hash.slice(0, 64)]);
    }
  });

  test('hashes a string as its UTF-8 bytes and refuses what is neither', () => {
    expect(digest('héllo')).toBe(digest(new TextEncoder().encode('héllo')));
    expect(() => digest(42 as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
  });
});
