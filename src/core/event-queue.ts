/**
 * The simulator's future-event list: a binary min-heap totally ordered by `(tNs, seq)`, where `seq`
 * is the insertion number. Ties in time are broken by insertion order, never by object identity.
 *
 * Items are stored in parallel typed arrays (no allocation per push) and carry a small fixed payload:
 * an action code, a vCPU, an argument, a generation (for cancellation by staleness) and flags.
 */
import { assert } from './assert.js';

/** A popped item; the queue writes into a caller-owned instance to avoid allocation. */
export interface QueueItem {
  tNs: number;
  seq: number;
  action: number;
  cpu: number;
  arg: number;
  gen: number;
  flags: number;
}

/** Creates an empty item to pop into. */
export function newQueueItem(): QueueItem {
  return { tNs: 0, seq: 0, action: 0, cpu: 0, arg: 0, gen: 0, flags: 0 };
}

/** Hard bound on pending items: a run that needs more has a runaway timer. */
export const MAX_QUEUE_ITEMS = 1 << 24;

/** Binary heap of timed actions. */
export class EventQueue {
  #tNs = new Float64Array(1024);
  #seq = new Float64Array(1024);
  #action = new Int32Array(1024);
  #cpu = new Int32Array(1024);
  #arg = new Float64Array(1024);
  #gen = new Float64Array(1024);
  #flags = new Int32Array(1024);
  #size = 0;
  #nextSeq = 0;

  /** Number of pending items. */
  get size(): number {
    return this.#size;
  }

  /** Time of the earliest item, or +Infinity when empty. */
  peekTimeNs(): number {
    return this.#size === 0 ? Infinity : (this.#tNs[0] as number);
  }

  /** Schedules an action at `tNs` (an integer). */
  push(tNs: number, action: number, cpu: number, arg: number, gen: number, flags: number): void {
    assert(Number.isSafeInteger(tNs) && tNs >= 0, `queue time ${tNs}`);
    if (this.#size === this.#tNs.length) this.#grow();
    let i = this.#size++;
    const seq = this.#nextSeq++;
    // Sift up: move parents down until the slot for the new item is found.
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(tNs, seq, p)) break;
      this.#move(p, i);
      i = p;
    }
    this.#set(i, tNs, seq, action, cpu, arg, gen, flags);
  }

  /** Removes the earliest item into `out`; returns false when empty. */
  pop(out: QueueItem): boolean {
    if (this.#size === 0) return false;
    out.tNs = this.#tNs[0] as number;
    out.seq = this.#seq[0] as number;
    out.action = this.#action[0] as number;
    out.cpu = this.#cpu[0] as number;
    out.arg = this.#arg[0] as number;
    out.gen = this.#gen[0] as number;
    out.flags = this.#flags[0] as number;
    const last = --this.#size;
    if (last > 0) this.#siftDownLast(last);
    return true;
  }

  // Places the item at index `last` into the root's hole, sifting down.
  #siftDownLast(last: number): void {
    const t = this.#tNs[last] as number;
    const s = this.#seq[last] as number;
    const action = this.#action[last] as number;
    const cpu = this.#cpu[last] as number;
    const arg = this.#arg[last] as number;
    const gen = this.#gen[last] as number;
    const flags = this.#flags[last] as number;
    let i = 0;
    const n = this.#size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.#lessIdx(r, l) ? r : l;
      if (this.#lessItem(c, t, s)) {
        this.#move(c, i);
        i = c;
      } else {
        break;
      }
    }
    this.#set(i, t, s, action, cpu, arg, gen, flags);
  }

  // (t, s) < item at index j
  #less(t: number, s: number, j: number): boolean {
    const tj = this.#tNs[j] as number;
    return t < tj || (t === tj && s < (this.#seq[j] as number));
  }

  // item at index i < (t, s)
  #lessItem(i: number, t: number, s: number): boolean {
    const ti = this.#tNs[i] as number;
    return ti < t || (ti === t && (this.#seq[i] as number) < s);
  }

  #lessIdx(i: number, j: number): boolean {
    return this.#less(this.#tNs[i] as number, this.#seq[i] as number, j);
  }

  #move(from: number, to: number): void {
    this.#tNs[to] = this.#tNs[from] as number;
    this.#seq[to] = this.#seq[from] as number;
    this.#action[to] = this.#action[from] as number;
    this.#cpu[to] = this.#cpu[from] as number;
    this.#arg[to] = this.#arg[from] as number;
    this.#gen[to] = this.#gen[from] as number;
    this.#flags[to] = this.#flags[from] as number;
  }

  #set(i: number, t: number, s: number, action: number, cpu: number, arg: number, gen: number, flags: number): void {
    this.#tNs[i] = t;
    this.#seq[i] = s;
    this.#action[i] = action;
    this.#cpu[i] = cpu;
    this.#arg[i] = arg;
    this.#gen[i] = gen;
    this.#flags[i] = flags;
  }

  #grow(): void {
    const n = this.#tNs.length * 2;
    assert(n <= MAX_QUEUE_ITEMS, `event queue exceeds ${MAX_QUEUE_ITEMS} items`);
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.#tNs = grow(this.#tNs, (k) => new Float64Array(k));
    this.#seq = grow(this.#seq, (k) => new Float64Array(k));
    this.#action = grow(this.#action, (k) => new Int32Array(k));
    this.#cpu = grow(this.#cpu, (k) => new Int32Array(k));
    this.#arg = grow(this.#arg, (k) => new Float64Array(k));
    this.#gen = grow(this.#gen, (k) => new Float64Array(k));
    this.#flags = grow(this.#flags, (k) => new Int32Array(k));
  }
}
