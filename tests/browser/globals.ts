// What the Jest-written cases expect to find as globals, installed before they are defined: describe, test,
// expect, and the little of Node's Buffer they use.
import { describe, test } from './cases.js';
import { expect } from './expect.js';

/** Buffer.from and Buffer.compare over Uint8Array, which is all the cases need of Node's Buffer. */
const PageBuffer = {
  from(source: string | ArrayLike<number>): Uint8Array {
    return typeof source === 'string' ? new TextEncoder().encode(source) : Uint8Array.from(source);
  },
  compare(a: Uint8Array, b: Uint8Array): number {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return Math.sign(a.length - b.length);
  },
};

Object.assign(globalThis, { describe, test, expect, Buffer: PageBuffer });
