// URLs given in options: absolute http(s), with no credentials or query, which would end up in logs and messages.
import { invalidArg } from './errors.js';

/** `value` parsed, or ERR_INVALID_ARG naming `what` (never repeating the value: it may hold a password). */
export function parseHttpUrl(value: unknown, what: string): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' || value instanceof URL ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password ||
      url.search || url.hash) {
    throw invalidArg(`${what} must be an http:// or https:// URL without credentials, query or fragment`);
  }
  return url;
}
