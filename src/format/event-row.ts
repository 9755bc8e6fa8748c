/**
 * The two shapes an event takes outside the simulator: a positional write (`EventWriter`, what the
 * encoders of `event-codec.ts` call) and a stored row (`StoredEventRow`, what a trace gives back).
 * The row form is the SQL form: null where the simulator wrote NaN, and +0 where it wrote -0,
 * because SQLite stores both zeros as the integer 0.
 */
import { eventKindInfo } from './event-kinds.js';
import type { EventBatch } from './trace-types.js';

/** Where encoded events go: one positional row per call (unused values NaN). */
export interface EventWriter<R = void> {
  emit(kind: number, cpu: number, a: number, b: number, c: number): R;
}

/** One event as read back from a trace. */
export interface StoredEventRow {
  readonly seq: number;
  readonly tNs: number;
  readonly kind: number;
  readonly cpu: number | null;
  readonly a: number | null;
  readonly b: number | null;
  readonly c: number | null;
}

/** The stored form of one value: NaN becomes null and -0 becomes 0, as SQLite stores them. */
export function storedValue(v: number): number | null {
  return v !== v ? null : v + 0;
}

/** Row `i` of a batch in stored form (its seq is `firstSeq + i`). */
export function batchRow(batch: EventBatch, i: number): StoredEventRow {
  return {
    seq: batch.firstSeq + i,
    tNs: batch.tNs[i] as number,
    kind: batch.kind[i] as number,
    cpu: storedValue(batch.cpu[i] as number),
    a: storedValue(batch.a[i] as number),
    b: storedValue(batch.b[i] as number),
    c: storedValue(batch.c[i] as number),
  };
}

/**
 * The used columns of a row under their documented names (snake_case, as in the `ev_<kind>` views),
 * in column order. An unknown kind (a newer trace) lists its raw columns `cpu`, `a`, `b`, `c`.
 */
export function namedColumns(row: StoredEventRow): readonly (readonly [string, number | null])[] {
  const info = eventKindInfo(row.kind);
  const columns: readonly (readonly [string | null, number | null])[] = info === undefined
    ? [['cpu', row.cpu], ['a', row.a], ['b', row.b], ['c', row.c]]
    : [[info.cpu, row.cpu], [info.a, row.a], [info.b, row.b], [info.c, row.c]];
  return columns.flatMap(([name, value]) => (name === null ? [] : [[name, value] as const]));
}
