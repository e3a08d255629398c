// The s3() tier (Node build only): entries as objects of an S3 bucket, shared by every machine pointing at it.
import { invalidArg } from './errors.js';
import { parseTimeout, type Tier, tierName } from './tiers.js';
import { parseHttpUrl } from './urls.js';
import { type Duration, parseDuration, parseSize, parseTtl, type Size } from './units.js';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** For temporary credentials (STS). */
  sessionToken?: string;
}

/** Where an S3 bucket is and as whom to reach it: shared by the s3() tier and the workspace's S3 mount. */
export interface S3ConnectionOptions {
  bucket: string;
  /** Default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else 'us-east-1'. */
  region?: string;
  /** An S3-compatible service, as 'http(s)://host[:port]'. Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS. */
  endpoint?: string;
  /** Address the bucket in the path rather than the host name (most S3-compatible services). Default false. */
  forcePathStyle?: boolean;
  /** Default: the environment (AWS_ACCESS_KEY_ID, ...), then the shared credentials file. */
  credentials?: S3Credentials;
  /** A profile of the shared AWS files. Default: AWS_PROFILE, else 'default'. */
  profile?: string;
  /**
   * The longest one call waits on S3, retries included (connecting, silence, a stalled or trickling body), plus
   * one second for each whole MiB of value moved. A read over it is a miss with an `error` event; a write rejects
   * with ERR_TIMEOUT. Default `'10s'`.
   */
  timeout?: Duration;
}

export interface S3TierOptions extends S3ConnectionOptions {
  /** Objects are named `<prefix>/<32 hex digits>`. Default: none (the bucket's root). */
  prefix?: string;
  /** Default TTL for entries in this tier. Default: the cache's `ttl`. */
  ttl?: Duration | null;
  /** The largest value this tier takes (larger ones go to the other tiers only). Default `'5GB'`. */
  cacheLimit?: Size;
  /** How long the tier is skipped after S3 could not be reached (circuit breaker). Default `'30s'`. */
  cooldown?: Duration;
  /** Name in statistics, errors and events. Default `'s3'`. */
  name?: string;
}

export const DEFAULT_S3_LIMIT = '5GB';
const DEFAULT_COOLDOWN = '30s';

// S3's rules for bucket names (3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9-]{1,40}$/;

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw invalidArg(`${what} must be a non-empty string`);
  return value;
}

// Credentials go whole or not at all; the messages never repeat a value, which may be a secret.
function credentialSettings(credentials: unknown): Record<string, string> {
  if (credentials === undefined) return {};
  if (credentials === null || typeof credentials !== 'object') {
    throw invalidArg('credentials must be { accessKeyId, secretAccessKey, sessionToken? }');
  }
  const { accessKeyId, secretAccessKey, sessionToken } = credentials as Record<string, unknown>;
  for (const [name, value] of [['accessKeyId', accessKeyId], ['secretAccessKey', secretAccessKey]] as const) {
    if (typeof value !== 'string' || value.length === 0) throw invalidArg(`credentials.${name} must be a non-empty string`);
  }
  if (sessionToken !== undefined && (typeof sessionToken !== 'string' || sessionToken.length === 0)) {
    throw invalidArg('credentials.sessionToken must be a non-empty string when given');
  }
  return {
    'credentials.accessKeyId': accessKeyId as string,
    'credentials.secretAccessKey': secretAccessKey as string,
    ...(sessionToken === undefined ? {} : { 'credentials.sessionToken': sessionToken }),
  };
}

/**
 * Checks the connection options and the prefix, and flattens them into the settings the addon's S3 client is
 * opened from (native/stores/s3/src/s3_tier.cc). `what` names the caller in the message for a non-object.
 */
export function s3Settings(options: S3ConnectionOptions & { prefix?: string }, what: string): Record<string, string> {
  if (options === null || typeof options !== 'object') throw invalidArg(`${what} takes an options object with a bucket`);
  if (typeof options.bucket !== 'string' || !BUCKET.test(options.bucket)) {
    throw invalidArg('bucket must be an S3 bucket name: 3 to 63 characters of a-z, 0-9, "." and "-"');
  }
  const prefix = optionalString(options.prefix, 'prefix');
  if (prefix !== undefined && (prefix.startsWith('/') || prefix.includes('//') || prefix.length > 512)) {
    throw invalidArg("prefix must not start with '/' nor hold '//', and must be at most 512 characters");
  }
  const region = optionalString(options.region, 'region');
  if (region !== undefined && !REGION.test(region)) throw invalidArg(`region '${region}' is not a region name`);
  const endpoint = optionalString(options.endpoint, 'endpoint');
  if (endpoint !== undefined) parseHttpUrl(endpoint, 'endpoint');
  if (options.forcePathStyle !== undefined && typeof options.forcePathStyle !== 'boolean') {
    throw invalidArg('forcePathStyle must be a boolean');
  }
  const profile = optionalString(options.profile, 'profile');
  return {
    bucket: options.bucket,
    timeoutMs: String(parseTimeout(options.timeout)),
    ...(prefix === undefined ? {} : { prefix }),
    ...(region === undefined ? {} : { region }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(options.forcePathStyle === undefined ? {} : { forcePathStyle: String(options.forcePathStyle) }),
    ...(profile === undefined ? {} : { profile }),
    ...credentialSettings(options.credentials),
  };
}

/**
 * A tier in an S3 bucket (or an S3-compatible service), as the last tier of a cache: every machine that points
 * at the bucket shares its entries. Each entry is one object named by the key's digest, with the key and its
 * expiry in the object's metadata. Node build only.
 */
export function s3(options: S3TierOptions): Tier {
  const settings = s3Settings(options, 's3()');
  settings.cooldownMs = String(parseDuration(options.cooldown ?? DEFAULT_COOLDOWN, 'cooldown'));
  return {
    kind: 's3',
    name: tierName(options.name, 's3'),
    cacheLimit: parseSize(options.cacheLimit ?? DEFAULT_S3_LIMIT, 'cacheLimit'),
    ttl: parseTtl(options.ttl, 'ttl'),
    settings,
  };
}
