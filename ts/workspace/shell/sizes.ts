// Sizes and times as the listing commands print them.

const UNITS = ['K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];

/**
 * A size as GNU -h prints it (powers of 1024, rounded up): '512', '1.5K', '14K', '1.0M'; one decimal
 * below 10 of a unit.
 */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return String(bytes);
  let unit = 0;
  let divisor = 1024;
  while (unit < UNITS.length - 1 && bytes >= divisor * 1024) {
    unit++;
    divisor *= 1024;
  }
  const tenths = ceilDivide(bytes * 10, divisor);
  if (tenths < 100) return `${Math.floor(tenths / 10)}.${tenths % 10}${UNITS[unit]}`;
  const whole = ceilDivide(bytes, divisor);
  // Rounding up can reach the next unit: 1048575 bytes are '1.0M', not '1024K'.
  if (whole >= 1024 && unit < UNITS.length - 1) return `1.0${UNITS[unit + 1]}`;
  return `${whole}${UNITS[unit]}`;
}

function ceilDivide(dividend: number, divisor: number): number {
  const quotient = Math.floor(dividend / divisor);
  return quotient * divisor < dividend ? quotient + 1 : quotient;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, '0');
}

/** 'YYYY-MM-DD HH:MM:SS' in UTC: a workspace's files live in no time zone of the reader's. */
export function utcDateTime(ms: number): string {
  const date = new Date(ms);
  return (
    `${date.getUTCFullYear()}-${twoDigits(date.getUTCMonth() + 1)}-${twoDigits(date.getUTCDate())} ` +
    `${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())}:${twoDigits(date.getUTCSeconds())}`
  );
}
