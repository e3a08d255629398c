// The S3-compatible example (examples/s3-compatible) run as a user runs it, once per service preset, against the
// local S3 server behind the signing proxy, overriding only the endpoint: the proxy checks every request's
// signature for the region that service signs for ('us-east-1' for MinIO, 'auto' for R2 and GCS), so a preset
// whose region or signing were wrong would be refused.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { Cache, s3, s3Resource, StrataError, Workspace } from '../../dist/node.js';
import { BUCKET, CREDENTIALS, freshPrefix, S3Server } from './s3-server.js';

const run = promisify(execFile);
const SCRIPT = new URL('../../examples/s3-compatible/index.mjs', import.meta.url).pathname;

const servers = new Map<string, S3Server>();
beforeAll(async () => {
  for (const region of ['us-east-1', 'auto']) servers.set(region, await S3Server.start(region));
}, 20_000);
afterAll(async () => {
  await Promise.all([...servers.values()].map((server) => server.stop()));
});

function runExample(service: string, server: S3Server) {
  const env = {
    PATH: process.env.PATH,
    S3_SERVICE: service,
    S3_ENDPOINT: server.endpoint,
    S3_BUCKET: BUCKET,
    S3_PREFIX: freshPrefix(service),
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  };
  return run(process.execPath, [SCRIPT], { env, timeout: 15_000 });
}

test.each([
  ['minio', 'us-east-1'],
  ['r2', 'auto'],
  ['gcs', 'auto'],
])('the %s preset works against a server that signs for %s', async (service, region) => {
  const server = servers.get(region)!;
  const before = await server.stats();
  const { stdout } = await runExample(service, server);
  expect(stdout).toContain(`${service}: ${server.endpoint}, region ${region}, path-style`);
  expect(stdout).toContain('machine B reads: hello from machine A');
  expect(stdout).toContain('workspace lists /bucket/cache: one file of 20 bytes');
  expect(stdout).toContain('workspace reads it: hello from machine A');
  expect(stdout).toContain('after delete, machine B reads: miss');
  const after = await server.stats();
  expect(after.rejected).toBe(before.rejected);
  expect(after.verified - before.verified).toBeGreaterThanOrEqual(6);
  expect((after.operations.DELETE ?? 0) - (before.operations.DELETE ?? 0)).toBe(1);
});

test('a region the service does not sign for is refused, so the presets above are really checked', async () => {
  const server = servers.get('auto')!;
  const options = { bucket: BUCKET, endpoint: server.endpoint, forcePathStyle: true, credentials: CREDENTIALS };
  const before = await server.stats();
  let error: unknown;
  await Cache.open({ tiers: [s3({ ...options, region: 'us-east-1', prefix: freshPrefix('wrong') })] }).then(
    (cache) => cache.close(),
    (failure: unknown) => (error = failure),
  );
  expect(error).toBeInstanceOf(StrataError);
  // S3 answers a wrong region with 400 AuthorizationHeaderMalformed (to a HEAD, without a body to name it).
  expect((error as StrataError).code).toBe('ERR_IO');
  expect((error as StrataError).message).toContain('HTTP 400');
  const after = await server.stats();
  expect((after.rejections.AuthorizationHeaderMalformed ?? 0) - (before.rejections.AuthorizationHeaderMalformed ?? 0)).toBe(1);
});

test("region 'auto' also signs clear()'s multi-object delete and the workspace mount's listings", async () => {
  const server = servers.get('auto')!;
  const options = { bucket: BUCKET, endpoint: server.endpoint, forcePathStyle: true, region: 'auto', credentials: CREDENTIALS };
  const prefix = freshPrefix('auto-clear');
  {
    await using cache = await Cache.open({ tiers: [s3({ ...options, prefix })] });
    for (let i = 0; i < 5; i++) await cache.set(`k${i}`, `v${i}`);
    const before = await server.stats();
    await cache.clear();
    const after = await server.stats();
    expect((after.operations.POST ?? 0) - (before.operations.POST ?? 0)).toBeGreaterThanOrEqual(1);
    expect(after.rejected).toBe(before.rejected);
  }
  await using ws = await Workspace.open({ mounts: { '/b': s3Resource({ ...options, prefix }) } });
  expect(await ws.ls('/b')).toEqual([]);
});
