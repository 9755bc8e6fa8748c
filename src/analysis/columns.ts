/**
 * A growable column of doubles: amortised O(1) append without per-row objects, for derived tables
 * that may hold millions of rows (state intervals of a 1,920-vCPU run).
 */
import { assert } from '../core/assert.js';

/** Upper bound on rows in one column (well above any run migpatch accepts). */
export const MAX_COLUMN_ROWS = 1 << 28;

/** An append-only Float64 column. */
export class GrowableColumn {
  #data = new Float64Array(1024);
  #length = 0;

  /** Rows appended so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends a value. */
  push(value: number): void {
    if (this.#length === this.#data.length) {
      assert(this.#length * 2 <= MAX_COLUMN_ROWS, 'column size bounded');
      const bigger = new Float64Array(this.#length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#length++] = value;
  }

  /** A copy trimmed to the rows appended. */
  toArray(): Float64Array {
    return this.#data.slice(0, this.#length);
  }
}
