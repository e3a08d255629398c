// Which lines of two files differ, chosen as GNU diff chooses them, so that the hunks match its output:
// lines are numbered by equivalence class; lines that match nothing in the other file (and runs of lines
// that match too much) are set aside first; Myers' O(ND) search with a middle snake, in linear space, splits
// the rest in two recursively, and gives up on minimality past a cost of about the square root of the
// input (never less than 4096), which bounds its time; then runs of changes are slid to join their
// neighbours. The caller passes only the lines between the files' common prefix and suffix.
import type { Pacer } from './io.js';

/** For each line of a file (from 1; [0] and [length + 1] stay 0 as sentinels), whether it changed. */
export type ChangedFlags = Uint8Array;

/** Class numbers of the lines of both files (equal lines, equal numbers; numbers from 1). */
export async function changedLines(xs: Int32Array, ys: Int32Array, pacer: Pacer): Promise<[ChangedFlags, ChangedFlags]> {
  const changed: [ChangedFlags, ChangedFlags] = [new Uint8Array(xs.length + 2), new Uint8Array(ys.length + 2)];
  const [keptX, keptY] = await setAsideUnmatched([xs, ys], changed, pacer);
  const search = new MiddleSnakeSearch(keptX.classes, keptY.classes, pacer);
  const note = (kept: KeptLines, from: number, to: number, flags: ChangedFlags) => {
    for (let i = from; i < to; i++) flags[kept.index[i]! + 1] = 1;
  };
  await search.compare(0, keptX.classes.length, 0, keptY.classes.length, false, (x0, x1, y0, y1) => {
    note(keptX, x0, x1, changed[0]);
    note(keptY, y0, y1, changed[1]);
  });
  await slideChanges(xs, changed[0], changed[1], pacer);
  await slideChanges(ys, changed[1], changed[0], pacer);
  return changed;
}

/** The lines the search looks at: their classes, and where each is in the file. */
interface KeptLines {
  classes: Int32Array;
  index: Int32Array;
}

const floorLog2 = (n: number): number => 31 - Math.clz32(n);

/**
 * Marks as changed each line with no equal in the other file, and, inside runs of those, lines with very
 * many equals (they would only confuse the search), as GNU diff's discard_confusing_lines does; returns
 * the lines left for the search.
 */
async function setAsideUnmatched(
  files: [Int32Array, Int32Array], changed: [ChangedFlags, ChangedFlags], pacer: Pacer,
): Promise<[KeptLines, KeptLines]> {
  let classCount = 1;
  for (const classes of files) for (const c of classes) if (c >= classCount) classCount = c + 1;
  const counts = files.map((classes) => {
    const count = new Int32Array(classCount);
    for (const c of classes) count[c]!++;
    return count;
  });
  const result: KeptLines[] = [];
  for (const f of [0, 1]) {
    const classes = files[f]!;
    const end = classes.length;
    const other = counts[1 - f]!;
    // 0: keep; 1: set aside; 2: set aside only inside a run of lines set aside.
    const marks = new Uint8Array(end);
    const many = 5 << (end < 64 ? 0 : (floorLog2(end) >> 1) - 3);
    for (let i = 0; i < end; i++) {
      const matches = other[classes[i]!]!;
      marks[i] = matches === 0 ? 1 : matches > many ? 2 : 0;
      if (pacer.due()) await pacer.pause();
    }
    confirmProvisional(marks);
    const kept: KeptLines = { classes: new Int32Array(end), index: new Int32Array(end) };
    let count = 0;
    for (let i = 0; i < end; i++) {
      if (marks[i] === 0) {
        kept.classes[count] = classes[i]!;
        kept.index[count++] = i;
      } else {
        changed[f]![i + 1] = 1;
      }
    }
    result.push({ classes: kept.classes.subarray(0, count), index: kept.index.subarray(0, count) });
  }
  return result as [KeptLines, KeptLines];
}

/** Keeps a provisional mark (2) only well inside a run of lines set aside, clearing the others. */
function confirmProvisional(marks: Uint8Array): void {
  const end = marks.length;
  for (let i = 0; i < end; i++) {
    if (marks[i] === 2) {
      marks[i] = 0;
      continue;
    }
    if (marks[i] === 0) continue;
    let provisional = 0;
    let j = i;
    for (; j < end && marks[j] !== 0; j++) if (marks[j] === 2) provisional++;
    // The run ends with a line that matches nothing.
    while (j > i && marks[j - 1] === 2) {
      marks[--j] = 0;
      provisional--;
    }
    const length = j - i;
    if (length >> 2 < provisional) {
      for (let k = i; k < j; k++) if (marks[k] === 2) marks[k] = 0;
      i = j - 1;
      continue;
    }
    // Long subruns of provisional lines go back to the search.
    const minimum = length < 4 ? 2 : (1 << ((floorLog2(length) >> 1) - 1)) + 1;
    for (let k = 0, consecutive = 0; k < length; k++) {
      if (marks[i + k] !== 2) consecutive = 0;
      else if (minimum === ++consecutive) k -= consecutive;
      else if (minimum < consecutive) marks[i + k] = 0;
    }
    clearRunEdge(marks, i, length, 1);
    i += length - 1;
    clearRunEdge(marks, i, length, -1);
  }
}

/** From one end of a run, clears provisional marks up to 3 firm ones in a row or a firm one 8 lines in. */
function clearRunEdge(marks: Uint8Array, from: number, length: number, step: 1 | -1): void {
  for (let k = 0, consecutive = 0; k < length; k++) {
    const at = from + k * step;
    if (k >= 8 && marks[at] === 1) break;
    if (marks[at] === 2) {
      consecutive = 0;
      marks[at] = 0;
    } else if (marks[at] === 0) {
      consecutive = 0;
    } else if (++consecutive === 3) {
      break;
    }
  }
}

/** Whether the search may stop early once a route is this long (the caller asked for none minimal). */
const MINIMUM_TOO_EXPENSIVE = 4096;
const FAR = 0x7fffffff;

/** Where a search splits its problem, and whether each half is known to have a shortest script. */
interface Middle {
  x: number;
  y: number;
  lowMinimal: boolean;
  highMinimal: boolean;
}

/** Myers' search for the middle of a shortest edit script, forward and backward at once, in linear space. */
class MiddleSnakeSearch {
  private readonly forward: Int32Array;
  private readonly backward: Int32Array;
  /** Offset of diagonal 0 in the two vectors (diagonals run from -ys.length - 1 to xs.length + 1). */
  private readonly zero: number;
  private readonly tooExpensive: number;

  constructor(
    private readonly xs: Int32Array,
    private readonly ys: Int32Array,
    private readonly pacer: Pacer,
  ) {
    const diagonals = xs.length + ys.length + 3;
    this.forward = new Int32Array(diagonals);
    this.backward = new Int32Array(diagonals);
    this.zero = ys.length + 1;
    this.tooExpensive = Math.max(MINIMUM_TOO_EXPENSIVE, 2 ** ((floorLog2(diagonals) >> 1) + 1));
  }

  /** Reports the lines [x0, x1) of xs and [y0, y1) of ys that differ, in runs. */
  async compare(
    xoff: number, xlim: number, yoff: number, ylim: number, minimal: boolean,
    report: (x0: number, x1: number, y0: number, y1: number) => void,
  ): Promise<void> {
    const { xs, ys } = this;
    while (xoff < xlim && yoff < ylim && xs[xoff] === ys[yoff]) xoff++, yoff++;
    while (xoff < xlim && yoff < ylim && xs[xlim - 1] === ys[ylim - 1]) xlim--, ylim--;
    if (xoff === xlim || yoff === ylim) {
      report(xoff, xlim, yoff, ylim);
      return;
    }
    const middle = await this.middle(xoff, xlim, yoff, ylim, minimal);
    await this.compare(xoff, middle.x, yoff, middle.y, middle.lowMinimal, report);
    await this.compare(middle.x, xlim, middle.y, ylim, middle.highMinimal, report);
  }

  private async middle(xoff: number, xlim: number, yoff: number, ylim: number, minimal: boolean): Promise<Middle> {
    const { xs, ys, forward: fd, backward: bd, zero: z } = this;
    const dmin = xoff - ylim;
    const dmax = xlim - yoff;
    const fmid = xoff - yoff;
    const bmid = xlim - ylim;
    let fmin = fmid;
    let fmax = fmid;
    let bmin = bmid;
    let bmax = bmid;
    const odd = ((fmid - bmid) & 1) !== 0;
    fd[z + fmid] = xoff;
    bd[z + bmid] = xlim;
    for (let cost = 1; ; cost++) {
      if (this.pacer.due(fmax - fmin + 1)) await this.pacer.pause();
      if (fmin > dmin) fd[z + --fmin - 1] = -1;
      else ++fmin;
      if (fmax < dmax) fd[z + ++fmax + 1] = -1;
      else --fmax;
      for (let d = fmax; d >= fmin; d -= 2) {
        const low = fd[z + d - 1]!;
        const high = fd[z + d + 1]!;
        let x = low < high ? high : low + 1;
        let y = x - d;
        while (x < xlim && y < ylim && xs[x] === ys[y]) x++, y++;
        fd[z + d] = x;
        if (odd && bmin <= d && d <= bmax && bd[z + d]! <= x) return { x, y, lowMinimal: true, highMinimal: true };
      }
      if (bmin > dmin) bd[z + --bmin - 1] = FAR;
      else ++bmin;
      if (bmax < dmax) bd[z + ++bmax + 1] = FAR;
      else --bmax;
      for (let d = bmax; d >= bmin; d -= 2) {
        const low = bd[z + d - 1]!;
        const high = bd[z + d + 1]!;
        let x = low < high ? low : high - 1;
        let y = x - d;
        while (xoff < x && yoff < y && xs[x - 1] === ys[y - 1]) x--, y--;
        bd[z + d] = x;
        if (!odd && fmin <= d && d <= fmax && x <= fd[z + d]!) return { x, y, lowMinimal: true, highMinimal: true };
      }
      if (minimal || cost < this.tooExpensive) continue;
      // Gone well beyond the call of duty: split halfway between the furthest points reached.
      let forwardBest = -1;
      let forwardX = 0;
      for (let d = fmax; d >= fmin; d -= 2) {
        let x = Math.min(fd[z + d]!, xlim);
        let y = x - d;
        if (ylim < y) x = ylim + d, y = ylim;
        if (forwardBest < x + y) forwardBest = x + y, forwardX = x;
      }
      let backwardBest = FAR;
      let backwardX = 0;
      for (let d = bmax; d >= bmin; d -= 2) {
        let x = Math.max(xoff, bd[z + d]!);
        let y = x - d;
        if (y < yoff) x = yoff + d, y = yoff;
        if (x + y < backwardBest) backwardBest = x + y, backwardX = x;
      }
      if (xlim + ylim - backwardBest < forwardBest - (xoff + yoff)) {
        return { x: forwardX, y: forwardBest - forwardX, lowMinimal: true, highMinimal: false };
      }
      return { x: backwardX, y: backwardBest - backwardX, lowMinimal: false, highMinimal: true };
    }
  }
}

/**
 * Slides each run of changed lines of one file over equal lines, to join runs before and after it, and
 * then back to where it lines up with a run of the other file's changes, as GNU diff's shift_boundaries.
 * Flags are 1-based (index 0 and length + 1 are sentinels).
 */
async function slideChanges(classes: Int32Array, changed: ChangedFlags, otherChanged: ChangedFlags, pacer: Pacer): Promise<void> {
  const at = (i: number) => changed[i + 1]!;
  const set = (i: number, value: number) => (changed[i + 1] = value);
  const other = (j: number) => otherChanged[j + 1]!;
  const end = classes.length;
  let i = 0;
  let j = 0;
  for (;;) {
    if (pacer.due()) await pacer.pause();
    while (i < end && !at(i)) {
      while (other(j++));
      i++;
    }
    if (i === end) break;
    let start = i;
    while (at(++i));
    while (other(j)) j++;
    let runLength: number;
    let corresponding: number;
    do {
      runLength = i - start;
      while (start > 0 && classes[start - 1] === classes[i - 1]) {
        set(--start, 1);
        set(--i, 0);
        while (at(start - 1)) start--;
        while (other(--j));
      }
      corresponding = other(j - 1) ? i : end;
      while (i !== end && classes[start] === classes[i]) {
        set(start++, 0);
        set(i++, 1);
        while (at(i)) i++;
        while (other(++j)) corresponding = i;
      }
    } while (runLength !== i - start);
    while (corresponding < i) {
      set(--start, 1);
      set(--i, 0);
      while (other(--j));
    }
  }
}
