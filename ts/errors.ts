/** Stable error codes. Match on `error.code`, never on the message. */
export type StrataErrorCode =
  | 'ERR_INVALID_ARG'
  | 'ERR_TOO_LARGE'
  | 'ERR_IO'
  | 'ERR_CORRUPT'
  | 'ERR_CLOSED'
  | 'ERR_UNAVAILABLE'
  | 'ERR_S3_AUTH'
  | 'ERR_TIMEOUT'
  | 'ERR_QUOTA'
  | 'ERR_ABORTED'
  | 'ERR_NOT_FOUND'
  | 'ERR_EXISTS'
  | 'ERR_READ_ONLY'
  | 'ERR_DRIFT'
  | 'ERR_LOADER'
  | 'ERR_MISSING_LIBRARY'
  | 'ERR_NO_ADDON'
  | 'ERR_UNSUPPORTED'
  | 'ERR_INTERNAL';

const KNOWN_CODES: ReadonlySet<string> = new Set<StrataErrorCode>([
  'ERR_INVALID_ARG', 'ERR_TOO_LARGE', 'ERR_IO', 'ERR_CORRUPT', 'ERR_CLOSED', 'ERR_UNAVAILABLE',
  'ERR_S3_AUTH', 'ERR_TIMEOUT', 'ERR_QUOTA', 'ERR_ABORTED', 'ERR_NOT_FOUND', 'ERR_EXISTS', 'ERR_READ_ONLY',
  'ERR_DRIFT', 'ERR_LOADER', 'ERR_MISSING_LIBRARY', 'ERR_NO_ADDON', 'ERR_UNSUPPORTED', 'ERR_INTERNAL',
]);

export interface StrataErrorOptions {
  /** The tier or mount the error came from, when there is one. */
  tier?: string;
  /** Whether trying the same operation again may succeed. */
  retryable?: boolean;
  cause?: unknown;
}

/** The one error class stratacache throws or rejects with. A miss is not an error. */
export class StrataError extends Error {
  readonly code: StrataErrorCode;
  readonly tier: string | undefined;
  readonly retryable: boolean;

  constructor(code: StrataErrorCode, message: string, options: StrataErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StrataError';
    this.code = code;
    this.tier = options.tier;
    this.retryable = options.retryable ?? (code === 'ERR_IO' || code === 'ERR_TIMEOUT' || code === 'ERR_UNAVAILABLE');
  }
}

/** An error's message. Not by `instanceof Error`: errors from another realm (the addon's, a vm context's) fail it. */
export function messageOf(error: unknown): string {
  const { message } = (error ?? {}) as { message?: unknown };
  return typeof message === 'string' ? message : String(error);
}

export function invalidArg(message: string): StrataError {
  return new StrataError('ERR_INVALID_ARG', message);
}

/**
 * Wraps an error raised by either native backend (an Error with a `code`, and maybe `tier` and `retryable`) in a
 * StrataError. `source` names the tier or mount when the error does not.
 */
export function fromNative(error: unknown, source?: string): StrataError {
  if (error instanceof StrataError) return error;
  const { code, tier, retryable } = (error ?? {}) as { code?: unknown; tier?: unknown; retryable?: unknown };
  const message = messageOf(error);
  if (typeof code === 'string' && KNOWN_CODES.has(code)) {
    return new StrataError(code as StrataErrorCode, message, {
      cause: error,
      tier: typeof tier === 'string' ? tier : source,
      ...(typeof retryable === 'boolean' ? { retryable } : {}),
    });
  }
  return new StrataError('ERR_INTERNAL', message, { cause: error, tier: source });
}

/** Runs a native operation synchronously; whatever it throws comes out as a StrataError. */
export function settleSync<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw fromNative(error);
  }
}
