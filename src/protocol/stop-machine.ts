/**
 * The stop_machine-based protocols.
 *
 * `stop-machine` — Linux `multi_cpu_stop` (kernel/stop_machine.c): the initiator wakes the stopper
 * thread of every online vCPU (a STOP IPI; once taken, the stopper preempts whatever runs after
 * `wakeSchedNs`, and the vCPU runs nothing else: state wait). Every vCPU, the initiator included,
 * then goes through four counting barriers PREPARE -> DISABLE_IRQ -> RUN -> EXIT: `set_state` resets
 * the counter to the number of vCPUs, each acknowledges the state it sees, and the last to
 * acknowledge advances the state, which the others see after a cache-line transfer. Only the
 * initiator patches, in RUN, before acknowledging it. There is no timeout: a vCPU that never
 * arrives stalls everyone until the liveness bound (`attemptBoundNs`) reports it.
 *
 * `last-arrival` — arm64 `aarch64_insn_patch_text`: the same stop_machine, but every vCPU runs the
 * callback in RUN; each increments a counter, the last one to arrive patches and bumps the counter
 * again, and the others spin until then (changed in 2022 from "the first patches", which could not
 * know that the others were already waiting).
 */
import { assert } from '../core/assert.js';
import { Msg, Outcome, phaseCode, type MsgCode } from '../format/event-kinds.js';
import { emitBarrier } from '../format/event-codec.js';
import { PhasedProtocol } from './phase.js';
import type { PatchJob, PatchProtocol, ProtocolContext } from './protocol.js';

/** MULTI_STOP states in order; `exit` is the last. */
const STATES = ['prepare', 'disable-irq', 'run', 'exit'] as const;
type StopState = (typeof STATES)[number];
type Phase = 'idle' | StopState | 'done';

/** Who writes the code in RUN. */
export type Patcher = 'initiator' | 'last-arrival';

/** stop_machine with four barriers; `patcher` selects stop-machine or last-arrival. */
export class StopMachine extends PhasedProtocol<Phase> implements PatchProtocol {
  readonly name: 'stop-machine' | 'last-arrival';
  readonly quiescing = true;
  readonly #patcher: Patcher;
  #job: PatchJob | null = null;
  /** Every vCPU taking part (the initiator first). */
  #members: number[] = [];
  #state = 0;
  #missing = 0;
  /** last-arrival: vCPUs that ran the callback and spin until the patch is in. */
  #arrived: number[] = [];
  #left = 0;

  constructor(ctx: ProtocolContext, patcher: Patcher) {
    super(ctx, 'idle', ['idle', 'done']);
    this.#patcher = patcher;
    this.name = patcher === 'initiator' ? 'stop-machine' : 'last-arrival';
  }

  start(job: PatchJob): void {
    assert(!this.active && job.patches.length > 0, 'one job with patches at a time');
    this.#job = job;
    const init = job.initiator;
    this.attemptNo++;
    this.ctx.takeOver(init);
    const targets = this.ctx.onlineTargets(init);
    this.#members = [init, ...targets];
    this.#arrived = [];
    this.#left = 0;
    this.#enter(0);
    this.ctx.beginAttempt(init, this.attemptNo, targets.length);
    this.ctx.sendIpis(init, targets, Msg.STOP, this.attemptNo, null);
    // The caller's own stopper runs too.
    this.ctx.after(init, this.ctx.spec.stopMachine.wakeSchedNs, () => this.#arrive(init));
  }

  onMessage(cpu: number, msg: MsgCode, _src: number, attempt: number): void {
    if (msg !== Msg.STOP || attempt !== this.attemptNo || !this.active) return;
    // The woken stopper preempts what the vCPU runs: from now on it runs nothing else.
    this.ctx.enterWait(cpu);
    this.ctx.after(cpu, this.ctx.spec.stopMachine.wakeSchedNs, () => this.#arrive(cpu));
  }

  onAck(): void {
    // Barriers are shared-memory counters, not messages.
  }

  onTimer(): void {
    // No timeouts in stop_machine.
  }

  // set_state: a new state, with every member's acknowledgement missing.
  #enter(state: number): void {
    this.#state = state;
    this.#missing = this.#members.length;
    this.progress.set(STATES[state] as StopState, this.#initiator(), this.attemptNo);
  }

  // A stopper starts its loop and acts on the state it reads first.
  #arrive(cpu: number): void {
    this.#act(cpu, this.#state);
  }

  // A member sees `state` (after the store reached it) and does that state's work.
  #act(cpu: number, state: number): void {
    if (state !== this.#state || !this.active) return;
    const name = STATES[state] as StopState;
    if (name === 'run') {
      this.#run(cpu);
      return;
    }
    this.#ack(cpu);
  }

  #run(cpu: number): void {
    const job = this.#job;
    assert(job !== null, 'a job is running');
    if (this.#patcher === 'initiator') {
      if (cpu === job.initiator) this.ctx.patch(cpu, job.patches, () => this.#ack(cpu));
      else this.#ack(cpu);
      return;
    }
    this.#arrived.push(cpu);
    if (this.#arrived.length < this.#members.length) return; // spin until the last one has patched
    this.ctx.patch(cpu, job.patches, () => {
      // The others see the counter bumped, execute isb, and acknowledge RUN.
      for (const other of this.#arrived) {
        if (other === cpu) continue;
        this.ctx.after(other, this.ctx.sharedLatencyNs(), () => this.#ack(other));
      }
      this.#ack(cpu);
    });
  }

  // ack_state: the last acknowledgement advances the state; the others see it later.
  #ack(cpu: number): void {
    this.#missing--;
    assert(this.#missing >= 0, 'each member acknowledges a state once');
    emitBarrier(this.ctx, cpu, phaseCode(STATES[this.#state] as StopState), this.#missing);
    if (STATES[this.#state] === 'exit') this.#leave(cpu);
    if (this.#missing > 0) return;
    if (STATES[this.#state] === 'exit') return;
    this.#enter(this.#state + 1);
    const state = this.#state;
    for (const member of this.#members) {
      this.ctx.after(member, this.ctx.sharedLatencyNs(), () => this.#act(member, state));
    }
  }

  // Seeing EXIT, a member acknowledges it and leaves the stopper loop.
  #leave(cpu: number): void {
    const job = this.#job;
    assert(job !== null, 'a job is running');
    this.#left++;
    if (cpu !== job.initiator) this.ctx.release(cpu);
    if (this.#left < this.#members.length) return;
    this.ctx.endAttempt(job.initiator, this.attemptNo, Outcome.PATCHED);
    this.progress.set('done', job.initiator, this.attemptNo);
    this.ctx.giveBack(job.initiator);
  }

  #initiator(): number {
    assert(this.#job !== null, 'a job is running');
    return this.#job.initiator;
  }
}
