// A real S3-protocol server for the tests: the S3 client's own fixture (tests/cpp/s3/fixtures/s3_fixture.cjs),
// run as a child process: s3rver on 127.0.0.1 with a fresh temporary directory and a bucket 'strata-test',
// behind a proxy that checks every request's SigV4 signature with AWS's own signer and counts requests.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { Cache, ram, s3 } from '../../dist/node.js';
import type { TierSetup } from './backends.js';

const FIXTURE = fileURLToPath(new URL('../cpp/s3/fixtures/s3_fixture.cjs', import.meta.url));

export const BUCKET = 'strata-test';
/** The one identity the proxy and s3rver accept. */
export const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface ProxyStats {
  verified: number;
  rejected: number;
  rejections: Record<string, number>;
  /** Verified requests by operation: LIST, GET, HEAD, PUT, DELETE, POST. */
  operations: Record<string, number>;
}

export class S3Server {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #answers: Array<(line: string) => void> = [];
  /** Where clients connect: the signature-checking proxy. */
  readonly endpoint: string;
  /** s3rver itself, behind the proxy. */
  readonly directEndpoint: string;
  /** Where s3rver keeps its objects: `<directory>/<bucket>/<key>._S3rver_object`, the bytes as they are. */
  readonly directory: string;

  private constructor(child: ChildProcessWithoutNullStreams, lines: Interface, hello: { proxy: number; s3rver: number; directory: string }) {
    this.#child = child;
    this.#lines = lines;
    this.endpoint = `http://127.0.0.1:${hello.proxy}`;
    this.directEndpoint = `http://127.0.0.1:${hello.s3rver}`;
    this.directory = hello.directory;
    lines.on('line', (line) => this.#answers.shift()?.(line));
  }

  /** Starts the servers; the proxy accepts signatures for `region` only (S3's own: 'us-east-1'; R2's: 'auto'). */
  static async start(region = 'us-east-1'): Promise<S3Server> {
    // s3rver's continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.
    const child = spawn(process.execPath, ['--openssl-legacy-provider', FIXTURE], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, STRATA_S3_REGION: region },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the S3 fixture exited (${code}): ${stderr}`)));
    });
    return new S3Server(child, lines, JSON.parse(first) as { proxy: number; s3rver: number; directory: string });
  }

  /** Requests the proxy has passed on (verified) and refused, so far. */
  async stats(): Promise<ProxyStats> {
    const answer = new Promise<string>((resolve) => this.#answers.push(resolve));
    this.#child.stdin.write('stats\n');
    return (JSON.parse(await answer) as { proxy: ProxyStats }).proxy;
  }

  /** Runs `work`; returns its result and the requests the server answered meanwhile, by operation. */
  async counted<T>(work: () => Promise<T>): Promise<[T, Record<string, number>]> {
    const before = (await this.stats()).operations;
    const result = await work();
    const after = (await this.stats()).operations;
    const made = Object.fromEntries(Object.entries(after).map(([op, n]) => [op, n - (before[op] ?? 0)]).filter(([, n]) => n !== 0));
    return [result, made];
  }

  /** Options for s3() that reach this server. */
  tier(prefix: string): { bucket: string; prefix: string; endpoint: string; forcePathStyle: true; region: string; credentials: typeof CREDENTIALS } {
    return { bucket: BUCKET, prefix, endpoint: this.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: CREDENTIALS };
  }

  /** The file s3rver keeps an object's bytes in. */
  objectFile(key: string): string {
    return join(this.directory, BUCKET, `${key}._S3rver_object`);
  }

  /** Stops every server and removes the data; resolves once the process is gone. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#lines.close();
    this.#child.stdin.end();
    await exited;
  }
}

/** Starts a server before the suite's tests and stops it after them; call at the top of a describe or file. */
export function useS3Server(): () => S3Server {
  let server: S3Server | undefined;
  beforeAll(async () => {
    server = await S3Server.start();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error('the S3 server starts in beforeAll');
    return server;
  };
}

let prefixes = 0;
/** A fresh prefix for each cache, so that tests sharing the bucket never see each other's entries. */
export const freshPrefix = (what: string): string => `${what}-${process.pid}-${prefixes++}`;

/** The contract's S3 setups: S3 alone, and RAM in front of S3. */
export function s3Setups(server: () => S3Server): Array<[name: string, setup: TierSetup]> {
  const tier = (options: { ttl?: number | string | null }) => s3({ ...server().tier(freshPrefix('contract')), ...options });
  return [
    ['node addon [s3]', { Cache, tiers: (options = {}) => [tier(options)] }],
    ['node addon [ram, s3]', { Cache, tiers: (options = {}) => [ram(options), tier(options)] }],
  ];
}
