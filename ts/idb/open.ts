// Opens the databases of a cache's indexedDb() tiers before the core is built. A tier whose database cannot be
// opened (no IndexedDB, SecurityError in private mode or with storage blocked, no answer in time) becomes a RAM
// tier of the same name and budget, and a warning event says why: a cache must open even where storage cannot.
import type { NativeEvent } from '../backend.js';
import type { CompleteRequest } from '../driver-channel.js';
import type { TierConfig } from '../tiers.js';
import { IdbDriver, openDatabase } from './driver.js';

export interface OpenedTiers {
  /** The tiers to build: the config's, with unavailable IndexedDB tiers turned into RAM tiers. */
  tiers: TierConfig[];
  /** An open driver for each IndexedDB tier, by tier name (wasm/bindings.cc looks them up there). */
  drivers: Record<string, IdbDriver>;
  warnings: NativeEvent[];
}

export async function openIdbTiers(tiers: readonly TierConfig[], complete: CompleteRequest): Promise<OpenedTiers> {
  const opened: OpenedTiers = { tiers: [], drivers: {}, warnings: [] };
  for (const tier of tiers) {
    if (tier.kind !== 'indexeddb') {
      opened.tiers.push(tier);
      continue;
    }
    const database = tier.settings?.['database'] ?? 'stratacache';
    const timeoutMs = Number(tier.settings?.['openTimeout']);
    try {
      opened.drivers[tier.name] = new IdbDriver(await openDatabase(database, timeoutMs), database, timeoutMs, complete);
      opened.tiers.push(tier);
    } catch (cause) {
      const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
      const error = Object.assign(new Error(`IndexedDB is unavailable (${why}); tier '${tier.name}' keeps its entries in RAM`), {
        code: cause instanceof DOMException && cause.name === 'TimeoutError' ? 'ERR_TIMEOUT' : 'ERR_UNAVAILABLE',
        tier: tier.name,
        cause,
      });
      opened.warnings.push({ type: 'warning', tier: tier.name, error });
      opened.tiers.push({ kind: 'ram', name: tier.name, cacheLimit: tier.cacheLimit, ttl: tier.ttl });
    }
  }
  return opened;
}
