// The S3 benchmarks' server and clients: the S3 client's test fixture (tests/cpp/s3/fixtures/s3_fixture.cjs) in
// a child process, s3rver on 127.0.0.1 behind a proxy that checks SigV4 signatures and counts requests; and an
// @aws-sdk/client-s3 client for it, with checksums only where S3 requires them (as the peer in each row).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { S3Client } from '@aws-sdk/client-s3';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'cpp', 's3', 'fixtures', 's3_fixture.cjs');
export const BUCKET = 'strata-test';
export const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export async function startServer() {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', FIXTURE], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const answers = [];
  const ports = JSON.parse(await new Promise((resolve) => lines.once('line', resolve)));
  lines.on('line', (line) => answers.shift()?.(JSON.parse(line)));
  return {
    direct: `http://127.0.0.1:${ports.s3rver}`,
    proxied: `http://127.0.0.1:${ports.proxy}`,
    async requests() {
      const answer = new Promise((resolve) => answers.push(resolve));
      child.stdin.write('stats\n');
      return (await answer).proxy.verified;
    },
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.stdin.end();
    }),
  };
}

/** Options for s3() and s3Resource() that reach `endpoint`. */
export const connection = (endpoint, prefix) => ({
  bucket: BUCKET, prefix, endpoint, forcePathStyle: true, region: 'us-east-1', credentials: CREDENTIALS,
});

export function sdkClient(endpoint) {
  return new S3Client({
    region: 'us-east-1', endpoint, forcePathStyle: true, credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
