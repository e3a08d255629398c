// The running total of an IndexedDB tier's charged bytes, which every tab on the database keeps up together, so
// that a tab sees the database go over its budget when other tabs write. A write transaction changes it without
// reading anything first, which would make the transaction wait for the read's answer before it could commit:
// the `state` store holds a base, which a load counts from the records (a new generation each time), and one
// record per tab (connection) with the sum of that tab's changes since its base; each write transaction puts its
// tab's record blindly and reads the others' at its start. The total is the base plus the records of its
// generation. A transaction that finds its tab's record put in an older generation (a tab counted again since the
// transaction's requests were placed) puts it again, in the new generation, before it commits; only then does a
// write wait on a read, once per count.

export const STATE = 'state';
const BASE = 'base';

interface BaseRecord {
  gen: string;
  total: number;
}

interface TabRecord {
  tab: string;
  gen: string;
  delta: number;
}

// 128 random bits in hex. Not crypto.randomUUID, which pages served over plain HTTP (not localhost) lack.
const randomId = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
const newGeneration = randomId;

/** One write transaction's part: the tab's changes placed in it, and the total as it leaves the database. */
export class TransactionTotal {
  /** This transaction's changes. */
  delta = 0;
  /** The total the transaction leaves, known once its reads are answered. */
  total = 0;
  readonly #owner: RunningTotal;
  readonly #state: IDBObjectStore;
  /** Others' records and the base as the transaction read them, less this tab's own. */
  #others = 0;
  #mine = 0;
  /** The generation of the tab's record as this transaction last put it. */
  #written: string | undefined;
  /** Requests whose answers changeOn waits for. */
  #reads = 0;
  #cleared = false;

  constructor(owner: RunningTotal, state: IDBObjectStore) {
    this.#owner = owner;
    this.#state = state;
    const records = state.getAll();
    records.onsuccess = () => {
      if (this.#cleared) return;
      const all = records.result as Array<BaseRecord | TabRecord>;
      const base = all.find((record): record is BaseRecord => !('tab' in record)) ?? { gen: '', total: 0 };
      this.#others = base.total;
      for (const record of all) {
        if ('tab' in record && record.gen === base.gen && record.tab !== owner.tab) this.#others += record.delta;
      }
      if (owner.generation !== base.gen) owner.adopt(base.gen, this);
      if (this.#written !== undefined && this.#written !== owner.generation) this.write();
      this.total = this.#others + this.#mine;
    };
  }

  /** Adds a change; the caller puts the tab's record (write()) once its batch is placed. */
  change(delta: number): void {
    this.delta += delta;
    this.#owner.placed += delta;
  }

  /** A change known once `request` is answered (`delta` of its result); the record is put after the last one. */
  changeOn(request: IDBRequest, delta: (result: unknown) => number): void {
    this.#reads++;
    request.onsuccess = () => {
      this.change(delta(request.result));
      if (--this.#reads === 0) this.write();
    };
  }

  /** Puts the tab's record as this transaction leaves it. */
  write(): void {
    const record: TabRecord = { tab: this.#owner.tab, gen: this.#owner.generation, delta: this.#owner.placed };
    this.#state.put(record, record.tab);
    this.#written = record.gen;
    this.#mine = record.delta;
    this.total = this.#others + this.#mine;
  }

  /** Empties the state: a new generation whose total is 0, and this tab's changes count from here. */
  clear(): void {
    this.#cleared = true;
    this.#others = 0;
    this.#state.clear();
    const gen = newGeneration();
    this.#state.put({ gen, total: 0 } satisfies BaseRecord, BASE);
    this.#owner.restart(gen, this);
  }
}

/** A tab's side of the total: its record's key, generation and the sum of its changes placed since. */
export class RunningTotal {
  readonly tab = `tab:${randomId()}`;
  generation = '';
  /** The sum of this tab's changes placed since its generation's base, committed or not. */
  placed = 0;
  /** Write transactions begun and not yet ended, oldest first. */
  readonly #pending: TransactionTotal[] = [];

  /** A write transaction's part; `end(committed)` once it ended. */
  begin(state: IDBObjectStore): TransactionTotal {
    const transaction = new TransactionTotal(this, state);
    this.#pending.push(transaction);
    return transaction;
  }

  end(transaction: TransactionTotal, committed: boolean): void {
    this.#pending.splice(this.#pending.indexOf(transaction), 1);
    if (!committed) this.placed -= transaction.delta;
  }

  /**
   * Stores `total`, counted from the records in a transaction nothing else writes in, as a new generation's
   * base: every tab's record counted so far is removed, and this tab's changes placed since count from it.
   */
  recount(state: IDBObjectStore, total: number): void {
    state.clear();
    const gen = newGeneration();
    state.put({ gen, total } satisfies BaseRecord, BASE);
    this.generation = gen;
    this.placed = this.#pending.reduce((sum, pending) => sum + pending.delta, 0);
  }

  /** Another tab counted again (generation `gen`): this tab's changes from `from` on are not in that count. */
  adopt(gen: string, from: TransactionTotal): void {
    this.generation = gen;
    this.placed = this.#pending.slice(this.#pending.indexOf(from)).reduce((sum, pending) => sum + pending.delta, 0);
  }

  /** After `from` cleared the state: this tab's changes count from its changes placed after the clear. */
  restart(gen: string, from: TransactionTotal): void {
    this.generation = gen;
    this.placed = 0;
    from.delta = 0;
  }
}
