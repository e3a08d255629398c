// The cache contract, run unchanged against every backend and tier setup: the cases that hold for any tiers run
// over RAM in both builds, over S3 (alone and behind RAM, against s3rver) and over disk (alone and behind RAM);
// over RAM above a read-only http() tier in both builds (whose server holds nothing: every read that misses RAM
// asks it); over a custom() tier on a Map (alone and behind RAM) in both builds; the cases about RAM itself
// (budgets, eviction, the synchronous API, sweeping) run over RAM in both builds.
import { http, ram } from '../../dist/node.js';
import { backends, ramSetups, type TierSetup } from './backends.js';
import { ramContract, tierContract } from './contract-cases.js';
import { customSetups } from './custom-stores.js';
import { diskSetups } from './disk-folders.js';
import { ArtefactServer } from './http-server.js';
import { s3Setups, useS3Server } from './s3-server.js';

const server = useS3Server();
let artefacts: ArtefactServer;
beforeAll(async () => (artefacts = await ArtefactServer.start()));
afterAll(() => artefacts.stop());
const httpSetups = backends.map(([name, Cache]): [string, TierSetup] => [
  `${name} [ram, http]`,
  { Cache, tiers: (options = {}) => [ram(options), http({ baseUrl: artefacts.origin })] },
]);
const setups: Array<[string, TierSetup]> = [
  ...ramSetups, ...httpSetups, ...customSetups(), ...s3Setups(server), ...diskSetups(),
];

describe.each(setups)('Cache contract (%s)', (_name, setup) => tierContract(setup));

describe.each(backends)('Cache contract, RAM (%s)', (_name, Cache) => ramContract(Cache));
