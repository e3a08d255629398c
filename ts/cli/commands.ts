// The commands of `stratacache` over a disk tier's folder: each writes its result through `out`, as text for
// people or, with `json`, as one JSON document for scripts.
import { invalidArg } from '../errors.js';
import { parseDuration, parseSize } from '../units.js';
import { checkFolder, type EntryFilter, type FolderEntry, folderEntries, openFolder } from './disk-folder.js';
import { formatBytes, formatInstant, jsonInstant } from './format.js';

export interface Output {
  json: boolean;
  /** Writes one line to standard output. */
  line(text: string): void;
  /** Resolves once standard output has taken what was written: at once unless its reader lags behind. */
  drained(): Promise<void>;
  /** Shows what a long command is doing, where someone watches (a terminal); returns the function that ends it. */
  activity(text: string): () => void;
}

const entryJson = (entry: FolderEntry) => ({
  namespace: entry.namespace,
  key: entry.key,
  size: entry.size,
  expiresAt: jsonInstant(entry.expiresAt),
  writtenAt: jsonInstant(entry.writtenAt),
  accessedAt: jsonInstant(entry.accessedAt),
});

/**
 * `ls <dir>`: the live entries with their sizes and expiries, in the index's order; written as they are read,
 * waiting for a slow reader, so a large cache is never held in memory.
 */
export async function ls(folder: string, filter: EntryFilter, out: Output): Promise<void> {
  checkFolder(folder);
  if (out.json) {
    out.line('[');
    let separator = '';
    for (const entry of folderEntries(folder, filter)) {
      out.line(`${separator}${JSON.stringify(entryJson(entry))}`);
      separator = ',';
      await out.drained();
    }
    out.line(']');
    return;
  }
  out.line(`${'SIZE'.padStart(10)}  ${'EXPIRES'.padEnd(24)}  ${'NAMESPACE'.padEnd(12)}  KEY`);
  for (const entry of folderEntries(folder, filter)) {
    const size = formatBytes(entry.size).padStart(10);
    const expires = formatInstant(entry.expiresAt).padEnd(24);
    out.line(`${size}  ${expires}  ${(entry.namespace || '-').padEnd(12)}  ${entry.key}`);
    await out.drained();
  }
}

interface Totals {
  entries: number;
  bytes: number;
}

/** `stats <dir>`: entries and value bytes, in all and per namespace, and when the oldest and newest were written. */
export function stats(folder: string, out: Output): void {
  checkFolder(folder);
  const all: Totals = { entries: 0, bytes: 0 };
  const namespaces = new Map<string, Totals>();
  let oldest = Infinity;
  let newest = -Infinity;
  for (const entry of folderEntries(folder)) {
    let own = namespaces.get(entry.namespace);
    if (own === undefined) namespaces.set(entry.namespace, (own = { entries: 0, bytes: 0 }));
    for (const totals of [all, own]) {
      totals.entries++;
      totals.bytes += entry.size;
    }
    oldest = Math.min(oldest, entry.writtenAt ?? Infinity);
    newest = Math.max(newest, entry.writtenAt ?? -Infinity);
  }
  const sorted = [...namespaces].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const first = all.entries > 0 ? oldest : undefined;
  const last = all.entries > 0 ? newest : undefined;
  if (out.json) {
    out.line(JSON.stringify({
      folder, ...all, oldest: jsonInstant(first), newest: jsonInstant(last), namespaces: Object.fromEntries(sorted),
    }));
    return;
  }
  out.line(`folder      ${folder}`);
  out.line(`entries     ${all.entries}`);
  out.line(`bytes       ${formatBytes(all.bytes)} (${all.bytes})`);
  out.line(`oldest      ${formatInstant(first, '-')}`);
  out.line(`newest      ${formatInstant(last, '-')}`);
  for (const [name, totals] of sorted) {
    const count = String(totals.entries).padStart(8);
    out.line(`namespace   ${(name || '(default)').padEnd(16)} ${count} entries  ${formatBytes(totals.bytes)}`);
  }
}

/** `verify <dir>`: checks every entry's content against its checksum and repairs the folder (Cache.verify). */
export async function verify(folder: string, out: Output): Promise<void> {
  const cache = await openFolder(folder);
  const done = out.activity(`verifying ${folder}`);
  try {
    const report = await cache.verify();
    done();
    if (out.json) {
      out.line(JSON.stringify({ folder, ...report }));
      return;
    }
    out.line(`${folder}: ${report.entries} entries left, all readable`);
    out.line(`removed ${report.removedEntries} entries whose content was missing or corrupt, ` +
      `${report.orphanFiles} content files no entry used, ${report.tempFiles} temp files of crashed writers`);
  } finally {
    done();
    await cache.close();
  }
}

export interface CleanLimits {
  maxAge?: string;
  maxSize?: string;
}

/** `clean <dir> --max-age --max-size`: removes the entries written before maxAge, then the oldest over maxSize. */
export async function clean(folder: string, limits: CleanLimits, out: Output): Promise<void> {
  const maxAge = limits.maxAge === undefined ? undefined : parseDuration(limits.maxAge, '--max-age');
  const maxSize = limits.maxSize === undefined ? undefined : parseSize(limits.maxSize, '--max-size');
  if (maxAge === undefined && maxSize === undefined) throw invalidArg('clean needs --max-age, --max-size or both');
  const cache = await openFolder(folder);
  try {
    const removed = await cache.clean({ maxAge, maxSize });
    if (out.json) out.line(JSON.stringify({ folder, removed }));
    else out.line(`${folder}: removed ${removed} entries`);
  } finally {
    await cache.close();
  }
}
