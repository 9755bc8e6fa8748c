/**
 * The patch-protocol seam (docs/model.md, "Protocols"): given an initiator, the other online vCPUs and the patches,
 * a protocol drives messages through the IPI model, modifies the code image through the context and
 * ends each attempt `patched` or `aborted`. Protocols are pure state machines over the
 * {@link ProtocolContext}; they never see the queue, the clock or the sink.
 */
import type { ProtocolName, ProtocolSpec } from '../scenario/scenario.js';
import type { MsgCode } from '../format/event-kinds.js';

/** One routine to rewrite. */
export interface PlannedPatch {
  readonly routineId: number;
  readonly variantId: number;
  readonly words: number;
}

/**
 * A piece of a routine's rewrite: all its words (`whole`), or text_poke_bp's three steps: the trap
 * word that diverts executions, the tail (every word but the first), the head (the first word).
 */
export type WritePart = 'whole' | 'trap' | 'tail' | 'head';

/** What the planner hands to a protocol. */
export interface PatchJob {
  readonly initiator: number;
  readonly patches: readonly PlannedPatch[];
}

/** What the simulator offers a protocol. Every call acts at the current simulated time. */
export interface ProtocolContext {
  /** Current simulated time. */
  nowNs(): number;
  /** The scenario's protocol section. */
  readonly spec: ProtocolSpec;
  /** Online vCPUs other than `initiator`, ascending. */
  onlineTargets(initiator: number): number[];
  /** Records an attempt's start (event + liveness watchdog). */
  beginAttempt(initiator: number, attempt: number, targets: number): void;
  /** Records an attempt's end with an outcome code. */
  endAttempt(initiator: number, attempt: number, outcome: number): void;
  /**
   * Appends a protocol event (phase, ack_timeout, resend, attempt_abort, give_up, barrier): the
   * context is an `EventWriter`; protocols write through the codec's typed encoders
   * (`emitPhase(ctx, ...)`), never positionally.
   */
  emit(kind: number, cpu: number, a: number, b: number, c: number): void;
  /**
   * Sends `msg` from `src` to each of `dsts` in order, one IPI every `ipiSendNs`; `then` runs after
   * the last one is sent. An ACK is one store the spinning initiator sees, sent the same way.
   */
  sendIpis(src: number, dsts: readonly number[], msg: MsgCode, attempt: number, then: (() => void) | null): void;
  /** Arms a timer that calls `onTimer(token)` on `cpu` after `delayNs` (as an interrupt if needed). */
  setTimer(cpu: number, delayNs: number, token: number): void;
  /** Disarms a timer that has not fired yet (a no-op when it has). */
  cancelTimer(token: number): void;
  /** The initiator leaves what it runs and drives the protocol (state initiator). */
  takeOver(initiator: number): void;
  /** The initiator returns to normal work. */
  giveBack(initiator: number): void;
  /** A target's handler, having acknowledged, waits (state wait). */
  enterWait(cpu: number): void;
  /** A target's handler returns without waiting (a stale message). */
  endHandler(cpu: number): void;
  /** A waiting target leaves WAIT after its instruction synchronisation. */
  release(cpu: number): void;
  /** `cpu` rewrites the patches word by word, synchronises caches, then calls `then`. */
  patch(cpu: number, patches: readonly PlannedPatch[], then: () => void): void;
  /**
   * `cpu` (an initiator, or a waiting vCPU chosen to patch) writes one part of a patch, in state
   * patching, then returns to its previous state and calls `then`.
   */
  writeCode(cpu: number, patch: PlannedPatch, part: WritePart, then: () => void): void;
  /**
   * `cpu` synchronises caches and instructions after writing `patches` (the `sync` event that ends
   * the patch): from then on no vCPU meets them torn or trapped.
   */
  syncCaches(cpu: number, patches: readonly PlannedPatch[], then: () => void): void;
  /** Runs `fn` after `delayNs` of work on `cpu` (pushed back if the vCPU is frozen meanwhile). */
  after(cpu: number, delayNs: number, fn: () => void): void;
  /** A draw of the time a store takes to reach another vCPU spinning on it (the host's ACK latency). */
  sharedLatencyNs(): number;
  /** Current state code of a vCPU. */
  cpuState(cpu: number): number;
}

/** A patch protocol. */
export interface PatchProtocol {
  readonly name: ProtocolName;
  /** Whether the protocol parks every other vCPU before modifying (checked by the safety invariant). */
  readonly quiescing: boolean;
  /** Whether a job is in progress (attempting, backing off or releasing). */
  readonly active: boolean;
  /** Starts a job; called on the initiator in interrupt context. */
  start(job: PatchJob): void;
  /**
   * A message reaches a target's code: in its interrupt handler, or polled while it waits.
   * The protocol must end with `enterWait`, `endHandler`, `release` or nothing (already waiting).
   */
  onMessage(cpu: number, msg: MsgCode, src: number, attempt: number): void;
  /** An acknowledgement reaches the initiator. */
  onAck(src: number, attempt: number): void;
  /** A timer armed with `setTimer` fires on its vCPU. */
  onTimer(token: number): void;
  /** A short name of the current phase (for `replay state`). */
  phase(): string;
  /** Current attempt number (0 before the first). */
  attempt(): number;
}

/** Builds a protocol over a context. */
export type ProtocolFactory = (ctx: ProtocolContext) => PatchProtocol;
