// A WorkspaceFs over a real folder, mounted at '/data', for testing code written against WorkspaceFs (the
// shell) before and apart from the Workspace class. Follows the contract in ts/workspace/entry.ts.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { StrataError } from '../../dist/node.js';
import type { FindOptions, ReadFileOptions, WorkspaceEntry, WorkspaceFs } from '../../dist/workspace/entry.js';
import { findByWalking, normalisePath } from './memory-fs.js';

/** Makes the file system that `execute` is tested on, showing `folder` at `mountPoint`. */
export type WorkspaceFsFactory = (folder: string, mountPoint: string) => Promise<WorkspaceFs>;

export const folderFsFactory: WorkspaceFsFactory = async (folder, mountPoint) => new FolderFs(folder, mountPoint);

class FolderFs implements WorkspaceFs {
  constructor(
    private readonly folder: string,
    private readonly mountPoint: string,
  ) {}

  async ls(path: string): Promise<WorkspaceEntry[]> {
    const directory = await this.stat(path);
    if (directory.type !== 'directory') throw new StrataError('ERR_INVALID_ARG', `'${path}' is not a directory`);
    if (directory.path === '/') return [await this.stat(this.mountPoint)];
    const names = (await readdir(this.realPath(directory.path))).sort();
    return Promise.all(names.map((name) => this.stat(`${directory.path}/${name}`)));
  }

  async stat(path: string): Promise<WorkspaceEntry> {
    const normalised = normalisePath(path);
    const name = normalised.slice(normalised.lastIndexOf('/') + 1);
    if (normalised === '/') return { path: '/', name: '', type: 'directory', size: 0 };
    const facts = await stat(this.realPath(normalised)).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new StrataError('ERR_NOT_FOUND', `no such file: '${path}'`) : error;
    });
    const type = facts.isDirectory() ? 'directory' : 'file';
    return { path: normalised, name, type, size: type === 'file' ? facts.size : 0, mtimeMs: facts.mtimeMs };
  }

  async exists(path: string): Promise<boolean> {
    return this.stat(path).then(
      () => true,
      () => false,
    );
  }

  readFile(path: string, options?: ReadFileOptions & { encoding?: undefined }): Promise<Uint8Array>;
  readFile(path: string, options: ReadFileOptions & { encoding: 'utf8' | 'utf-8' }): Promise<string>;
  async readFile(path: string, options: ReadFileOptions = {}): Promise<Uint8Array | string> {
    const entry = await this.stat(path);
    if (entry.type !== 'file') throw new StrataError('ERR_INVALID_ARG', `'${path}' is a directory`);
    const bytes = new Uint8Array((await readFile(this.realPath(entry.path))).subarray(options.start, options.end));
    return options.encoding ? new TextDecoder().decode(bytes) : bytes;
  }

  find(path: string, options?: FindOptions): AsyncIterable<WorkspaceEntry> {
    return findByWalking(this, path, options);
  }

  /** The real path of a normalised virtual one; paths outside the mount are refused, as a workspace does. */
  protected realPath(path: string): string {
    if (path === this.mountPoint) return this.folder;
    if (!path.startsWith(this.mountPoint + '/')) throw new StrataError('ERR_INVALID_ARG', `'${path}' is outside every mount`);
    return join(this.folder, path.slice(this.mountPoint.length + 1));
  }
}

/** A FolderFs that also writes (WorkspaceFs.writeFile/appendFile), for the shell's redirections and tee. */
class WritableFolderFs extends FolderFs {
  async writeFile(path: string, data: Uint8Array): Promise<void> {
    await this.write(path, data, 'w');
  }

  async appendFile(path: string, data: Uint8Array): Promise<void> {
    await this.write(path, data, 'a');
  }

  private async write(path: string, data: Uint8Array, flag: 'w' | 'a'): Promise<void> {
    const entry = await this.stat(path).catch(() => undefined);
    if (entry?.type === 'directory') throw new StrataError('ERR_INVALID_ARG', `'${path}' is a directory`);
    await writeFile(this.realPath(normalisePath(path)), data, { flag }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new StrataError('ERR_NOT_FOUND', `no such folder for '${path}'`) : error;
    });
  }
}

export const writableFolderFsFactory: WorkspaceFsFactory = async (folder, mountPoint) => new WritableFolderFs(folder, mountPoint);
