// Tag rules: TTLs chosen by what an entry is, per tier (resolved in the core: native/core/.../ttl_rules.h).
import { invalidArg } from './errors.js';
import { type Duration, parseTtl } from './units.js';
import { isWellFormed } from './values.js';

/** Labels of an entry, as `{ type: 'thumbnail' }`, that `ttlRules` match on. */
export type Tags = Readonly<Record<string, string>>;

/**
 * Entries written with all of `tags` (equal values; other tags may be present too) get `ttl`: one duration for
 * every tier, or one per tier name (`{ ram: '1h', disk: '6h' }`; a tier left out keeps its default). `null`
 * means no expiry. The first rule that matches decides.
 */
export interface TtlRule {
  tags: Tags;
  ttl: Duration | null | Readonly<Record<string, Duration | null>>;
}

/** A rule as the core receives it: TTLs in milliseconds, `all` for a plain duration. */
export interface CoreTtlRule {
  tags: Tags;
  all: number | null | undefined;
  byTier: Record<string, number | null>;
}

/** Validates tags: undefined, or a non-empty object of non-empty names to string values. */
export function checkTags(tags: unknown, what = 'tags'): Tags | undefined {
  if (tags === undefined) return undefined;
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
    throw invalidArg(`${what} must be an object of string values, as in { type: 'thumbnail' }`);
  }
  const entries = Object.entries(tags);
  if (entries.length === 0) throw invalidArg(`${what} must name at least one tag`);
  for (const [name, value] of entries) {
    if (name.length === 0 || typeof value !== 'string') {
      throw invalidArg(`${what} must map non-empty names to strings; '${name}' is ${typeof value}`);
    }
    if (!isWellFormed(name) || !isWellFormed(value)) throw invalidArg(`${what} has a lone surrogate in '${name}'`);
  }
  return tags as Tags;
}

/** Validates `ttlRules` and turns their durations into milliseconds. Tier names are checked by the core. */
export function parseTtlRules(rules: unknown): CoreTtlRule[] | undefined {
  if (rules === undefined) return undefined;
  if (!Array.isArray(rules)) throw invalidArg('ttlRules must be an array of { tags, ttl }');
  return rules.map((rule: unknown, i) => {
    const what = `ttlRules[${i}]`;
    if (rule === null || typeof rule !== 'object') throw invalidArg(`${what} must be an object { tags, ttl }`);
    const { tags, ttl } = rule as Partial<TtlRule>;
    if (tags === undefined) throw invalidArg(`${what} needs tags`);
    const checked = checkTags(tags, `${what}.tags`)!;
    if (ttl === undefined) throw invalidArg(`${what} needs a ttl`);
    if (ttl === null || typeof ttl !== 'object') {
      return { tags: checked, all: parseTtl(ttl, `${what}.ttl`), byTier: {} };
    }
    const byTier: Record<string, number | null> = {};
    for (const [tier, duration] of Object.entries(ttl)) {
      if (duration !== undefined) byTier[tier] = parseTtl(duration, `${what}.ttl.${tier}`) as number | null;
    }
    return { tags: checked, all: undefined, byTier };
  });
}
