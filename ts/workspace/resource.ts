// What a workspace mount is made of: a Resource lists, describes and reads files of one remote (or local)
// source. Paths given to a Resource are relative to its root, '/'-separated, without a leading or trailing '/';
// '' is the root itself. Every method call is one "network call" in the workspace's statistics.
// A writable resource (`writable: true`) has the write methods too; the workspace checks, before it calls one,
// that the parent folder exists and what is at the path, so a resource only carries out the change.

export type EntryType = 'file' | 'directory';

/** One file or directory as its source describes it. */
export interface ResourceEntry {
  /**
   * Path relative to the directory that was listed (or, from `stat`, the entry's own name). A deep listing
   * (see `Listing.deep`) holds '/'-separated paths to every descendant.
   */
  name: string;
  type: EntryType;
  /** Bytes of a file; 0 for a directory. Undefined when the source's listing does not say (HTTP indexes). */
  size?: number;
  /** Last modification, milliseconds since the Unix epoch, when the source says. */
  mtimeMs?: number;
  /** The source's version of the file's bytes (S3 or HTTP ETag; size and mtime for local files). */
  etag?: string;
}

export interface Listing {
  entries: ResourceEntry[];
  /**
   * True when `entries` holds every descendant of the listed directory (paths with '/'), so the listings of all
   * its subdirectories are known from this one call. S3 lists a prefix this way when it fits in a few pages.
   */
  deep: boolean;
}

/** Bytes [start, end) of a file; without `end`, to its end. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface ReadResult {
  bytes: Uint8Array;
  /** The whole file's metadata (also when a range was read). */
  entry: ResourceEntry;
}

export interface Resource {
  /** 's3', 'local', 'http', 'memory', ... for statistics and messages. */
  readonly kind: string;
  /**
   * What the resource reads, the same for every resource over the same files and holding no secret (as
   * 's3:host/bucket/prefix'): a workspace's shared index (option `index`) keys what it records by it. A resource
   * without one is not shared (memoryResource: its files live in one process).
   */
  readonly id?: string;
  /** The directory's entries, or undefined when there is no directory at `path`. */
  list(path: string, signal?: AbortSignal): Promise<Listing | undefined>;
  /** The file or directory at `path`, or undefined when there is nothing there. */
  stat(path: string, signal?: AbortSignal): Promise<ResourceEntry | undefined>;
  /** A file's bytes (or a range of them), or undefined when there is no file at `path`. */
  read(path: string, range?: ByteRange, signal?: AbortSignal): Promise<ReadResult | undefined>;
  /** Whether the workspace may write through this resource (each kind's `writable` option). */
  readonly writable?: boolean;
  /** Creates or replaces the file at `path`; the new file's entry. */
  write?(path: string, bytes: Uint8Array, signal?: AbortSignal): Promise<ResourceEntry>;
  /** Creates the folder at `path`, and its missing ancestors. */
  mkdir?(path: string, signal?: AbortSignal): Promise<void>;
  /** Deletes the file at `path`, or with `recursive` the folder at `path` and everything below it. */
  delete?(path: string, options: { recursive: boolean }, signal?: AbortSignal): Promise<void>;
  /** Copies the file `from` to `to` within the source; false when there is no file at `from`. */
  copy?(from: string, to: string, signal?: AbortSignal): Promise<boolean>;
  /** Sets the modification time of the file at `path` to now, where the source can (S3 cannot). */
  touch?(path: string, signal?: AbortSignal): Promise<void>;
  /** Releases connections; the workspace calls it once, from `close()`. */
  close?(): Promise<void>;
}
