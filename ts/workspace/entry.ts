// What a workspace shows of its files, and the file-system surface that the shell (`execute`) and
// users program against. Paths are virtual and absolute: '/s3/data/log.jsonl'.
import type { EntryType } from './resource.js';

export interface WorkspaceEntry {
  /** Normalised absolute virtual path, no trailing '/' (the root is '/'). */
  path: string;
  /** The last path segment ('' for '/'). */
  name: string;
  type: EntryType;
  /** Bytes of a file, 0 for a directory; undefined only in `ls` results of sources whose listings omit sizes. */
  size?: number;
  /** Last modification, ms since the Unix epoch, when the source says. */
  mtimeMs?: number;
  etag?: string;
}

export interface FindOptions {
  /** A shell glob matched against each entry's name ('*', '?', '[...]'), as `find -name`. */
  name?: string;
  type?: EntryType;
  /** 0 yields only the start path; 1 its children too; default unlimited. */
  maxDepth?: number;
  /** Entries shallower than this are walked but not yielded. Default 0. */
  minDepth?: number;
}

export interface ReadFileOptions {
  /** First byte, default 0. */
  start?: number;
  /** One past the last byte, default the file's size. */
  end?: number;
  /** 'utf8' returns a string instead of bytes. */
  encoding?: 'utf8' | 'utf-8';
}

export interface MkdirOptions {
  /** Creates missing parents too, and is no error when the folder exists (`mkdir -p`). */
  recursive?: boolean;
}

export interface RmOptions {
  /** Removes a folder and everything below it (`rm -r`). */
  recursive?: boolean;
  /** No error when nothing is there (`rm -f`). */
  force?: boolean;
}

export interface CpOptions {
  /** Copies a folder and everything below it (`cp -r`). */
  recursive?: boolean;
}

/**
 * The file system a workspace offers. Missing paths reject with StrataError `ERR_NOT_FOUND`; `ls` of
 * a file and `readFile` of a directory with `ERR_INVALID_ARG`; a path outside every mount with `ERR_INVALID_ARG`.
 * The write methods are optional (a read-only view lacks them); writes to a mount that is not writable reject
 * with `ERR_READ_ONLY`, creating what exists with `ERR_EXISTS`.
 */
export interface WorkspaceFs {
  /** A directory's entries, sorted by name; '/' lists the mount points. */
  ls(path: string): Promise<WorkspaceEntry[]>;
  stat(path: string): Promise<WorkspaceEntry>;
  exists(path: string): Promise<boolean>;
  readFile(path: string, options?: ReadFileOptions & { encoding?: undefined }): Promise<Uint8Array>;
  readFile(path: string, options: ReadFileOptions & { encoding: 'utf8' | 'utf-8' }): Promise<string>;
  /** Depth-first, parents before children, names in sorted order; the start path itself first (depth 0). */
  find(path: string, options?: FindOptions): AsyncIterable<WorkspaceEntry>;
  /** Creates or replaces a file; its folder must exist. The shell's '>' and `tee` use it. */
  writeFile?(path: string, data: Uint8Array): Promise<void>;
  /** Adds bytes at the end of a file, creating it if needed. The shell's '>>' and `tee -a` use it. */
  appendFile?(path: string, data: Uint8Array): Promise<void>;
  mkdir?(path: string, options?: MkdirOptions): Promise<void>;
  rm?(path: string, options?: RmOptions): Promise<void>;
  /** Copies a file (or with `recursive` a folder) to exactly `to`. */
  cp?(from: string, to: string, options?: CpOptions): Promise<void>;
  /** Moves a file or folder to exactly `to`. */
  mv?(from: string, to: string): Promise<void>;
  /** Sets a file's time to now, or creates it empty. */
  touch?(path: string): Promise<void>;
}
