/**
 * The one mutable {@link EventBatch}: fixed-capacity columns that a producer fills row by row and
 * hands on when full (the event log, the readers of stored events). Reused, never reallocated.
 */
import type { EventBatch } from './trace-types.js';

/** Events per batch: divides {@link EVENT_HASH_CHUNK}, and is large enough to amortise a transaction. */
export const EVENT_BATCH_SIZE = 8_192;

/** A reusable column batch of `capacity` rows. */
export class ColumnBatch implements EventBatch {
  firstSeq = 0;
  count = 0;
  readonly capacity: number;
  readonly tNs: Float64Array;
  readonly kind: Float64Array;
  readonly cpu: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.tNs = new Float64Array(capacity);
    this.kind = new Float64Array(capacity);
    this.cpu = new Float64Array(capacity);
    this.a = new Float64Array(capacity);
    this.b = new Float64Array(capacity);
    this.c = new Float64Array(capacity);
  }

  /** Appends a row; returns true when the batch is now full. */
  push(tNs: number, kind: number, cpu: number, a: number, b: number, c: number): boolean {
    const i = this.count;
    this.tNs[i] = tNs;
    this.kind[i] = kind;
    this.cpu[i] = cpu;
    this.a[i] = a;
    this.b[i] = b;
    this.c[i] = c;
    this.count = i + 1;
    return this.count === this.capacity;
  }

  /** Empties the batch; the next row continues the sequence. */
  advance(): void {
    this.firstSeq += this.count;
    this.count = 0;
  }
}
