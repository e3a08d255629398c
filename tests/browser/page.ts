// The test page: the contract cases (tests/js/contract-cases.ts) registered over the tier setups of the browser
// build, run on request from Jest (tests/js/browser.test.ts) through window.strataTests.
import './globals.js';

import { Cache, type Duration, indexedDb, ram } from '../../dist/wasm.js';
import type { TierSetup } from '../js/backends.js';
import { ramContract, tierContract } from '../js/contract-cases.js';
import { describe, runCases } from './cases.js';

let databases = 0;
/** An IndexedDB tier on a database no other cache of the page uses. */
const freshIndexedDb = (options: { ttl?: Duration | null }) => indexedDb({ name: `contract-${databases++}`, ...options });

export const setups: Array<[name: string, setup: TierSetup]> = [
  ['[ram]', { Cache, tiers: (options = {}) => [ram(options)] }],
  ['[indexedDb]', { Cache, tiers: (options = {}) => [freshIndexedDb(options)] }],
  ['[ram, indexedDb]', { Cache, tiers: (options = {}) => [ram(options), freshIndexedDb(options)] }],
];

for (const [name, setup] of setups) describe(`Cache contract ${name}`, () => tierContract(setup));
describe('Cache contract, RAM', () => ramContract(Cache));

Object.assign(globalThis, { strataTests: { runCases } });
