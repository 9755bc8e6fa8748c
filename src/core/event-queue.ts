/**
 * The simulator's future-event list: a min-heap totally ordered by `(tNs, seq)`, where `seq` is the
 * insertion number. Ties in time are broken by insertion order, never by object identity.
 *
 * Items live in slots of parallel typed arrays (no allocation per push) and carry a small fixed
 * payload: an action code, a vCPU, an argument, a generation (for cancellation by staleness) and
 * flags. The heap itself holds only (time, slot) pairs, so sifting moves two numbers, not seven; it
 * is 4-ary, which halves its depth for the few thousand timers a large guest keeps pending.
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

const ARITY = 4;

/** 4-ary heap of timed actions. */
export class EventQueue {
  // heap positions
  #heapT = new Float64Array(1024);
  #heapSlot = new Int32Array(1024);
  // slots
  #seq = new Float64Array(1024);
  #action = new Int32Array(1024);
  #cpu = new Int32Array(1024);
  #arg = new Float64Array(1024);
  #gen = new Float64Array(1024);
  #flags = new Int32Array(1024);
  #freeSlots = new Int32Array(1024);
  #freeCount = 0;
  #slotsUsed = 0;
  #size = 0;
  #nextSeq = 0;

  /** Number of pending items. */
  get size(): number {
    return this.#size;
  }

  /** Time of the earliest item, or +Infinity when empty. */
  peekTimeNs(): number {
    return this.#size === 0 ? Infinity : (this.#heapT[0] as number);
  }

  /** Schedules an action at `tNs` (an integer). */
  push(tNs: number, action: number, cpu: number, arg: number, gen: number, flags: number): void {
    if (!(Number.isSafeInteger(tNs) && tNs >= 0)) assert(false, `queue time ${tNs}`);
    if (this.#size === this.#heapT.length) this.#grow();
    const slot = this.#freeCount > 0 ? (this.#freeSlots[--this.#freeCount] as number) : this.#slotsUsed++;
    const seq = this.#nextSeq++;
    this.#seq[slot] = seq;
    this.#action[slot] = action;
    this.#cpu[slot] = cpu;
    this.#arg[slot] = arg;
    this.#gen[slot] = gen;
    this.#flags[slot] = flags;
    let i = this.#size++;
    const heapT = this.#heapT;
    const heapSlot = this.#heapSlot;
    while (i > 0) {
      const p = ((i - 1) / ARITY) | 0;
      const tp = heapT[p] as number;
      if (tp < tNs || (tp === tNs && (this.#seq[heapSlot[p] as number] as number) < seq)) break;
      heapT[i] = tp;
      heapSlot[i] = heapSlot[p] as number;
      i = p;
    }
    heapT[i] = tNs;
    heapSlot[i] = slot;
  }

  /** Removes the earliest item into `out`; returns false when empty. */
  pop(out: QueueItem): boolean {
    if (this.#size === 0) return false;
    const slot = this.#heapSlot[0] as number;
    out.tNs = this.#heapT[0] as number;
    out.seq = this.#seq[slot] as number;
    out.action = this.#action[slot] as number;
    out.cpu = this.#cpu[slot] as number;
    out.arg = this.#arg[slot] as number;
    out.gen = this.#gen[slot] as number;
    out.flags = this.#flags[slot] as number;
    this.#freeSlots[this.#freeCount++] = slot;
    const last = --this.#size;
    if (last > 0) this.#siftDown(this.#heapT[last] as number, this.#heapSlot[last] as number);
    return true;
  }

  // Places (t, slot) into the root's hole, moving smaller children up.
  #siftDown(t: number, slot: number): void {
    const heapT = this.#heapT;
    const heapSlot = this.#heapSlot;
    const seqs = this.#seq;
    const s = seqs[slot] as number;
    const n = this.#size;
    let i = 0;
    for (;;) {
      const first = i * ARITY + 1;
      if (first >= n) break;
      let best = first;
      let bestT = heapT[first] as number;
      let bestS = seqs[heapSlot[first] as number] as number;
      const end = Math.min(first + ARITY, n);
      for (let c = first + 1; c < end; c++) {
        const tc = heapT[c] as number;
        if (tc < bestT || (tc === bestT && (seqs[heapSlot[c] as number] as number) < bestS)) {
          best = c;
          bestT = tc;
          bestS = seqs[heapSlot[c] as number] as number;
        }
      }
      if (bestT > t || (bestT === t && bestS > s)) break;
      heapT[i] = bestT;
      heapSlot[i] = heapSlot[best] as number;
      i = best;
    }
    heapT[i] = t;
    heapSlot[i] = slot;
  }

  #grow(): void {
    const n = this.#heapT.length * 2;
    assert(n <= MAX_QUEUE_ITEMS, () => `event queue exceeds ${MAX_QUEUE_ITEMS} items`);
    this.#heapT = grown(this.#heapT, new Float64Array(n));
    this.#heapSlot = grown(this.#heapSlot, new Int32Array(n));
    this.#seq = grown(this.#seq, new Float64Array(n));
    this.#action = grown(this.#action, new Int32Array(n));
    this.#cpu = grown(this.#cpu, new Int32Array(n));
    this.#arg = grown(this.#arg, new Float64Array(n));
    this.#gen = grown(this.#gen, new Float64Array(n));
    this.#flags = grown(this.#flags, new Int32Array(n));
    this.#freeSlots = grown(this.#freeSlots, new Int32Array(n));
  }
}

function grown<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
