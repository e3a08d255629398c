import { invalidArg } from './errors.js';

/** A byte count: a number of bytes, or a string such as `'512MB'`, `'8GiB'`, `'64 KiB'`. */
export type Size = number | string;
/** A duration: milliseconds, or a string such as `'500ms'`, `'10s'`, `'10m'`, `'4h'`, `'7d'`. */
export type Duration = number | string;

// Decimal units are powers of 1000 and binary ones powers of 1024, as in IEC 80000-13.
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000,
};

/**
 * The longest duration (TTLs, stale windows, ages): 2^53 - 1 ms, about 285,000 years. Expiry times are kept as
 * whole milliseconds in 64 bits; far longer TTLs would overflow them.
 */
export const MAX_DURATION_MS = Number.MAX_SAFE_INTEGER;
/** The longest interval or timeout a JavaScript timer waits (2^31 - 1 ms, about 24.8 days); it fires at once past it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const NUMBER_AND_UNIT = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i;

/** Parses a size into whole bytes; `what` names the option in error messages. */
export function parseSize(value: Size, what = 'size'): number {
  let bytes: number;
  if (typeof value === 'number') {
    bytes = value;
  } else if (typeof value === 'string') {
    const match = NUMBER_AND_UNIT.exec(value);
    const unit = SIZE_UNITS[(match?.[2] ?? 'b').toLowerCase()];
    if (!match || unit === undefined) {
      throw invalidArg(`${what} '${value}' is not a size: use bytes or a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)`);
    }
    bytes = Number(match[1]) * unit;
  } else {
    throw invalidArg(`${what} must be a number of bytes or a string such as '512MB'`);
  }
  if (!Number.isFinite(bytes) || bytes < 1) throw invalidArg(`${what} must be at least 1 byte, got ${String(value)}`);
  if (bytes > Number.MAX_SAFE_INTEGER) throw invalidArg(`${what} ${String(value)} is too large`);
  return Math.floor(bytes);
}

/** Parses a duration into milliseconds, 1 to `maxMs`; `what` names the option in error messages. */
export function parseDuration(value: Duration, what = 'duration', maxMs = MAX_DURATION_MS): number {
  let ms: number;
  if (typeof value === 'number') {
    ms = value;
  } else if (typeof value === 'string') {
    const match = NUMBER_AND_UNIT.exec(value);
    const unit = match?.[2] === undefined ? undefined : DURATION_UNITS[match[2]];
    if (!match || unit === undefined) {
      throw invalidArg(`${what} '${value}' is not a duration: use milliseconds or a unit (ms, s, m, h, d), as in '10m'`);
    }
    ms = Number(match[1]) * unit;
  } else {
    throw invalidArg(`${what} must be milliseconds or a string such as '10m'`);
  }
  if (!Number.isFinite(ms) || ms <= 0) {
    throw invalidArg(`${what} must be a positive duration, got ${String(value)}; use null for no expiry`);
  }
  const whole = Math.ceil(ms);
  if (whole > maxMs) throw invalidArg(`${what} ${String(value)} is too long: at most ${maxMs} ms`);
  return whole;
}

/** A TTL option: undefined (the next rule applies), null (no expiry) or a duration. */
export function parseTtl(value: Duration | null | undefined, what = 'ttl'): number | null | undefined {
  if (value === undefined || value === null) return value;
  return parseDuration(value, what);
}
