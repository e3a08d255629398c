// cache.metrics(): statistics in the Prometheus text exposition format (version 0.0.4).
import type { CacheStats, TierStats } from './backend.js';

interface Family {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
}

type TierCounter = Exclude<keyof TierStats, 'name'>;

const CACHE_FAMILIES: Array<[Family, 'hits' | 'misses']> = [
  [{ name: 'stratacache_cache_hits_total', type: 'counter', help: 'Reads that some tier answered.' }, 'hits'],
  [{ name: 'stratacache_cache_misses_total', type: 'counter', help: 'Reads that no tier answered.' }, 'misses'],
];

const TIER_FAMILIES: Array<[Family, TierCounter]> = [
  [{ name: 'stratacache_hits_total', type: 'counter', help: 'Reads the tier answered.' }, 'hits'],
  [{ name: 'stratacache_misses_total', type: 'counter', help: 'Reads the tier could not answer.' }, 'misses'],
  [{ name: 'stratacache_promotions_total', type: 'counter', help: 'Hits of lower tiers copied into the tier.' }, 'promotions'],
  [{ name: 'stratacache_demotions_total', type: 'counter', help: 'Entries of the write-back first tier written down into the tier.' }, 'demotions'],
  [{ name: 'stratacache_evictions_total', type: 'counter', help: 'Entries the tier evicted to stay in budget.' }, 'evictions'],
  [{ name: 'stratacache_expirations_total', type: 'counter', help: 'Entries the tier dropped at expiry.' }, 'expirations'],
  [{ name: 'stratacache_bytes', type: 'gauge', help: 'Bytes the tier holds, keys and overhead included.' }, 'bytes'],
  [{ name: 'stratacache_entries', type: 'gauge', help: 'Entries the tier holds.' }, 'entries'],
];

/** A label value with backslash, double quote and line feed escaped, as the format requires. */
function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function header({ name, type, help }: Family): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
}

export function formatMetrics(stats: CacheStats): string {
  let text = '';
  for (const [family, counter] of CACHE_FAMILIES) text += `${header(family)}${family.name} ${stats[counter]}\n`;
  for (const [family, counter] of TIER_FAMILIES) {
    text += header(family);
    for (const tier of stats.tiers) text += `${family.name}{tier="${labelValue(tier.name)}"} ${tier[counter]}\n`;
  }
  return text;
}
