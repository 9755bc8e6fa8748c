/**
 * A protocol's current phase. Every change is a `phase` event, so a trace alone tells the phase at
 * any instant (what `replay state` shows) whatever the protocol.
 */
import { Ev, phaseCode } from '../sim/event-kinds.js';
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
    this.#ctx.emit(Ev.PHASE, cpu, phaseCode(phase), attempt, Number.NaN);
  }
}
