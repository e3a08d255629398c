// The lists cut takes (-b, -c, -f): 'N', 'N-', '-M', 'N-M', separated by commas, positions from 1.
import { UsageError } from './options.js';

export interface Ranges {
  /** Whether 1-based position `n` is selected. */
  has(n: number): boolean;
}

export function parseRanges(list: string, what: string): Ranges {
  const spans: Array<[number, number]> = [];
  for (const item of list.split(/[,\s]/)) {
    const match = /^(\d*)(-?)(\d*)$/.exec(item);
    if (!match || item === '' || item === '-') throw new UsageError(`invalid ${what} range`);
    const [, low, dash, high] = match;
    const from = low === '' ? 1 : Number(low);
    const to = dash === '' ? from : high === '' ? Infinity : Number(high);
    if (from === 0 || (dash !== '' && high !== '' && Number(high) === 0)) {
      throw new UsageError(`${what}s are numbered from 1`);
    }
    if (to < from) throw new UsageError('invalid decreasing range');
    spans.push([from, to]);
  }
  return { has: (n) => spans.some(([from, to]) => n >= from && n <= to) };
}
