// A regular expression tree (regex.ts) compiled to a Thompson NFA: a program of byte tests, zero-width tests,
// splits and jumps that regex-matcher.ts simulates without backtracking. Counted repetitions are written out
// ('a{2,4}' is 'aaa?a?'), so a program's size is bounded and checked before anything is built.
import { type Assertion, type ByteSet, PatternError, type RegexNode } from './regex.js';

export const OP_BYTES = 0; // consume one byte in sets[a], then go on to pc + 1
export const OP_SPLIT = 1; // go on to both a and b
export const OP_JUMP = 2; // go on to a
export const OP_ASSERT = 3; // go on to pc + 1 when bit (before * 3 + after) of a is set (see `contextOf`)
export const OP_MATCH = 4;
export const OP_SAVE = 5; // record the position in capture slot a, then go on to pc + 1

/** Instructions past this make the pattern 'too big', as GNU grep says of its own limit. */
const MAX_PROGRAM_SIZE = 1 << 18;

export interface Program {
  ops: Uint8Array;
  a: Int32Array;
  b: Int32Array;
  sets: ByteSet[];
}

/** What lies before or after a position, for zero-width tests: the line's edge, a non-word byte, a word byte. */
export const EDGE = 0;
export const OTHER = 1;
export const WORD = 2;

function maskOf(holds: (before: number, after: number) => boolean): number {
  let mask = 0;
  for (let before = 0; before < 3; before++) {
    for (let after = 0; after < 3; after++) if (holds(before, after)) mask |= 1 << (before * 3 + after);
  }
  return mask;
}

const ASSERTION_MASKS: Record<Assertion, number> = {
  lineStart: maskOf((before) => before === EDGE),
  lineEnd: maskOf((_, after) => after === EDGE),
  wordStart: maskOf((before, after) => before !== WORD && after === WORD),
  wordEnd: maskOf((before, after) => before === WORD && after !== WORD),
  wordBoundary: maskOf((before, after) => (before === WORD) !== (after === WORD)),
  notWordBoundary: maskOf((before, after) => (before === WORD) === (after === WORD)),
  notAfterWord: maskOf((before) => before !== WORD),
  notBeforeWord: maskOf((_, after) => after !== WORD),
};

/** Instructions `node` compiles to (for the size check; repetitions multiply). */
function sizeOf(node: RegexNode): number {
  switch (node.kind) {
    case 'bytes':
    case 'assert':
      return 1;
    case 'concat':
      return node.items.reduce((sum, item) => sum + sizeOf(item), 0);
    case 'alternate':
      return node.items.reduce((sum, item) => sum + sizeOf(item) + 2, 0);
    case 'repeat': {
      const item = sizeOf(node.item);
      const copies = node.max === Infinity ? Math.max(node.min, 1) : node.max;
      return copies * (item + 1) + 2;
    }
    case 'group':
      return sizeOf(node.item) + 2;
  }
}

/** ASCII letters in both cases, as grep -i folds under LC_ALL=C. */
function foldCase(set: ByteSet): ByteSet {
  const folded = set.slice();
  for (let upper = 0x41; upper <= 0x5a; upper++) {
    if (set[upper] || set[upper + 0x20]) folded[upper] = folded[upper + 0x20] = 1;
  }
  return folded;
}

export function compileRegex(node: RegexNode, ignoreCase: boolean): Program {
  const size = sizeOf(node) + 1;
  if (size > MAX_PROGRAM_SIZE) throw new PatternError('Regular expression too big');
  const builder = new Builder(size, ignoreCase);
  builder.emit(node);
  builder.push(OP_MATCH, 0, 0);
  return builder.program();
}

class Builder {
  readonly ops: Uint8Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly sets: ByteSet[] = [];
  length = 0;

  constructor(
    capacity: number,
    private readonly ignoreCase: boolean,
  ) {
    this.ops = new Uint8Array(capacity);
    this.a = new Int32Array(capacity);
    this.b = new Int32Array(capacity);
  }

  program(): Program {
    const { length } = this;
    return { ops: this.ops.subarray(0, length), a: this.a.subarray(0, length), b: this.b.subarray(0, length), sets: this.sets };
  }

  push(op: number, a: number, b: number): number {
    const pc = this.length++;
    this.ops[pc] = op;
    this.a[pc] = a;
    this.b[pc] = b;
    return pc;
  }

  emit(node: RegexNode): void {
    switch (node.kind) {
      case 'bytes': {
        const members = this.ignoreCase ? foldCase(node.set) : node.set;
        this.sets.push(node.negated ? members.map((member) => 1 - member) : members);
        this.push(OP_BYTES, this.sets.length - 1, 0);
        return;
      }
      case 'assert':
        this.push(OP_ASSERT, ASSERTION_MASKS[node.assertion], 0);
        return;
      case 'concat':
        for (const item of node.items) this.emit(item);
        return;
      case 'alternate': {
        const jumps: number[] = [];
        node.items.forEach((item, i) => {
          const last = i === node.items.length - 1;
          const split = last ? -1 : this.push(OP_SPLIT, this.length + 1, 0);
          this.emit(item);
          if (!last) {
            jumps.push(this.push(OP_JUMP, 0, 0));
            this.b[split] = this.length;
          }
        });
        for (const jump of jumps) this.a[jump] = this.length;
        return;
      }
      case 'repeat':
        this.emitRepeat(node.item, node.min, node.max);
        return;
      case 'group':
        this.push(OP_SAVE, node.index * 2, 0);
        this.emit(node.item);
        this.push(OP_SAVE, node.index * 2 + 1, 0);
    }
  }

  /** `item` min times, then as a loop (no upper bound) or up to max - min optional copies. */
  private emitRepeat(item: RegexNode, min: number, max: number): void {
    if (max === Infinity) {
      for (let i = 1; i < min; i++) this.emit(item);
      if (min > 0) {
        const loop = this.length;
        this.emit(item);
        this.push(OP_SPLIT, loop, this.length + 1);
      } else {
        const split = this.push(OP_SPLIT, this.length + 1, 0);
        this.emit(item);
        this.push(OP_JUMP, split, 0);
        this.b[split] = this.length;
      }
      return;
    }
    for (let i = 0; i < min; i++) this.emit(item);
    // Each optional copy may skip to the end: 'a{0,3}' is 'a?a?a?' with every '?' leaving the whole.
    const skips: number[] = [];
    for (let i = min; i < max; i++) {
      skips.push(this.push(OP_SPLIT, this.length + 1, 0));
      this.emit(item);
    }
    for (const skip of skips) this.b[skip] = this.length;
  }
}
