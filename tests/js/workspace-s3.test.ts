// The workspace's S3 mount (s3Resource) against a real S3-protocol server (s3rver behind a SigV4-checking,
// request-counting proxy): what list, stat and read answer, and exactly how many requests each costs.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import { s3Resource, type S3ResourceOptions } from '../../dist/node.js';
import type { Resource, ResourceEntry } from '../../dist/workspace/resource.js';
import { BUCKET, CREDENTIALS, freshPrefix, useS3Server } from './s3-server.js';

const server = useS3Server();
const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8'));

const open: Resource[] = [];
afterAll(async () => {
  await Promise.all(open.map((resource) => resource.close?.()));
});

function mount(prefix: string, options: Partial<S3ResourceOptions> = {}): Resource {
  const resource = s3Resource({ ...server().tier(prefix), ...options });
  open.push(resource);
  return resource;
}

function sdk(): S3Client {
  return new S3Client({ region: 'us-east-1', endpoint: server().endpoint, forcePathStyle: true, credentials: CREDENTIALS });
}

/** Writes `objects` (relative key -> body) under `prefix/`, a few at a time; returns their ETags, unquoted. */
async function seed(prefix: string, objects: Record<string, string>): Promise<Map<string, string>> {
  const client = sdk();
  const etags = new Map<string, string>();
  const queue = Object.entries(objects);
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [key, body] = next;
      const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${key}`, Body: Buffer.from(body) }));
      etags.set(key, put.ETag!.replaceAll('"', ''));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  client.destroy();
  return etags;
}

/** Runs `work` and returns its result with the requests the server answered (or refused) meanwhile. */
async function counted<T>(work: () => Promise<T>): Promise<[T, number]> {
  const total = async () => {
    const stats = await server().stats();
    return stats.verified + stats.rejected;
  };
  const before = await total();
  const result = await work();
  return [result, (await total()) - before];
}

const names = (entries: ResourceEntry[] | undefined) => entries?.map((entry) => `${entry.name}${entry.type === 'directory' ? '/' : ''}`);

// A tree with nested folders, folder markers (keys ending in '/': one empty folder, one that also has files)
// and a directory no object names ('data/2024' exists only through its file).
const TREE = {
  'readme.md': 'hello, mount',
  'data/a.csv': 'x,y\n1,2\n',
  'data/2024/b.csv': 'b',
  'empty/': '',
  'logs/': '',
  'logs/x.log': 'line 1\nline 2\n',
};
let treePrefix: string;
let etags: Map<string, string>;
beforeAll(async () => {
  treePrefix = freshPrefix('tree');
  etags = await seed(treePrefix, TREE);
});

describe('list', () => {
  test('a small tree comes back whole in one request: every file, folder marker and implied directory', async () => {
    const resource = mount(treePrefix);
    const [listing, requests] = await counted(() => resource.list(''));
    expect(requests).toBe(1);
    expect(listing?.deep).toBe(true);
    expect(names(listing?.entries)).toEqual([
      'data/', 'data/2024/', 'data/2024/b.csv', 'data/a.csv', 'empty/', 'logs/', 'logs/x.log', 'readme.md',
    ]);
    const readme = listing!.entries.find((entry) => entry.name === 'readme.md')!;
    expect(readme).toEqual({ name: 'readme.md', type: 'file', size: 12, etag: etags.get('readme.md'), mtimeMs: expect.any(Number) });
    expect(Math.abs(readme.mtimeMs! - Date.now())).toBeLessThan(120_000);
    expect(listing!.entries.find((entry) => entry.name === 'data/2024')).toEqual({ name: 'data/2024', type: 'directory', size: 0 });
  });

  test('a subdirectory lists relative to itself; its own folder marker is not an entry', async () => {
    const resource = mount(treePrefix);
    expect(await resource.list('data')).toEqual({ deep: true, entries: expect.any(Array) });
    expect(names((await resource.list('data'))?.entries)).toEqual(['2024/', '2024/b.csv', 'a.csv']);
    expect(names((await resource.list('data/2024'))?.entries)).toEqual(['b.csv']);
    expect(names((await resource.list('logs'))?.entries)).toEqual(['x.log']);
    expect(await resource.list('empty')).toEqual({ deep: true, entries: [] });
  });

  test('no such directory, or a file, is undefined after one request; the empty mount root is an empty directory', async () => {
    const resource = mount(treePrefix);
    const [missing, requests] = await counted(() => resource.list('nope'));
    expect([missing, requests]).toEqual([undefined, 1]);
    expect(await resource.list('readme.md')).toBeUndefined();
    expect(await resource.list('data/a.csv')).toBeUndefined();
    expect(await mount(freshPrefix('void')).list('')).toEqual({ deep: true, entries: [] });
  });

  test('deepListLimit 0 lists one level with the delimiter: files and folders, markers as folders', async () => {
    const resource = mount(treePrefix, { deepListLimit: 0 });
    const [listing, requests] = await counted(() => resource.list(''));
    expect(requests).toBe(1);
    expect(listing?.deep).toBe(false);
    expect(names(listing?.entries)).toEqual(['data/', 'empty/', 'logs/', 'readme.md']);
    expect(await resource.list('empty')).toEqual({ deep: false, entries: [] });
    expect(await resource.list('nope')).toBeUndefined();
    expect(names((await resource.list('data'))?.entries)).toEqual(['2024/', 'a.csv']);
  });

  // (Keys with empty segments, 'a//b', cannot be tested here: s3rver refuses them.)
  test('a file and a directory may share a name, listed deep or shallow', async () => {
    const prefix = freshPrefix('twin');
    await seed(prefix, { 'x': '3', 'x/y': '4' });
    for (const deepListLimit of [undefined, 0]) {
      const resource = mount(prefix, { deepListLimit });
      const deep = deepListLimit === undefined;
      expect(names((await resource.list(''))?.entries)).toEqual(deep ? ['x', 'x/', 'x/y'] : ['x', 'x/']);
      expect(names((await resource.list('x'))?.entries)).toEqual(['y']);
      expect(await resource.stat('x')).toMatchObject({ type: 'file', size: 1 });
      expect(text((await resource.read('x'))?.bytes)).toBe('3');
    }
  });

  test('a mount of the whole bucket sees the tree under its prefix', async () => {
    const resource = s3Resource({ ...server().tier(treePrefix), prefix: undefined });
    open.push(resource);
    expect(names((await resource.list(treePrefix))?.entries)).toContain('data/2024/b.csv');
    expect((await resource.stat(`${treePrefix}/readme.md`))?.size).toBe(12);
  });
});

describe('list of more than a page', () => {
  // 1,100 files in one directory and one in a subdirectory: 1,101 keys, two pages of S3's 1,000.
  let prefix: string;
  beforeAll(async () => {
    prefix = freshPrefix('many');
    const objects: Record<string, string> = { 'sub/x': 'x' };
    for (let i = 0; i < 1100; i++) objects[`f${String(i).padStart(4, '0')}`] = String(i);
    await seed(prefix, objects);
  }, 120_000);

  test('pages through every key while they fit in deepListLimit', async () => {
    for (const deepListLimit of [undefined, 1101]) {
      const resource = mount(prefix, { deepListLimit });
      const [listing, requests] = await counted(() => resource.list(''));
      expect(requests).toBe(2);
      expect(listing?.deep).toBe(true);
      expect(listing?.entries).toHaveLength(1102); // the files, 'sub' and 'sub/x'
      expect(names(listing?.entries)?.slice(-3)).toEqual(['f1099', 'sub/', 'sub/x']);
    }
  });

  test('falls back to one level, every page, when the keys pass deepListLimit', async () => {
    // 1,000 then 50 keys without delimiter, still more: then two pages with it.
    const resource = mount(prefix, { deepListLimit: 1050 });
    const [listing, requests] = await counted(() => resource.list(''));
    expect(requests).toBe(4);
    expect(listing?.deep).toBe(false);
    expect(listing?.entries).toHaveLength(1101);
    expect(names(listing?.entries)?.slice(-2)).toEqual(['f1099', 'sub/']);
    expect(listing?.entries.find((entry) => entry.name === 'f0042')).toMatchObject({ type: 'file', size: 2 });

    const [exact, exactRequests] = await counted(() => mount(prefix, { deepListLimit: 1000 }).list(''));
    expect([exact?.deep, exact?.entries.length, exactRequests]).toEqual([false, 1101, 3]);
  });
});

describe('stat', () => {
  test('a file is one HEAD', async () => {
    const resource = mount(treePrefix);
    const [entry, requests] = await counted(() => resource.stat('data/a.csv'));
    expect(requests).toBe(1);
    expect(entry).toEqual({ name: 'a.csv', type: 'file', size: 8, etag: etags.get('data/a.csv'), mtimeMs: expect.any(Number) });
  });

  test('a directory, implied or marked, is a HEAD miss then a one-key listing', async () => {
    const resource = mount(treePrefix);
    const [entry, requests] = await counted(() => resource.stat('data/2024'));
    expect([entry, requests]).toEqual([{ name: '2024', type: 'directory', size: 0 }, 2]);
    expect(await resource.stat('empty')).toEqual({ name: 'empty', type: 'directory', size: 0 });
    expect(await resource.stat('logs')).toMatchObject({ type: 'directory' });
  });

  test('nothing there is undefined; the root is a directory without a request', async () => {
    const resource = mount(treePrefix);
    const [missing, requests] = await counted(() => resource.stat('data/nope.csv'));
    expect([missing, requests]).toEqual([undefined, 2]);
    const [root, rootRequests] = await counted(() => resource.stat(''));
    expect([root, rootRequests]).toEqual([{ name: '', type: 'directory', size: 0 }, 0]);
  });
});

describe('read', () => {
  test('a whole file is one GET, with its metadata', async () => {
    const resource = mount(treePrefix);
    const [result, requests] = await counted(() => resource.read('logs/x.log'));
    expect(requests).toBe(1);
    expect(text(result?.bytes)).toBe(TREE['logs/x.log']);
    expect(result?.entry).toEqual({ name: 'x.log', type: 'file', size: 14, etag: etags.get('logs/x.log'), mtimeMs: expect.any(Number) });
  });

  test('a range is one ranged GET; the entry still describes the whole file', async () => {
    const resource = mount(treePrefix);
    const [result, requests] = await counted(() => resource.read('readme.md', { start: 7, end: 11 }));
    expect(requests).toBe(1);
    expect(text(result?.bytes)).toBe('moun');
    expect(result?.entry).toMatchObject({ name: 'readme.md', size: 12, etag: etags.get('readme.md') });
    expect(text((await resource.read('readme.md', { start: 7 }))?.bytes)).toBe('mount');
    expect(text((await resource.read('readme.md', { start: 0, end: 100 }))?.bytes)).toBe('hello, mount');
  });

  test('a range with no bytes in it reads none, and still describes the file', async () => {
    const resource = mount(treePrefix);
    const [past, requests] = await counted(() => resource.read('readme.md', { start: 12 }));
    expect(requests).toBe(2); // the refused GET (416), then a HEAD
    expect(past?.bytes).toHaveLength(0);
    expect(past?.entry).toMatchObject({ size: 12, etag: etags.get('readme.md') });
    const [empty, emptyRequests] = await counted(() => resource.read('readme.md', { start: 3, end: 3 }));
    expect([empty?.bytes.length, empty?.entry.size, emptyRequests]).toEqual([0, 12, 1]);
  });

  test('a missing file, a directory and the root are undefined', async () => {
    const resource = mount(treePrefix);
    const [missing, requests] = await counted(() => resource.read('data/nope.csv'));
    expect([missing, requests]).toEqual([undefined, 1]);
    expect(await resource.read('data')).toBeUndefined();
    expect(await resource.read('empty')).toBeUndefined();
    expect(await resource.read('')).toBeUndefined();
  });
});

describe('refusals', () => {
  const SECRET = 'not-the-secret-1a2b3c4d';

  test.each([
    ['no options', undefined],
    ['a bucket name S3 refuses', { bucket: 'Not_A_Bucket' }],
    ['an endpoint that is not a URL', { endpoint: 'localhost:9000' }],
    ['half the credentials', { credentials: { accessKeyId: 'id' } }],
    ['a prefix starting with a slash', { prefix: '/x' }],
    ['a negative deepListLimit', { deepListLimit: -1 }],
    ['a fractional deepListLimit', { deepListLimit: 1.5 }],
  ])('s3Resource() with %s throws ERR_INVALID_ARG before any request', async (_what, options) => {
    const [error, requests] = await counted(async () => {
      try {
        s3Resource(options === undefined ? (undefined as never) : ({ ...server().tier('x'), ...options } as never));
      } catch (e) {
        return e;
      }
      return undefined;
    });
    expect(error).toMatchObject({ name: 'StrataError', code: 'ERR_INVALID_ARG' });
    expect(requests).toBe(0);
  });

  test('bad paths and ranges reject with ERR_INVALID_ARG before any request', async () => {
    const resource = mount(treePrefix);
    const [errors, requests] = await counted(() =>
      Promise.all([
        resource.list('/data').catch((e: unknown) => e),
        resource.stat('data/').catch((e: unknown) => e),
        resource.read('data//a.csv').catch((e: unknown) => e),
        resource.read('readme.md', { start: 5, end: 2 }).catch((e: unknown) => e),
        resource.read('readme.md', { start: -1 }).catch((e: unknown) => e),
      ]),
    );
    for (const error of errors) expect(error).toMatchObject({ name: 'StrataError', code: 'ERR_INVALID_ARG' });
    expect(requests).toBe(0);
  });

  test('a bucket that does not exist is ERR_NOT_FOUND naming it and the mount', async () => {
    const resource = mount(freshPrefix('nobucket'), { bucket: 'no-such-bucket' });
    for (const call of [() => resource.list(''), () => resource.stat('a/b'), () => resource.read('a')]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'StrataError', code: 'ERR_NOT_FOUND', tier: expect.stringMatching(/^s3:\/\/no-such-bucket\/nobucket-/) });
      expect((error as Error).message).toMatch(/s3:\/\/no-such-bucket\/.*NoSuchBucket: The specified bucket does not exist/);
    }
  });

  test('wrong credentials are ERR_S3_AUTH, without the secret', async () => {
    const resource = mount(treePrefix, { credentials: { accessKeyId: 'S3RVER', secretAccessKey: SECRET } });
    for (const call of [() => resource.list(''), () => resource.stat('readme.md'), () => resource.read('readme.md')]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'StrataError', code: 'ERR_S3_AUTH', retryable: false, tier: `s3://${BUCKET}/${treePrefix}` });
      expect(JSON.stringify(error) + String(error) + (error as Error).stack).not.toContain(SECRET);
    }
  });
});

describe('signals and close', () => {
  test('an aborted signal rejects with ERR_ABORTED before any request', async () => {
    const resource = mount(treePrefix);
    const [error, requests] = await counted(() => resource.list('', AbortSignal.abort()).catch((e: unknown) => e));
    expect(error).toMatchObject({ name: 'StrataError', code: 'ERR_ABORTED' });
    expect(requests).toBe(0);
    expect(text((await resource.read('readme.md', undefined, new AbortController().signal))?.bytes)).toBe('hello, mount');
  });

  test('a signal aborted mid-request rejects that request with ERR_ABORTED', async () => {
    const resource = mount(treePrefix);
    const controller = new AbortController();
    const reading = resource.read('readme.md', undefined, controller.signal);
    controller.abort();
    await expect(reading).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  test('after close, calls reject with ERR_CLOSED', async () => {
    const resource = s3Resource(server().tier(treePrefix));
    await resource.close?.();
    await expect(resource.stat('readme.md')).rejects.toMatchObject({ name: 'StrataError', code: 'ERR_CLOSED' });
  });
});
