// How the command line writes sizes and instants for people (--json writes plain numbers and ISO strings).

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> '1.5 KiB': binary units, which --max-size (parseSize) reads back. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** An instant in ms since the epoch as ISO 8601; Infinity and undefined as `never`. */
export function formatInstant(ms: number | undefined, never = 'never'): string {
  return ms === undefined || !Number.isFinite(ms) ? never : new Date(ms).toISOString();
}

/** The same for JSON: null for never or unknown. */
export const jsonInstant = (ms: number | undefined): string | null =>
  ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
