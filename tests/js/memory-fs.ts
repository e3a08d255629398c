// A WorkspaceFs over text files held in memory ('/data/a.txt' → its text; directories are implied by the
// paths), with no Node imports, so that the shell can be run on the same files in Node and in a browser page.
import type { FindOptions, ReadFileOptions, WorkspaceEntry, WorkspaceFs } from '../../dist/workspace/entry.js';

/** An error shaped like StrataError (its `code` is what WorkspaceFs users read), without importing the build. */
function failure(code: 'ERR_NOT_FOUND' | 'ERR_INVALID_ARG', message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** WorkspaceFs.find from ls and stat: depth first, parents before children, the start path first. */
export async function* findByWalking(fs: WorkspaceFs, path: string, options: FindOptions = {}): AsyncIterable<WorkspaceEntry> {
  if (options.name !== undefined) throw new Error('find by name is not implemented here (the shell matches names itself)');
  async function* walk(entry: WorkspaceEntry, depth: number): AsyncIterable<WorkspaceEntry> {
    if (depth >= (options.minDepth ?? 0) && (options.type === undefined || entry.type === options.type)) yield entry;
    if (entry.type !== 'directory' || depth >= (options.maxDepth ?? Infinity)) return;
    for (const child of await fs.ls(entry.path)) yield* walk(child, depth + 1);
  }
  yield* walk(await fs.stat(path), 0);
}

export function normalisePath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '' && segment !== '.') segments.push(segment);
  }
  return '/' + segments.join('/');
}

export function memoryFs(files: Record<string, string>): WorkspaceFs {
  const bytes = new Map(Object.entries(files).map(([path, text]) => [path, new TextEncoder().encode(text)]));
  const stat = async (path: string): Promise<WorkspaceEntry> => {
    const normalised = normalisePath(path);
    const name = normalised.slice(normalised.lastIndexOf('/') + 1);
    const file = bytes.get(normalised);
    if (file !== undefined) return { path: normalised, name, type: 'file', size: file.length, mtimeMs: 0 };
    const prefix = normalised === '/' ? '/' : normalised + '/';
    if (![...bytes.keys()].some((key) => key.startsWith(prefix))) throw failure('ERR_NOT_FOUND', `no such path: ${path}`);
    return { path: normalised, name, type: 'directory', size: 0 };
  };
  const fs: WorkspaceFs = {
    stat,
    async ls(path) {
      const directory = await stat(path);
      if (directory.type !== 'directory') throw failure('ERR_INVALID_ARG', `not a directory: ${path}`);
      const prefix = directory.path === '/' ? '/' : directory.path + '/';
      const below = [...bytes.keys()].filter((key) => key.startsWith(prefix));
      const names = new Set(below.map((key) => key.slice(prefix.length).split('/')[0]!));
      return Promise.all([...names].sort().map((name) => stat(prefix + name)));
    },
    async exists(path) {
      return stat(path).then(() => true, () => false);
    },
    async readFile(path: string, options: ReadFileOptions = {}) {
      const entry = await stat(path);
      if (entry.type !== 'file') throw failure('ERR_INVALID_ARG', `a directory: ${path}`);
      const content = bytes.get(entry.path)!.subarray(options.start, options.end);
      return (options.encoding ? new TextDecoder().decode(content) : content) as never;
    },
    find: (path, options) => findByWalking(fs, path, options),
  };
  return fs;
}
