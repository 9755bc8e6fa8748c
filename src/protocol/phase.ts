/**
 * A protocol's current phase. Every change is a `phase` event, so a trace alone tells the phase at
 * any instant (what `replay state` shows) whatever the protocol.
 */
import { phaseCode } from '../format/event-kinds.js';
import { emitPhase } from '../format/event-codec.js';
import type { ProtocolContext } from './protocol.js';

/** The phase of one protocol instance. */
export class ProtocolPhase<P extends string> {
  readonly #ctx: ProtocolContext;
  #phase: P;

  constructor(ctx: ProtocolContext, initial: P) {
    this.#ctx = ctx;
    this.#phase = initial;
  }

  /** The current phase. */
  get(): P {
    return this.#phase;
  }

  /** Enters `phase` (an event on the initiator `cpu`, tagged with the attempt). */
  set(phase: P, cpu: number, attempt: number): void {
    this.#phase = phase;
    emitPhase(this.#ctx, cpu, phaseCode(phase), attempt);
  }
}

/**
 * What every protocol shares: its context, its phase (with events) and its attempt counter. A
 * protocol is active in every phase but its resting ones (idle, done, gave-up).
 */
export abstract class PhasedProtocol<P extends string> {
  protected readonly ctx: ProtocolContext;
  protected readonly progress: ProtocolPhase<P>;
  /** Attempts begun so far. */
  protected attemptNo = 0;
  readonly #resting: readonly P[];

  protected constructor(ctx: ProtocolContext, initial: P, resting: readonly P[]) {
    this.ctx = ctx;
    this.progress = new ProtocolPhase<P>(ctx, initial);
    this.#resting = resting;
  }

  /** Whether a job is in progress. */
  get active(): boolean {
    return !this.#resting.includes(this.progress.get());
  }

  /** The current phase's name. */
  phase(): string {
    return this.progress.get();
  }

  /** Attempts begun so far. */
  attempt(): number {
    return this.attemptNo;
  }
}
