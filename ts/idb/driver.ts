// The JavaScript half of the IndexedDB tier: it moves entry records for the C++ store (wasm/idb_store.cc), which
// owns the index, the budget and the eviction order. The requests the store sends within one task go into one
// transaction (readwrite with relaxed durability when anything writes), and later ones join it for a few
// milliseconds while it is still active: through the microtask checkpoint of the task that made it and of each of
// its requests' events, so a caller that awaits one operation before the next keeps using one transaction. Each
// request is answered by calling the module's driverComplete with the request's id. Nothing but IndexedDB is
// awaited while a transaction is open.

import type { CompleteRequest, DriverError } from '../driver-channel.js';
import { RunningTotal, STATE, type TransactionTotal } from './running-total.js';

/**
 * One entry, by key digest: its value and its metadata in one record, written in one request. The key is kept so
 * that a digest collision is a miss. `expires` is Infinity for never, so that every indexed field is a valid key.
 */
interface EntryRecord {
  key: string;
  /** The key's namespace; '' for the default one. */
  ns: string;
  value: Uint8Array;
  expires: number;
  charge: number;
  written: number;
}

/** What the `meta` index holds of a record, in this order: walked with a key cursor, it yields oldest write first. */
const META_FIELDS = ['written', 'charge', 'expires', 'key', 'ns'] as const;
type MetaKey = [written: number, charge: number, expires: number, key: string, ns: string];

/** A put as the C++ store sends it; `replaces` is the charge of the record it replaces as this tab knows it (0: none). */
interface PutRequest {
  id: string;
  key: string;
  ns: string;
  value: Uint8Array;
  expires: number;
  charge: number;
  replaces: number;
}

/** A removal as the C++ store sends it; `charge` null when this tab does not know the record (it is read first). */
interface DeleteRequest {
  id: string;
  charge: number | null;
}

type Operation = { answered?: true } & (
  | { kind: 'load'; request: number }
  | { kind: 'read'; request: number; id: string }
  | { kind: 'write'; request: number; put: PutRequest | null; deletes: DeleteRequest[]; placed: number | undefined }
  | { kind: 'clear'; request: number });

/** The transaction requests were last placed in, and what its end answers. */
interface Live {
  db: IDBDatabase;
  tx: IDBTransaction;
  /** When it began (performance.now()). */
  began: number;
  writes: boolean;
  entries: IDBObjectStore;
  state: IDBObjectStore;
  /** Placed in this transaction: those not answered by a request's event are answered when it ends. */
  operations: Operation[];
  /** A write transaction's changes to the running total (none in a load's transaction, which counts it anew). */
  counted: TransactionTotal | undefined;
  removed: Map<Operation, number>;
}

const isWrite = (operation: Operation) => operation.kind === 'write' || operation.kind === 'clear';
// How long a transaction takes new requests: while it lives, other tabs' transactions on the database wait, and
// so do this tab's writes when it only reads. Ten milliseconds is some hundred awaited gets, which is enough that
// beginning the next transaction costs next to nothing.
const JOIN_MS = 10;

const ENTRIES = 'entries';
const META = 'meta';
// The running total of charged bytes is running-total.ts's: a put adds its charge less the charge of what it
// replaces as this tab knows it, without reading the old record; when another tab replaced that entry in between,
// the total is off by that difference until the next load, which counts it again from the records.
// Version 2: one record per entry. A database of version 1 (a value store and a metadata store) is emptied at
// open rather than migrated: it is a cache, and a migration would read every value at the first open.
const SCHEMA_VERSION = 2;

function toDriverError(error: unknown): DriverError {
  if (error instanceof DOMException || error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'UnknownError', message: String(error) };
}

/** Opens (creating when needed) the tier's database; rejects after `timeoutMs` if IndexedDB never answers. */
export function openDatabase(name: string, timeoutMs: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new DOMException('this context has no IndexedDB', 'NotSupportedError'));
      return;
    }
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new DOMException(`opening IndexedDB '${name}' took longer than ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    let request: IDBOpenDBRequest;
    try {
      request = indexedDB.open(name, SCHEMA_VERSION);
    } catch (error) {
      clearTimeout(timer);
      reject(error);  // SecurityError: storage is blocked for this context
      return;
    }
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const store of Array.from(db.objectStoreNames)) db.deleteObjectStore(store);
      db.createObjectStore(ENTRIES).createIndex(META, [...META_FIELDS]);
      db.createObjectStore(STATE);
    };
    request.onsuccess = () => {
      clearTimeout(timer);
      if (settled) request.result.close();  // too late: the caller went on without it
      else resolve(request.result);
    };
    request.onerror = () => {
      clearTimeout(timer);
      if (!settled) reject(request.error ?? new DOMException('IndexedDB open failed', 'UnknownError'));
    };
  });
}

export class IdbDriver {
  readonly #name: string;
  readonly #timeoutMs: number;
  readonly #complete: CompleteRequest;
  #db: IDBDatabase | undefined;
  #storeId = 0;
  #queue: Operation[] = [];
  #live: Live | undefined;
  // Writes sent and not yet answered, and who waits for there to be none (settled()).
  #writesPending = 0;
  #idle: Array<() => void> = [];
  readonly #total = new RunningTotal();
  #closed = false;

  constructor(db: IDBDatabase, name: string, timeoutMs: number, complete: CompleteRequest) {
    this.#name = name;
    this.#timeoutMs = timeoutMs;
    this.#complete = complete;
    this.#adopt(db);
  }

  // The C++ store's requests (wasm/idb_store.cc).
  attach(storeId: number): void {
    this.#storeId = storeId;
  }
  load(request: number): void {
    this.#enqueue({ kind: 'load', request });
  }
  read(request: number, id: string): void {
    this.#enqueue({ kind: 'read', request, id });
  }
  /** `placed`: a request to answer as soon as the write is placed in a live transaction (durability 'placed'). */
  write(request: number, put: PutRequest | null, deletes: DeleteRequest[], placed?: number): void {
    this.#enqueue({ kind: 'write', request, put, deletes, placed });
  }
  clear(request: number): void {
    this.#enqueue({ kind: 'clear', request });
  }
  close(): void {
    this.#closed = true;
    this.#db?.close();
    this.#db = undefined;
    this.#writesPending = 0;
    this.#idle.splice(0).forEach((resolve) => resolve());
  }

  /** Resolves once no write is in flight: each one sent has committed or failed, and the store has its answer. */
  settled(): Promise<void> {
    return this.#writesPending === 0 ? Promise.resolve() : new Promise((resolve) => this.#idle.push(resolve));
  }

  #adopt(db: IDBDatabase): void {
    this.#db = db;
    // Another tab upgrades or deletes the database: let it, and reopen on the next request.
    db.onversionchange = () => {
      db.close();
      if (this.#db === db) this.#db = undefined;
    };
    // The browser closed the connection (storage cleared, disk error): reopen on the next request.
    db.onclose = () => {
      if (this.#db === db) this.#db = undefined;
    };
  }

  #enqueue(operation: Operation): void {
    if (isWrite(operation)) this.#writesPending++;
    if (this.#queue.push(operation) === 1) queueMicrotask(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    if (this.#closed) return;
    try {
      try {
        // Connected (the usual case): run in this task, without a turn through the promise queue.
        this.#run(this.#db ?? (await this.#connection()), batch);
      } catch (error) {
        // The connection was lost without a close event: reopen once.
        if (!(error instanceof DOMException && error.name === 'InvalidStateError')) throw error;
        this.#db = undefined;
        this.#run(await this.#connection(), batch);
      }
    } catch (error) {
      for (const operation of batch) this.#answer(operation, toDriverError(error), undefined);
    }
  }

  async #connection(): Promise<IDBDatabase> {
    if (this.#db === undefined) this.#adopt(await openDatabase(this.#name, this.#timeoutMs));
    return this.#db!;
  }

  /** Answers an operation once: later answers (its transaction's end after its own event) are dropped. */
  #answer(operation: Operation, error: DriverError | null, result: unknown): void {
    if (this.#closed || operation.answered) return;
    operation.answered = true;
    if (operation.kind === 'write' && operation.placed !== undefined && error !== null) {
      // A write that failed before it was placed: its placement is answered too (a later answer is dropped).
      this.#complete(this.#storeId, operation.placed, error, undefined);
    }
    this.#complete(this.#storeId, operation.request, error, result);
    // After the store had its answer, which may send more (a retry after a full quota).
    if (isWrite(operation) && --this.#writesPending === 0) this.#idle.splice(0).forEach((resolve) => resolve());
  }

  /**
   * Places a batch in the live transaction when it still takes requests, else in a new one. A load gets a
   * transaction of its own that nothing joins, so that the total it counts from the records is not mixed with
   * writes placed while its cursor walks.
   */
  #run(db: IDBDatabase, batch: Operation[]): void {
    const loads = batch.filter((operation) => operation.kind === 'load');
    if (loads.length > 0) {
      this.#place(this.#begin(db, true, false), loads);
      batch = batch.filter((operation) => operation.kind !== 'load');
      if (batch.length === 0) return;
    }
    const writes = batch.some(isWrite);
    const live = this.#live;
    const joins =
      live !== undefined && live.db === db && (live.writes || !writes) && performance.now() - live.began < JOIN_MS;
    if (!joins || !this.#place(live, batch)) {
      this.#place((this.#live = this.#begin(db, writes, writes)), batch);
    }
    for (const operation of batch) {
      if (operation.kind === 'write' && operation.placed !== undefined && !this.#closed) {
        this.#complete(this.#storeId, operation.placed, null, undefined);
      }
    }
  }

  /**
   * A transaction whose end answers what was placed in it; reads answer as they land, writes once it commits.
   * `counts`: its writes change the running total.
   */
  #begin(db: IDBDatabase, writes: boolean, counts: boolean): Live {
    const tx = db.transaction([ENTRIES, STATE], writes ? 'readwrite' : 'readonly', { durability: 'relaxed' });
    const state = tx.objectStore(STATE);
    const live: Live = {
      db, tx, began: performance.now(), writes, entries: tx.objectStore(ENTRIES), state, operations: [],
      counted: counts ? this.#total.begin(state) : undefined, removed: new Map(),
    };
    const end = (error: DriverError | null) => {
      if (this.#live === live) this.#live = undefined;
      if (live.counted !== undefined) this.#total.end(live.counted, error === null);
      for (const operation of live.operations) {
        const result =
          operation.kind === 'write' ? { total: live.counted?.total ?? 0, removed: live.removed.get(operation) ?? 0 } : undefined;
        this.#answer(operation, error, error ? undefined : result);
      }
    };
    tx.oncomplete = () => end(null);
    tx.onabort = () => end(toDriverError(tx.error ?? new DOMException('the transaction was aborted', 'AbortError')));
    return live;
  }

  /** Places the batch's requests; false, with nothing placed, when the transaction no longer takes any. */
  #place(live: Live, batch: Operation[]): boolean {
    for (const [i, operation] of batch.entries()) {
      try {
        this.#request(live, operation);
      } catch (error) {
        if (i === 0 && error instanceof DOMException && error.name === 'TransactionInactiveError') return false;
        throw error;
      }
      live.operations.push(operation);
    }
    if (batch.some(isWrite)) live.counted?.write();
    return true;
  }

  // A removal counts only when the record was there: two tabs may remove one entry, and the total must fall once.
  // So it waits on a read (a count, which reads no value, when this tab knows the charge), unlike a put.
  #remove(live: Live, operation: Operation, { id, charge }: DeleteRequest): void {
    const removed = (before: number | undefined) => {
      if (before === undefined) return 0;
      live.removed.set(operation, (live.removed.get(operation) ?? 0) + 1);
      return -before;
    };
    if (charge !== null) {
      live.counted!.changeOn(live.entries.count(id), (count) => removed((count as number) > 0 ? charge : undefined));
    } else {
      // Not in this tab's index (another tab wrote it): read it, for its charge.
      live.counted!.changeOn(live.entries.get(id), (record) => removed((record as EntryRecord | undefined)?.charge));
    }
    live.entries.delete(id);
  }

  /** Places one operation's requests; the first one throws when the transaction is no longer active. */
  #request(live: Live, operation: Operation): void {
    const answer = (result: unknown) => this.#answer(operation, null, result);
    switch (operation.kind) {
      case 'load': {
        // The index from the metadata index alone, oldest write first; its charges are the database's total.
        const entries: Array<{ id: string; key: string; ns: string; charge: number; expires: number }> = [];
        let total = 0;
        const cursor = live.entries.index(META).openKeyCursor();
        cursor.onsuccess = () => {
          const at = cursor.result;
          if (at === null) {
            this.#total.recount(live.state, total);
            answer(entries);
            return;
          }
          const [, charge, expires, key, ns] = at.key as MetaKey;
          entries.push({ id: at.primaryKey as string, key, ns, charge, expires });
          total += charge;
          at.continue();
        };
        break;
      }
      case 'read': {
        const request = live.entries.get(operation.id);
        request.onsuccess = () => answer(request.result);
        break;
      }
      case 'write': {
        for (const removal of operation.deletes) this.#remove(live, operation, removal);
        const { put } = operation;
        if (put !== null) {
          const record: EntryRecord = {
            key: put.key, ns: put.ns, value: put.value, expires: put.expires, charge: put.charge, written: Date.now(),
          };
          live.entries.put(record, put.id);
          live.counted!.change(put.charge - put.replaces);
        }
        break;
      }
      case 'clear':
        live.entries.clear();
        live.counted!.clear();
        break;
    }
  }
}
