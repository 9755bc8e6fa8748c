/**
 * The codes of the simulation's timed actions (what a queue item does when its time comes) and of
 * the pending-interrupt entries a vCPU holds. Shared by the parts of the simulation; nothing else.
 */

/** Action codes of the queue. Those marked work are work a vCPU does (deferred while it is frozen). */
export const Action = {
  RUN_END: 1,
  TICK: 2,
  BURST_END: 3,
  WAKE: 4,
  IRQOFF_BEGIN: 5,
  /** work */
  IRQOFF_END: 6,
  IPI_DELIVER: 7,
  /** work */
  HANDLER_BODY: 8,
  MIG_START: 9,
  MIG_ROUND_END: 10,
  MIG_RESUME: 11,
  NOTIFY: 12,
  POLL: 13,
  PROTO_TIMER: 14,
  /** work */
  CALLBACK: 15,
  /** work */
  TRAIN_NEXT: 16,
  RECOVER: 18,
  WATCHDOG: 19,
  FAULT: 20,
  KENTRY: 21,
  STEAL: 22,
} as const;

/** Pending-interrupt entries: >= 0 is an IPI index; these are the others. */
export const PEND_NOTIFY = -1;
/** A pending detection poll. */
export const PEND_POLL = -2;
/** A pending protocol timer: entry = PEND_TIMER_BASE - token. */
export const PEND_TIMER_BASE = -3;

/** Most pending interrupts one vCPU may hold: more means a runaway sender. */
export const MAX_PENDING_PER_CPU = 65_536;
/** Most IPIs in one run. */
export const MAX_IPIS = 50_000_000;
