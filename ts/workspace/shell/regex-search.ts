// Where a compiled regular expression (regex-program.ts) matches, and what its groups matched, as sed's s///
// needs: the leftmost match, the longest of those starting there (POSIX), found by simulating the NFA
// (a Pike VM) without backtracking, so one search costs time proportional to the bytes it reads times the
// program's size, whatever the pattern. Among the ways to match that same extent, groups take what the
// first-listed alternative and the greediest repetition give (POSIX's subexpression rules differ from this
// in rare cases of nested repetitions).
import { isWordByte } from './regex.js';
import { EDGE, OP_ASSERT, OP_BYTES, OP_JUMP, OP_MATCH, OP_SAVE, OP_SPLIT, OTHER, type Program, WORD } from './regex-program.js';

export interface Match {
  start: number;
  end: number;
  /** Start and end of group k at [2k] and [2k + 1], -1 when it took no part; group 0 is the match. */
  groups: Int32Array;
}

interface Thread {
  pc: number;
  /** Capture slots; slot 0 holds the match's start. Shared between threads until one saves. */
  slots: Int32Array;
}

const kindOf = (byte: number): number => (isWordByte(byte) ? WORD : OTHER);

export class RegexSearcher {
  readonly #program: Program;
  readonly #slotCount: number;
  readonly #marks: Uint32Array;
  #generation = 0;

  /** The bytes a match can start with, when every match starts with a byte (none is empty or asserts first). */
  readonly #firstBytes: Uint8Array | undefined;

  constructor(program: Program, groups: number) {
    this.#program = program;
    this.#slotCount = (groups + 1) * 2;
    this.#marks = new Uint32Array(program.ops.length);
    this.#firstBytes = firstBytes(program);
  }

  /**
   * The leftmost-longest match starting at or after `from` in bytes[start, end) (a line or sed's pattern
   * space: '^' and '$' hold at its edges), or undefined.
   */
  search(bytes: Uint8Array, from: number, start = 0, end = bytes.length): Match | undefined {
    const contextAt = (i: number, side: 'before' | 'after'): number =>
      side === 'before' ? (i <= start ? EDGE : kindOf(bytes[i - 1]!)) : i >= end ? EDGE : kindOf(bytes[i]!);
    let threads: Thread[] = [];
    let best: { slots: Int32Array; end: number } | undefined;
    const first = this.#firstBytes;
    for (let i = from; i <= end; i++) {
      if (first !== undefined && threads.length === 0 && best === undefined) {
        // Nothing under way: skip to where a match can start.
        while (i < end && first[bytes[i]!] === 0) i++;
        if (i === end) break;
      }
      const bit = 1 << (contextAt(i, 'before') * 3 + contextAt(i, 'after'));
      const generation = ++this.#generation;
      const closed: Thread[] = [];
      // Threads in order of their start, then of preference; a new one (starting here) comes last, and only
      // while no match was found (a later start can never be leftmost).
      const seeds = [...threads];
      if (best === undefined) {
        const slots = new Int32Array(this.#slotCount).fill(-1);
        slots[0] = i;
        seeds.push({ pc: 0, slots });
      }
      for (const seed of seeds) {
        const matched = this.#close(seed, i, bit, generation, closed);
        if (matched === undefined) continue;
        // Seeds come earliest start first, so the first to match here is the one to keep for this end.
        if (best === undefined || matched[0]! < best.slots[0]! || (matched[0] === best.slots[0] && i > best.end)) {
          best = { slots: matched, end: i };
        }
      }
      if (best !== undefined) {
        const bestStart = best.slots[0]!;
        threads = closed.filter((thread) => thread.slots[0]! <= bestStart);
      } else {
        threads = closed;
      }
      if (i === end || (threads.length === 0 && best !== undefined)) break;
      const byte = bytes[i]!;
      const { ops, a, sets } = this.#program;
      threads = threads.filter((thread) => ops[thread.pc] === OP_BYTES && sets[a[thread.pc]!]![byte] === 1);
      for (const thread of threads) thread.pc += 1;
    }
    if (best === undefined) return undefined;
    const groups = best.slots.slice();
    groups[1] = best.end;
    return { start: groups[0]!, end: best.end, groups };
  }

  /**
   * Follows `seed` through splits, jumps, saves and the assertions that hold here (`bit`), adding the byte
   * tests it reaches to `out` unless an earlier thread reached them first; returns its slots if it matches.
   */
  #close(seed: Thread, position: number, bit: number, generation: number, out: Thread[]): Int32Array | undefined {
    const { ops, a, b } = this.#program;
    const marks = this.#marks;
    const stack: Thread[] = [seed];
    let matched: Int32Array | undefined;
    while (stack.length > 0) {
      const { pc, slots } = stack.pop()!;
      if (marks[pc] === generation) continue;
      marks[pc] = generation;
      switch (ops[pc]) {
        case OP_BYTES:
          out.push({ pc, slots });
          break;
        case OP_SPLIT:
          stack.push({ pc: b[pc]!, slots }, { pc: a[pc]!, slots });
          break;
        case OP_JUMP:
          stack.push({ pc: a[pc]!, slots });
          break;
        case OP_ASSERT:
          if (a[pc]! & bit) stack.push({ pc: pc + 1, slots });
          break;
        case OP_SAVE: {
          const saved = slots.slice();
          saved[a[pc]!] = position;
          stack.push({ pc: pc + 1, slots: saved });
          break;
        }
        case OP_MATCH:
          matched ??= slots;
      }
    }
    return matched;
  }
}

/** The union of the byte sets a program can consume first, or undefined if it can match or assert before one. */
function firstBytes(program: Program): Uint8Array | undefined {
  const { ops, a, b, sets } = program;
  const union = new Uint8Array(256);
  const seen = new Uint8Array(ops.length);
  const stack = [0];
  while (stack.length > 0) {
    const pc = stack.pop()!;
    if (seen[pc]) continue;
    seen[pc] = 1;
    switch (ops[pc]) {
      case OP_BYTES:
        sets[a[pc]!]!.forEach((member, byte) => (union[byte] ||= member));
        break;
      case OP_SPLIT:
        stack.push(a[pc]!, b[pc]!);
        break;
      case OP_JUMP:
        stack.push(a[pc]!);
        break;
      case OP_SAVE:
        stack.push(pc + 1);
        break;
      default:
        return undefined;
    }
  }
  return union;
}
