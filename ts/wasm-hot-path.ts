// The RAM hot path of the WebAssembly build (wasm/hot_path.h): the key is encoded straight into a scratch
// region of wasm memory and plain exported functions answer with integers, so a hit costs one wasm call and
// one copy out instead of Embind's per-call string and val conversions.
import { MAX_KEY_BYTES } from './values.js';

/** What the hot path needs of the Emscripten module (exported C functions get a leading underscore). */
export interface HotPathModule {
  /** Views of wasm memory; Emscripten replaces them when memory grows, so they are read afresh after calls. */
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  HEAPF64: Float64Array;
  _strata_key_scratch(): number;
  _strata_hit_slot(): number;
  _strata_get(cache: number, keyLength: number, below: number): number;
  _strata_stage(size: number): number;
  _strata_set(cache: number, keyLength: number, ttlKind: number, ttlMs: number): number;
  _strata_has(cache: number, keyLength: number): number;
  _strata_delete(cache: number, keyLength: number): number;
  _strata_near_slot(): number;
  _strata_change_counters(cache: number): number;
  _strata_touch(cache: number, keyLength: number): number;
  /** The Error behind the last FAILED result. */
  lastError(): Error;
}

// Results below zero (wasm/hot_path.cc).
const MISS = -1;
const FAILED = -2;
const GO_BELOW = -3;
// Room for any key of at most MAX_KEY_BYTES UTF-16 units (3 UTF-8 bytes each at most).
const SCRATCH_BYTES = 3 * MAX_KEY_BYTES;
// Keys this short are copied unit by unit while they are ASCII, which beats TextEncoder's call for them.
const SHORT_KEY = 64;
// Values up to SLAB_VALUE_MAX bytes come back as views of a shared slab, as in the Node build (ts/node.ts) and
// Node's Buffer pool: a fresh ArrayBuffer per small hit costs more than the whole lookup. A view keeps its slab
// alive; larger values get an ArrayBuffer of their own.
const SLAB_BYTES = 65_536;
const SLAB_VALUE_MAX = 4096;

const encoder = new TextEncoder();
// ChangeCounters::kStripes (native/core/include/stratacache/change_counters.h).
const CHANGE_STRIPES = 4096;

export class HotPath {
  readonly #module: HotPathModule;
  readonly #scratchAt: number;
  readonly #hitSlot: number;
  readonly #nearSlot: number;
  #heap: Uint8Array;
  #scratch: Uint8Array;
  #slab = new Uint8Array(SLAB_BYTES);
  #slabCursor = 0;

  constructor(module: HotPathModule) {
    this.#module = module;
    this.#scratchAt = module._strata_key_scratch();
    this.#hitSlot = module._strata_hit_slot() >>> 2;
    this.#nearSlot = module._strata_near_slot();
    this.#heap = module.HEAPU8;
    this.#scratch = this.#heap.subarray(this.#scratchAt, this.#scratchAt + SCRATCH_BYTES);
  }

  /** The value in the RAM tiers; with `below`, null when slower tiers must be asked (WasmCache.getBelow). */
  get(cache: number, key: string, below: boolean): Uint8Array | undefined | null {
    const length = this.#module._strata_get(cache, this.#encode(key), below ? 1 : 0);
    if (length >= 0) return this.#copyOut(this.#module.HEAPU32[this.#hitSlot]!, length);
    if (length === MISS) return undefined;
    if (length === GO_BELOW) return null;
    throw this.#module.lastError();
  }

  /** After a hit of `get`: what the near cache needs of it (ts/near-cache.ts FillInfo, wasm/hot_path.cc NearSlot). */
  nearInfo(into: Float64Array): void {
    const words = this.#nearSlot >>> 2;
    into[0] = this.#module.HEAPU32[words]!;
    into[1] = this.#module.HEAPU32[words + 1]!;
    into[2] = this.#module.HEAPF64[(this.#nearSlot >>> 3) + 1]!;
  }

  /** The cache's change counters, in wasm memory (a view that detaches when memory grows). */
  changeCounters(cache: number): Uint32Array {
    return new Uint32Array(this.#module.HEAPU32.buffer, this.#module._strata_change_counters(cache), CHANGE_STRIPES);
  }

  touch(cache: number, keys: string[]): void {
    for (const key of keys) this.#module._strata_touch(cache, this.#encode(key));
  }

  /** Stores in the RAM tiers at once (and below them in the background). */
  set(cache: number, key: string, value: Uint8Array, ttl: number | null | undefined): void {
    const at = this.#module._strata_stage(value.length); // may grow memory: views are taken after it
    this.#module.HEAPU8.set(value, at);
    const ttlKind = ttl === undefined ? 0 : ttl === null ? 1 : 2;
    this.#check(this.#module._strata_set(cache, this.#encode(key), ttlKind, ttl ?? 0));
  }

  has(cache: number, key: string): boolean {
    return this.#check(this.#module._strata_has(cache, this.#encode(key))) === 1;
  }

  delete(cache: number, key: string): boolean {
    return this.#check(this.#module._strata_delete(cache, this.#encode(key))) === 1;
  }

  /** A copy of `length` bytes of wasm memory at `at` that JavaScript owns. */
  #copyOut(at: number, length: number): Uint8Array {
    const heap = this.#module.HEAPU8;
    if (length > SLAB_VALUE_MAX) return heap.slice(at, at + length);
    if (this.#slabCursor + length > SLAB_BYTES) {
      this.#slab = new Uint8Array(SLAB_BYTES);
      this.#slabCursor = 0;
    }
    const view = this.#slab.subarray(this.#slabCursor, this.#slabCursor + length);
    view.set(heap.subarray(at, at + length));
    this.#slabCursor = (this.#slabCursor + length + 7) & ~7; // 8-byte aligned views, as Node's Buffer pool
    return view;
  }

  /** Encodes the key into the scratch region; returns its UTF-8 length (over the limit when it did not fit). */
  #encode(key: string): number {
    if (this.#module.HEAPU8 !== this.#heap) {
      this.#heap = this.#module.HEAPU8;
      this.#scratch = this.#heap.subarray(this.#scratchAt, this.#scratchAt + SCRATCH_BYTES);
    }
    const scratch = this.#scratch;
    if (key.length <= SHORT_KEY) {
      let i = 0;
      for (; i < key.length; i++) {
        const unit = key.charCodeAt(i);
        if (unit >= 0x80) break;
        scratch[i] = unit;
      }
      if (i === key.length) return i;
    }
    const { read, written } = encoder.encodeInto(key, scratch);
    return read === key.length ? written : MAX_KEY_BYTES + 1;
  }

  #check(result: number): number {
    if (result === FAILED) throw this.#module.lastError();
    return result;
  }
}
