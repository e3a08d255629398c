// The http() tier (both builds): a read-only last tier of pre-built artefacts, served over HTTP by key digest.
import { invalidArg } from './errors.js';
import { type Tier, tierName } from './tiers.js';
import { type Duration, MAX_TIMER_MS, parseDuration } from './units.js';
import { parseHttpUrl } from './urls.js';

export interface HttpTierOptions {
  /** Where the artefacts are: `GET <baseUrl>/<32 hex digits of the key's digest>`. http(s), no credentials or query. */
  baseUrl: string | URL;
  /** Sent with every request, e.g. `{ authorization: 'Bearer ...' }`. Never repeated in errors or events. */
  headers?: Record<string, string>;
  /** Name in statistics, errors and events. Default `'http'`. */
  name?: string;
  /** How long one request may take before it counts as failed (an error event and a miss). Default `'30s'`. */
  timeout?: Duration;
}

const DEFAULT_TIMEOUT = '30s';
// RFC 9110 token characters; a value may hold any visible character, spaces and tabs.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function headerSettings(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    throw invalidArg('headers must be an object of header names to string values');
  }
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw invalidArg(`header name '${name}' is not an HTTP token`);
    // The value is not repeated: it may be a token.
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      throw invalidArg(`header '${name}' must be a string without line breaks`);
    }
    settings[`headers.${name}`] = value;
  }
  return settings;
}

/**
 * A read-only tier below the others, serving pre-built artefacts by key digest: `GET <baseUrl>/<keyDigest(key)>`
 * (the name `s3()` gives the key's object). A 2xx answer is the value,
 * promoted into the tiers above with their TTLs; 404 and 410 are misses; any other answer, a timeout or an
 * unreachable server is an `error` event and a miss. Writes (`set`, `delete`, `clear`) never reach it. It must be
 * the last tier, below one that takes writes. Node (libcurl) and WebAssembly (fetch) builds.
 */
export function http(options: HttpTierOptions): Tier {
  if (options === null || typeof options !== 'object') throw invalidArg('http() takes an options object with a baseUrl');
  const base = parseHttpUrl(options.baseUrl, 'baseUrl');
  const timeoutMs = parseDuration(options.timeout ?? DEFAULT_TIMEOUT, 'timeout', MAX_TIMER_MS);
  if (timeoutMs <= 0) throw invalidArg('timeout must be positive');
  return {
    kind: 'http',
    name: tierName(options.name, 'http'),
    // Nothing is stored in this tier; the core wants a budget all the same.
    cacheLimit: Number.MAX_SAFE_INTEGER,
    ttl: undefined,
    settings: {
      baseUrl: base.href.replace(/\/+$/, ''),
      timeoutMs: String(timeoutMs),
      ...headerSettings(options.headers),
    },
  };
}
