/**
 * Events as rows (what a reader of any trace store gets back) and a growable column store that
 * keeps a run's events in memory. The row form is the SQL form: NULL (null) where the simulator
 * wrote NaN, and +0 where it wrote -0, because SQLite stores both zeros as the integer 0.
 */
import { assert } from '../core/assert.js';
import type { EventBatch } from '../format/trace-types.js';
import { batchRow, type StoredEventRow } from '../format/event-row.js';

export { storedValue } from '../format/event-row.js';

/** One event as read back from a trace (decode it with `decodeEvent` of `src/format/event-codec.ts`). */
export type EventRow = StoredEventRow;

/** The columns `seq, t_ns, kind, cpu, a, b, c` of a raw better-sqlite3 row, in that order, as a row. */
export function rowOfRaw(r: readonly (number | null)[]): EventRow {
  return { seq: r[0] as number, tNs: r[1] as number, kind: r[2] as number, cpu: r[3] ?? null, a: r[4] ?? null, b: r[5] ?? null, c: r[6] ?? null };
}

/** A run's events in growable typed columns; copies batches, whose arrays the producer reuses. */
export class EventColumns implements EventBatch {
  readonly firstSeq = 0;
  #count = 0;
  #tNs: Float64Array = new Float64Array(1024);
  #kind: Float64Array = new Float64Array(1024);
  #cpu: Float64Array = new Float64Array(1024);
  #a: Float64Array = new Float64Array(1024);
  #b: Float64Array = new Float64Array(1024);
  #c: Float64Array = new Float64Array(1024);

  /** Number of events held. */
  get count(): number { return this.#count; }
  /** Times (only the first `count` entries are meaningful). */
  get tNs(): Float64Array { return this.#tNs; }
  /** Kinds. */
  get kind(): Float64Array { return this.#kind; }
  /** vCPUs. */
  get cpu(): Float64Array { return this.#cpu; }
  /** Column a. */
  get a(): Float64Array { return this.#a; }
  /** Column b. */
  get b(): Float64Array { return this.#b; }
  /** Column c. */
  get c(): Float64Array { return this.#c; }

  /** Appends a batch, which must continue the sequence. */
  append(batch: EventBatch): void {
    assert(batch.firstSeq === this.#count, () => `batch starts at ${batch.firstSeq}, expected ${this.#count}`);
    this.#reserve(this.#count + batch.count);
    const at = this.#count;
    const n = batch.count;
    this.#tNs.set(batch.tNs.subarray(0, n), at);
    this.#kind.set(batch.kind.subarray(0, n), at);
    this.#cpu.set(batch.cpu.subarray(0, n), at);
    this.#a.set(batch.a.subarray(0, n), at);
    this.#b.set(batch.b.subarray(0, n), at);
    this.#c.set(batch.c.subarray(0, n), at);
    this.#count += n;
  }

  /** Event `seq` as a row. */
  row(seq: number): EventRow {
    assert(seq >= 0 && seq < this.#count, () => `seq ${seq} out of range`);
    return batchRow(this, seq);
  }

  /** Every event as a row, in seq order. */
  *rows(): IterableIterator<EventRow> {
    for (let seq = 0; seq < this.#count; seq++) yield this.row(seq);
  }

  #reserve(needed: number): void {
    if (needed <= this.#tNs.length) return;
    let capacity = this.#tNs.length;
    while (capacity < needed) capacity *= 2;
    const grow = (old: Float64Array): Float64Array => {
      const next = new Float64Array(capacity);
      next.set(old.subarray(0, this.#count));
      return next;
    };
    this.#tNs = grow(this.#tNs);
    this.#kind = grow(this.#kind);
    this.#cpu = grow(this.#cpu);
    this.#a = grow(this.#a);
    this.#b = grow(this.#b);
    this.#c = grow(this.#c);
  }
}
