// Whether a compiled regular expression (regex-program.ts) matches somewhere in a line, in time linear in the
// line: a DFA built lazily from the NFA, one state per set of NFA threads (and what the last byte was, for
// '^', '\b' and the like). Each byte costs one table lookup, or one pass over the program the first time a state
// meets it; the states are cached, up to a bound past which the cache starts afresh, so memory stays bounded.
import { isWordByte } from './regex.js';
import { EDGE, OP_ASSERT, OP_BYTES, OP_JUMP, OP_MATCH, OP_SAVE, OP_SPLIT, OTHER, type Program, WORD } from './regex-program.js';

/** Column of the transition table taken at the end of the line. */
const END = 256;
const COLUMNS = 257;
const UNKNOWN = 0;
/** Table values: MATCHED, or the next state's index + 1 (so that a zeroed table means 'not computed yet'). */
const MATCHED = -1;
const NO_MATCH = -2;
/** States cached before the cache is cleared (each costs a 1 KB row of transitions and its thread list). */
const MAX_STATES = 2048;
const MAX_CACHED_THREADS = 1 << 20;
/**
 * A state with more threads than this is not cached: it would rarely recur, and sorting and keying it would cost
 * more than the step. It lives in the scratch state, whose transitions are always computed afresh.
 */
const MAX_CACHED_STATE_THREADS = 256;
const START = 0;
const SCRATCH = 1;

const byteKind = Uint8Array.from({ length: 256 }, (_, byte) => (isWordByte(byte) ? WORD : OTHER));

interface State {
  /** NFA threads waiting at this position, sorted: where the last bytes left them (the start is implied). */
  threads: Int32Array;
  /** EDGE at the start of the line, else the kind of the byte before. */
  before: number;
}

export class RegexMatcher {
  readonly #program: Program;
  #states: State[] = [];
  readonly #ids = new Map<string, number>();
  #table = new Int32Array(0);
  #cachedThreads = 0;
  // Scratch space for one step: marks (by generation) of visited instructions and of threads already queued.
  readonly #visited: Uint32Array;
  readonly #queued: Uint32Array;
  #generation = 0;
  readonly #stack: Int32Array;
  readonly #next: Int32Array;

  constructor(program: Program) {
    this.#program = program;
    const size = program.ops.length;
    this.#visited = new Uint32Array(size);
    this.#queued = new Uint32Array(size);
    this.#stack = new Int32Array(size * 3 + 1); // each instruction pushes at most two, plus the threads
    this.#next = new Int32Array(size);
    this.#reset();
  }

  /** Whether the expression matches somewhere in bytes[start, end) (one line, without its '\n'). */
  matches(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
    let state = START;
    for (let i = start; i <= end; i++) {
      const column = i < end ? bytes[i]! : END;
      let next = state === SCRATCH ? UNKNOWN : this.#table[state * COLUMNS + column]!;
      if (next === UNKNOWN) next = this.#step(state, column);
      if (next === MATCHED) return true;
      if (next === NO_MATCH) return false;
      state = next - 1;
    }
    return false;
  }

  #reset(): void {
    this.#states = [];
    this.#ids.clear();
    this.#cachedThreads = 0;
    this.#table = new Int32Array(64 * COLUMNS);
    this.#intern(new Int32Array(0), EDGE); // START: the start of a line
    this.#states.push({ threads: new Int32Array(0), before: EDGE }); // SCRATCH
  }

  #intern(threads: Int32Array, before: number): number {
    const key = `${before}:${threads.join(',')}`;
    const known = this.#ids.get(key);
    if (known !== undefined) return known;
    const id = this.#states.length;
    this.#states.push({ threads, before });
    this.#ids.set(key, id);
    this.#cachedThreads += threads.length;
    if (this.#table.length < (id + 1) * COLUMNS) {
      const grown = new Int32Array(this.#table.length * 2);
      grown.set(this.#table);
      this.#table = grown;
    }
    return id;
  }

  /**
   * Runs every thread of `stateId`, and a new one from the start (a match may begin anywhere), through the
   * zero-width instructions that hold between the byte before and `column`, then over the byte `column`.
   */
  #step(stateId: number, column: number): number {
    let state = this.#states[stateId]!;
    if (stateId !== SCRATCH && (this.#states.length >= MAX_STATES || this.#cachedThreads >= MAX_CACHED_THREADS)) {
      this.#reset();
      stateId = this.#intern(state.threads, state.before);
      state = this.#states[stateId]!;
    }
    const { ops, a, b, sets } = this.#program;
    const after = column === END ? EDGE : byteKind[column]!;
    const bit = 1 << (state.before * 3 + after);
    const generation = ++this.#generation;
    const stack = this.#stack;
    const next = this.#next;
    const visited = this.#visited;
    const queued = this.#queued;
    let nextCount = 0;
    let top = 0;
    stack[top++] = 0;
    for (const thread of state.threads) stack[top++] = thread;
    let result = 0;
    while (top > 0 && result === 0) {
      const pc = stack[--top]!;
      if (visited[pc] === generation) continue;
      visited[pc] = generation;
      switch (ops[pc]) {
        case OP_BYTES:
          if (column !== END && sets[a[pc]!]![column] && queued[pc + 1] !== generation) {
            queued[pc + 1] = generation;
            next[nextCount++] = pc + 1;
          }
          break;
        case OP_SPLIT:
          stack[top++] = b[pc]!;
          stack[top++] = a[pc]!;
          break;
        case OP_JUMP:
          stack[top++] = a[pc]!;
          break;
        case OP_SAVE:
          stack[top++] = pc + 1;
          break;
        case OP_ASSERT:
          if (a[pc]! & bit) stack[top++] = pc + 1;
          break;
        case OP_MATCH:
          result = MATCHED;
      }
    }
    if (result !== 0 || column === END) return this.#remember(stateId, column, result || NO_MATCH);
    if (nextCount > MAX_CACHED_STATE_THREADS) {
      this.#states[SCRATCH] = { threads: next.slice(0, nextCount), before: after };
      return SCRATCH + 1;
    }
    return this.#remember(stateId, column, this.#intern(next.slice(0, nextCount).sort(), after) + 1);
  }

  #remember(stateId: number, column: number, result: number): number {
    if (stateId !== SCRATCH) this.#table[stateId * COLUMNS + column] = result;
    return result;
  }
}
