/**
 * Event batches packed into one transferable buffer each, to move a run's events from a sweep
 * worker to the writing thread without copying them again (`--events` sweeps only).
 */
import { assert } from '../core/assert.js';
import type { EventBatch } from '../format/trace-types.js';

/** One batch: its six columns back to back in `data` (tNs, kind, cpu, a, b, c), `count` values each. */
export interface PackedEvents {
  readonly firstSeq: number;
  readonly count: number;
  readonly data: Float64Array;
}

const COLUMNS = ['tNs', 'kind', 'cpu', 'a', 'b', 'c'] as const;

/** Copies a batch (whose arrays the producer reuses) into a packed buffer. */
export function packEvents(batch: EventBatch): PackedEvents {
  const n = batch.count;
  const data = new Float64Array(COLUMNS.length * n);
  COLUMNS.forEach((column, i) => data.set(batch[column].subarray(0, n), i * n));
  return { firstSeq: batch.firstSeq, count: n, data };
}

/** A packed buffer as a batch over views of it (no copy). */
export function unpackEvents(p: PackedEvents): EventBatch {
  const n = p.count;
  assert(p.data.length === COLUMNS.length * n, 'a packed batch holds six columns');
  const [tNs, kind, cpu, a, b, c] = COLUMNS.map((_, i) => p.data.subarray(i * n, (i + 1) * n)) as [
    Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  return { firstSeq: p.firstSeq, count: n, tNs, kind, cpu, a, b, c };
}
