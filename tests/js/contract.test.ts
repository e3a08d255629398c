// The cache contract, run unchanged against every backend and tier setup: the cases that hold for any tiers run
// over RAM in both builds, over S3 (alone and behind RAM, against s3rver) and over disk (alone and behind RAM);
// the cases about RAM itself (budgets, eviction, the synchronous API, sweeping) run over RAM in both builds.
import { backends, ramSetups, type TierSetup } from './backends.js';
import { ramContract, tierContract } from './contract-cases.js';
import { diskSetups } from './disk-folders.js';
import { s3Setups, useS3Server } from './s3-server.js';

const server = useS3Server();
const setups: Array<[string, TierSetup]> = [...ramSetups, ...s3Setups(server), ...diskSetups()];

describe.each(setups)('Cache contract (%s)', (_name, setup) => tierContract(setup));

describe.each(backends)('Cache contract, RAM (%s)', (_name, Cache) => ramContract(Cache));
