/**
 * Reading a run's events by seq range, with optional vCPU and kind filters, row by row through
 * better-sqlite3's synchronous iterator (a promise per row would dominate). Ranges are seq ranges:
 * `t_ns` has no index, and `seqAtTime` turns times into seqs with a binary search on the key.
 */
import { assert } from '../core/assert.js';
import { isSparseKind, SPARSE_KIND_PREDICATE } from '../trace/schema-generated.js';
import type { EventRow } from '../trace/event-rows.js';
import type { TraceDb } from '../trace/trace-db.js';

/** Which events to read: seqs in [fromSeq, toSeq), optionally on one vCPU and of one kind. */
export interface EventFilter {
  readonly fromSeq: number;
  /** Exclusive; unbounded when absent. */
  readonly toSeq?: number;
  readonly cpu?: number;
  readonly kind?: number;
}

/**
 * A run's events matching `filter`, in seq order. While the iterator is open the connection cannot
 * write; finish or break out of it first.
 */
export function* storedEvents(db: TraceDb, runId: number, filter: EventFilter): Generator<EventRow, void, undefined> {
  assert(Number.isSafeInteger(filter.fromSeq) && filter.fromSeq >= 0, 'event range starts at a seq');
  const where = ['run_id = ?', 'seq >= ?'];
  const params: number[] = [runId, filter.fromSeq];
  let from = 'events';
  if (filter.toSeq !== undefined) {
    where.push('seq < ?');
    params.push(filter.toSeq);
  }
  if (filter.kind !== undefined) {
    where.push('kind = ?');
    params.push(filter.kind);
    // A rare kind is read through `events_sparse` (its predicate repeated verbatim, as a partial
    // index requires): left to itself, SQLite prefers walking the seq range of the key, i.e. the
    // whole run (millions of rows) for a few hundred events, then sorts the few by seq.
    if (isSparseKind(filter.kind)) {
      where.push(SPARSE_KIND_PREDICATE);
      from = 'events indexed by events_sparse';
    }
  }
  if (filter.cpu !== undefined) {
    where.push('cpu = ?');
    params.push(filter.cpu);
  }
  const stmt = db.sqlite.prepare(`select seq, t_ns, kind, cpu, a, b, c from ${from} where ${where.join(' and ')} order by seq`);
  // Raw arrays turned into objects here: better-sqlite3 builds named-property rows slowly (~1.6x).
  for (const r of stmt.raw(true).iterate(...params) as IterableIterator<(number | null)[]>) {
    yield { seq: r[0] as number, tNs: r[1] as number, kind: r[2] as number, cpu: r[3] ?? null, a: r[4] ?? null, b: r[5] ?? null, c: r[6] ?? null };
  }
}
