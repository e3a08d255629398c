// The test page: the contract cases (tests/js/contract-cases.ts) registered over the tier setups of the browser
// build, run on request from Jest (tests/js/browser.test.ts) through window.strataTests.
import './globals.js';

import {
  Cache, custom, type Duration, http, httpResource, indexedDb, type IndexedDbDurability, keyDigest, memoryResource, ram,
  Workspace,
} from '../../dist/wasm.js';
import type { TierSetup } from '../js/backends.js';
import { ramContract, tierContract } from '../js/contract-cases.js';
import { mapStore } from '../js/map-store.js';
import { describe, runCases } from './cases.js';

let databases = 0;
/** An IndexedDB tier on a database no other cache of the page uses. */
const freshIndexedDb = (options: { ttl?: Duration | null; durability?: IndexedDbDurability }) =>
  indexedDb({ database: `contract-${databases++}`, ...options });
/** A custom() tier over a Map of its own. */
const freshCustom = (options: { ttl?: Duration | null }) => custom({ name: 'map', ...mapStore(), ...options });

export const setups: Array<[name: string, setup: TierSetup]> = [
  ['[ram]', { Cache, tiers: (options = {}) => [ram(options)] }],
  ['[indexedDb]', { Cache, tiers: (options = {}) => [freshIndexedDb(options)] }],
  ['[ram, indexedDb]', { Cache, tiers: (options = {}) => [ram(options), freshIndexedDb(options)] }],
  ["[indexedDb 'placed']", { Cache, tiers: (options = {}) => [freshIndexedDb({ ...options, durability: 'placed' })] }],
  ['[custom]', { Cache, tiers: (options = {}) => [freshCustom(options)] }],
  ['[ram, custom]', { Cache, tiers: (options = {}) => [ram(options), freshCustom(options)] }],
];

for (const [name, setup] of setups) describe(`Cache contract ${name}`, () => tierContract(setup));
describe('Cache contract, RAM', () => ramContract(Cache));

/** What a test reads straight from a tier's database, to check the cache against IndexedDB itself. */
export interface DatabaseFacts {
  /** The running total the tier keeps of charged bytes (its base and the tabs' records of the base's generation). */
  total: number;
  /** The charges of the records, summed. */
  charges: number;
  /** Entry records, and the entries of their metadata index (which the tier's index loads from). */
  records: number;
  indexed: number;
  /** The charges of the records by the namespace they name ('' for the default namespace). */
  byNamespace: Record<string, number>;
}

function databaseFacts(name: string): Promise<DatabaseFacts> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['entries', 'state'], 'readonly');
      const entries = tx.objectStore('entries');
      const [records, indexed, state] = [entries.getAll(), entries.index('meta').count(), tx.objectStore('state').getAll()];
      tx.oncomplete = () => {
        db.close();
        const byNamespace: DatabaseFacts['byNamespace'] = {};
        for (const { ns, charge } of records.result as Array<{ ns: string; charge: number }>) {
          byNamespace[ns] = (byNamespace[ns] ?? 0) + charge;
        }
        // The running total (ts/idb/running-total.ts): the base, and the tabs' records of its generation.
        type State = { gen: string; total?: number; delta?: number };
        const base = (state.result as State[]).find((record) => record.total !== undefined);
        const total = (state.result as State[])
          .filter((record) => record.gen === base?.gen)
          .reduce((sum, record) => sum + (record.total ?? record.delta ?? 0), 0);
        resolve({
          total,
          charges: Object.values(byNamespace).reduce((sum, charge) => sum + charge, 0),
          records: records.result.length,
          indexed: indexed.result,
          byNamespace,
        });
      };
    };
  });
}

/** Random bytes (which Chromium cannot compress when it stores them), the first one `first`. */
function noise(size: number, first: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(bytes.subarray(at, at + 65_536));
  bytes[0] = first;
  return bytes;
}

const api = {
  runCases, Cache, ram, indexedDb, http, keyDigest, databaseFacts, noise, Workspace, httpResource, memoryResource,
};
export type PageApi = typeof api;
Object.assign(globalThis, { strataTests: api });
