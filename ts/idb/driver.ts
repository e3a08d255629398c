// The JavaScript half of the IndexedDB tier: it moves bytes and metadata records for the C++ store
// (wasm/idb_store.cc), which owns the index, the budget and the eviction order. Every request the store sends
// within one task goes into one transaction (readwrite with relaxed durability when anything writes), and each
// is answered by calling the module's driverComplete with the request's id. Nothing but IndexedDB is awaited while
// a transaction is open.

/** Answers a request of a store's channel (wasm/driver_channel.h, DriverChannel::Complete). */
export type CompleteRequest = (channel: number, request: number, error: DriverError | null, result: unknown) => void;

/** How failures reach the C++ store: the DOMException's name decides the status code. */
export interface DriverError {
  name: string;
  message: string;
}

/** A value record, by key digest: the key is kept so that a digest collision is a miss. */
interface ValueRecord {
  key: string;
  value: Uint8Array;
  expires: number | null;
}

/** A metadata record, by key digest: what the index is rebuilt from at startup, without reading values. */
interface MetaRecord {
  key: string;
  charge: number;
  expires: number | null;
  written: number;
}

/** A put as the C++ store sends it. */
interface PutRequest {
  id: string;
  key: string;
  value: Uint8Array;
  expires: number | null;
  charge: number;
}

type Operation =
  | { kind: 'load'; request: number }
  | { kind: 'read' | 'peek'; request: number; id: string }
  | { kind: 'write'; request: number; put: PutRequest | null; deletes: string[] }
  | { kind: 'clear'; request: number };

const VALUES = 'values';
const META = 'meta';
// The running total of charged bytes in the database, kept in the metadata store beside the records (whose
// keys are 32 hex digits), so that every tab's writes keep one count.
const TOTAL = '#total';
const SCHEMA_VERSION = 1;

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
      for (const store of [VALUES, META]) if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
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
  peek(request: number, id: string): void {
    this.#enqueue({ kind: 'peek', request, id });
  }
  write(request: number, put: PutRequest | null, deletes: string[]): void {
    this.#enqueue({ kind: 'write', request, put, deletes });
  }
  clear(request: number): void {
    this.#enqueue({ kind: 'clear', request });
  }
  close(): void {
    this.#closed = true;
    this.#db?.close();
    this.#db = undefined;
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

  #answer(operation: Operation, error: DriverError | null, result: unknown): void {
    if (!this.#closed) this.#complete(this.#storeId, operation.request, error, result);
  }

  /** Runs a batch in one transaction; reads answer as they land, writes once the transaction commits. */
  #run(db: IDBDatabase, batch: Operation[]): void {
    const writes = batch.some((operation) => operation.kind === 'write' || operation.kind === 'clear');
    const tx = db.transaction([VALUES, META], writes ? 'readwrite' : 'readonly', { durability: 'relaxed' });
    const values = tx.objectStore(VALUES);
    const meta = tx.objectStore(META);
    const answered = new Set<Operation>();
    const answer = (operation: Operation, result: unknown) => {
      answered.add(operation);
      this.#answer(operation, null, result);
    };
    const outcome = { total: 0, removed: new Map<Operation, number>() };
    const totals = writes ? meta.get(TOTAL) : undefined;
    if (totals) totals.onsuccess = () => (outcome.total = (totals.result as number | undefined) ?? 0);
    // Requests that change the total, in order; the last one's callback, which runs after every other's and
    // after all the batch's writes were placed, stores the new total.
    let lastCounted: IDBRequest | undefined;
    const count = (request: IDBRequest, apply: () => void) => {
      lastCounted = request;
      request.onsuccess = () => {
        apply();
        if (request === lastCounted) meta.put(outcome.total, TOTAL);
      };
    };

    // Reads the old metadata of `id` just before it is replaced or removed, to keep the total right.
    const change = (operation: Operation, id: string, record: MetaRecord | null, value: ValueRecord | null) => {
      const old = meta.get(id);
      count(old, () => {
        const before = (old.result as MetaRecord | undefined)?.charge;
        outcome.total += (record?.charge ?? 0) - (before ?? 0);
        if (record === null && before !== undefined) {
          outcome.removed.set(operation, (outcome.removed.get(operation) ?? 0) + 1);
        }
      });
      if (record === null) {
        meta.delete(id);
        values.delete(id);
      } else {
        meta.put(record, id);
        values.put(value, id);
      }
    };

    for (const operation of batch) {
      switch (operation.kind) {
        case 'load': {
          const [keys, records] = [meta.getAllKeys(), meta.getAll()];
          records.onsuccess = () => {
            const rows = (records.result as Array<MetaRecord | number>).map((record, i) => ({ id: keys.result[i], record }));
            const entries = rows
              .filter((row): row is { id: string; record: MetaRecord } => row.id !== TOTAL)
              .sort((a, b) => a.record.written - b.record.written)
              .map(({ id, record }) => ({ id, key: record.key, charge: record.charge, expires: record.expires }));
            answer(operation, entries);
          };
          break;
        }
        case 'read':
        case 'peek': {
          const request = (operation.kind === 'read' ? values : meta).get(operation.id);
          request.onsuccess = () => answer(operation, request.result);
          break;
        }
        case 'write': {
          for (const id of operation.deletes) change(operation, id, null, null);
          const { put } = operation;
          if (put !== null) {
            const record: MetaRecord = { key: put.key, charge: put.charge, expires: put.expires, written: Date.now() };
            change(operation, put.id, record, { key: put.key, value: put.value, expires: put.expires });
          }
          break;
        }
        case 'clear':
          values.clear();
          count(meta.clear(), () => (outcome.total = 0));
          break;
      }
    }
    tx.oncomplete = () => {
      for (const operation of batch) {
        if (answered.has(operation)) continue;
        answer(operation, operation.kind === 'write' ? { total: outcome.total, removed: outcome.removed.get(operation) ?? 0 } : undefined);
      }
    };
    const fail = () => {
      const error = toDriverError(tx.error ?? new DOMException('the transaction was aborted', 'AbortError'));
      for (const operation of batch) if (!answered.has(operation)) this.#answer(operation, error, undefined);
    };
    tx.onabort = fail;
  }
}
