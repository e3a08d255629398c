// The sources that workspaces write through, each over the real thing: the memory resource, a real folder, and
// s3rver behind the signing, counting proxy. Each makes a resource holding given files, and changes a file
// behind the workspace's back (as another writer would).
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import { localResource, memoryResource, s3Resource } from '../../dist/node.js';
import type { Resource } from '../../dist/workspace/resource.js';
import { freshFolder } from './disk-folders.js';
import { BUCKET, CREDENTIALS, freshPrefix, type S3Server } from './s3-server.js';

export interface Source {
  resource: Resource;
  /** Replaces a file's bytes without the workspace knowing. */
  change(path: string, text: string): Promise<void>;
}

export type SourceMaker = (files: Record<string, string>, options?: { writable?: boolean }) => Promise<Source>;

export const memorySource: SourceMaker = async (files, options = {}) => {
  const resource = memoryResource(files, options);
  return {
    resource,
    // The resource's own write: the workspace that mounts it is not told.
    change: async (path, text) => void (await resource.write!(path, new TextEncoder().encode(text))),
  };
};

let changes = 0;
export const folderSource: SourceMaker = async (files, options = {}) => {
  const folder = freshFolder('writes');
  const put = (path: string, text: string) => {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  };
  for (const [path, text] of Object.entries(files)) put(path, text);
  return {
    resource: localResource(folder, { writable: options.writable ?? true }),
    change: async (path, text) => {
      put(path, text);
      const time = new Date(Date.UTC(2020, 0, 1) + ++changes * 1000); // a new mtime even within one millisecond
      utimesSync(join(folder, path), time, time);
    },
  };
};

/** S3 sources on `server`, each under a fresh prefix; `close()` when done. */
export function s3Sources(server: () => S3Server): { make: SourceMaker; close(): void } {
  let client: S3Client | undefined;
  const sdk = () => (client ??= new S3Client({ region: 'us-east-1', endpoint: server().endpoint, forcePathStyle: true, credentials: CREDENTIALS }));
  const make: SourceMaker = async (files, options = {}) => {
    const prefix = freshPrefix('writes');
    const put = (path: string, text: string) =>
      sdk().send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${path}`, Body: Buffer.from(text) }));
    const queue = Object.entries(files);
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await put(...next);
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return {
      resource: s3Resource({ ...server().tier(prefix), writable: options.writable ?? true }),
      change: async (path, text) => void (await put(path, text)),
    };
  };
  return { make, close: () => client?.destroy() };
}
