// The workspace lifecycle users rely on, with every request counted at the source: against s3rver (behind the
// counting, SigV4-checking proxy) and against a real HTTP server. The first `ls` makes one listing; `find`
// then makes none; `cat | wc -l` one GET; `grep` none. Then revalidation after the index TTL, and a snapshot
// that GNU tar reads and that replays with no request at all.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import { httpResource, s3Resource, Workspace } from '../../dist/node.js';
import { FileServer } from '../fixtures/file-server.mjs';
import { BUCKET, CREDENTIALS, freshPrefix, useS3Server } from './s3-server.js';

const LOG = Array.from({ length: 40 }, (_, i) => JSON.stringify({ i, level: i % 6 === 0 ? 'alert' : 'info' })).join('\n') + '\n';
const ALERTS = LOG.split('\n').filter((line) => line.includes('alert')).join('\n') + '\n';
const TREE: Record<string, string> = {
  'data/log.jsonl': LOG,
  'data/other.jsonl': '{"other":true}\n',
  'data/readme.txt': 'read me\n',
  'data/2026/11/day.jsonl': '{"day":21}\n',
};
const FOUND = ['/s3/data/', '/s3/data/2026/11/day.jsonl', '/s3/data/log.jsonl', '/s3/data/other.jsonl'];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('over S3', () => {
  const server = useS3Server();
  let client: S3Client;
  beforeAll(() => {
    client = new S3Client({ region: 'us-east-1', endpoint: server().endpoint, forcePathStyle: true, credentials: CREDENTIALS });
  });
  afterAll(() => client.destroy());

  const put = (prefix: string, key: string, body: string) =>
    client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${key}`, Body: Buffer.from(body) }));

  async function seed(): Promise<string> {
    const prefix = freshPrefix('lifecycle');
    for (const [key, body] of Object.entries(TREE)) await put(prefix, key, body);
    return prefix;
  }


  test('ls: one LIST; find: none; cat | wc -l: one GET; grep: none', async () => {
    const prefix = await seed();
    await using ws = await Workspace.open({ mounts: { '/s3': s3Resource(server().tier(prefix)) } });

    const [ls, lsCalls] = await server().counted(() => ws.execute('ls /s3/data/'));
    expect(ls).toEqual({ stdout: '2026\nlog.jsonl\nother.jsonl\nreadme.txt\n', stderr: '', exitCode: 0 });
    expect(lsCalls).toEqual({ LIST: 1 });

    const [find, findCalls] = await server().counted(() => ws.execute('find /s3/data/ -name "*.jsonl"'));
    expect(find.stdout.split('\n').filter(Boolean).sort()).toEqual(FOUND.slice(1));
    expect(findCalls).toEqual({});

    const [wc, wcCalls] = await server().counted(() => ws.execute('cat /s3/data/log.jsonl | wc -l'));
    expect(wc).toEqual({ stdout: '40\n', stderr: '', exitCode: 0 });
    expect(wcCalls).toEqual({ GET: 1 });

    const [grep, grepCalls] = await server().counted(() => ws.execute('grep alert /s3/data/log.jsonl'));
    expect(grep).toEqual({ stdout: ALERTS, stderr: '', exitCode: 0 });
    expect(grepCalls).toEqual({});
    expect(ws.stats().mounts['/s3']).toMatchObject({ lists: 1, reads: 1, stats: 0 });
  });

  test('after the index TTL a changed object is noticed, dropped from the file cache and read again', async () => {
    const prefix = await seed();
    await using ws = await Workspace.open({ mounts: { '/s3': s3Resource(server().tier(prefix)) }, indexTtl: 400 });
    await ws.ls('/s3/data');
    expect(await ws.readFile('/s3/data/readme.txt', { encoding: 'utf8' })).toBe('read me\n');
    await put(prefix, 'data/readme.txt', 'read me again\n');
    expect(await ws.readFile('/s3/data/readme.txt', { encoding: 'utf8' })).toBe('read me\n'); // the index is fresh
    await sleep(450);
    const [entries, calls] = await server().counted(() => ws.ls('/s3/data'));
    expect(calls).toEqual({ LIST: 1 });
    expect(entries.find((e) => e.name === 'readme.txt')?.size).toBe(14);
    const [text, readCalls] = await server().counted(() => ws.readFile('/s3/data/readme.txt', { encoding: 'utf8' }));
    expect(text).toBe('read me again\n');
    expect(readCalls).toEqual({ GET: 1 });
    // An unchanged file keeps its cached bytes: after the TTL, one HEAD confirms them.
    await ws.readFile('/s3/data/other.jsonl');
    await sleep(450);
    const [, confirm] = await server().counted(() => ws.readFile('/s3/data/other.jsonl'));
    expect(confirm).toEqual({ HEAD: 1 });
  });

  test('snapshot: GNU tar reads it; load replays the reads with no request', async () => {
    const prefix = await seed();
    const folder = mkdtempSync(join(tmpdir(), 'strata-lifecycle-'));
    try {
      const tarPath = join(folder, 'run.tar');
      {
        await using ws = await Workspace.open({ mounts: { '/s3': s3Resource(server().tier(prefix)) } });
        await ws.execute('cat /s3/data/log.jsonl /s3/data/2026/11/day.jsonl');
        expect(await ws.snapshot(tarPath)).toMatchObject({ files: 2, missing: [] });
      }
      expect(execFileSync('tar', ['-tf', tarPath], { encoding: 'utf8' })).toBe('manifest.json\nfiles/s3/data/log.jsonl\nfiles/s3/data/2026/11/day.jsonl\n');
      execFileSync('tar', ['-xf', tarPath, '-C', folder]);
      expect(execFileSync('cat', [join(folder, 'files/s3/data/log.jsonl')], { encoding: 'utf8' })).toBe(LOG);

      const [result, calls] = await server().counted(async () => {
        await using replay = await Workspace.load(tarPath, { mounts: { '/s3': s3Resource(server().tier(prefix)) } });
        return await replay.execute('grep -c alert /s3/data/log.jsonl /s3/data/2026/11/day.jsonl');
      });
      expect(result.stdout).toBe('/s3/data/log.jsonl:7\n/s3/data/2026/11/day.jsonl:0\n');
      expect(calls).toEqual({});
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('over HTTP', () => {
  let root: string;
  let server: FileServer;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'strata-lifecycle-http-'));
    for (const [key, body] of Object.entries(TREE)) {
      mkdirSync(join(root, key, '..'), { recursive: true });
      writeFileSync(join(root, key), body);
    }
    server = await FileServer.start(root);
  });
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('ls: one GET; find of that folder: none; cat | wc -l: one GET; grep: none', async () => {
    await using ws = await Workspace.open({ mounts: { '/web': httpResource(server.url) } });
    server.reset();
    expect((await ws.execute('ls /web/data/')).stdout).toBe('2026\nlog.jsonl\nother.jsonl\nreadme.txt\n');
    expect(server.requests).toEqual({ GET: 1 });
    // Index pages list one level: find below it costs one listing per folder, once.
    expect((await ws.execute('find /web/data/ -maxdepth 1 -name "*.jsonl"')).stdout.split('\n').filter(Boolean).sort())
      .toEqual(['/web/data/log.jsonl', '/web/data/other.jsonl']);
    expect(server.total).toBe(1);
    expect(await ws.execute('cat /web/data/log.jsonl | wc -l')).toEqual({ stdout: '40\n', stderr: '', exitCode: 0 });
    expect(server.requests).toEqual({ GET: 2 });
    expect((await ws.execute('grep alert /web/data/log.jsonl')).stdout).toBe(ALERTS);
    expect(server.total).toBe(2);
  });
});
