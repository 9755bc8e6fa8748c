/**
 * `broadcast-ack`: the seed's protocol (JP7586607B2, FIG. 5-7).
 *
 * 1. The initiator sends MSG1 to every other online vCPU.
 * 2. A target handles MSG1 when its interrupts are enabled: it sends an ACK and waits (it polls its
 *    mailbox, so it still sees a resent MSG1, which it acknowledges again, and MSG2).
 * 3. The initiator waits for every ACK with a timeout. On timeout it resends MSG1 (to the non-ackers,
 *    or to the whole set: `resendScope`) up to `resendLimit` times, then aborts: MSG2 to the ackers
 *    (or to the whole set: `abortScope`), nothing modified, and a retry after a backoff, up to
 *    `retryLimit` retries. An ACK that arrives for a dead attempt gets its own MSG2 at once.
 * 4. With every ACK in, the initiator writes the patches and synchronises.
 * 5. MSG2 to every target; each leaves WAIT after its own instruction synchronisation.
 *
 * As in the seed, nothing acknowledges MSG2: a lost MSG2, or an ACK lost after the last resend
 * with `abortScope` per-cpu, leaves its target waiting for good (docs/model.md, "Faults").
 */
import { assert } from '../core/assert.js';
import { Msg, Outcome, type MsgCode } from '../format/event-kinds.js';
import { emitAckTimeout, emitAttemptAbort, emitGiveUp, emitResend } from '../format/event-codec.js';
import { PhasedProtocol } from './phase.js';
import type { PatchJob, PatchProtocol, ProtocolContext } from './protocol.js';

type Phase = 'idle' | 'rendezvous' | 'patching' | 'releasing' | 'backoff' | 'done' | 'gave-up';

/** The seed's broadcast / acknowledge / wait protocol. */
export class BroadcastAck extends PhasedProtocol<Phase> implements PatchProtocol {
  readonly name = 'broadcast-ack' as const;
  readonly quiescing = true;
  #job: PatchJob | null = null;
  #retries = 0;
  #resendRound = 0;
  #targets: number[] = [];
  #acked = new Set<number>();
  /** The attempt each vCPU's handler waits for (what it reads in shared memory), -1 when not waiting. */
  readonly #waitingFor = new Map<number, number>();
  #nextToken = 1;
  #ackToken = -1;
  #retryToken = -1;

  constructor(ctx: ProtocolContext) {
    super(ctx, 'idle', ['idle', 'done', 'gave-up']);
  }

  start(job: PatchJob): void {
    assert(!this.active, 'one job at a time');
    assert(job.patches.length > 0, 'a job has patches');
    this.#job = job;
    this.#retries = 0;
    this.#beginAttempt();
  }

  onMessage(cpu: number, msg: MsgCode, src: number, attempt: number): void {
    const waitingFor = this.#waitingFor.get(cpu) ?? -1;
    if (msg === Msg.MSG1) {
      if (waitingFor !== -1) {
        // Polled while waiting: a resent MSG1 of the same attempt means our ACK was lost or late.
        if (waitingFor === attempt) this.ctx.sendIpis(cpu, [src], Msg.ACK, attempt, null);
        return;
      }
      if (attempt === this.attemptNo && this.progress.get() === 'rendezvous') {
        this.ctx.sendIpis(cpu, [src], Msg.ACK, attempt, null);
        this.#waitingFor.set(cpu, attempt);
        this.ctx.enterWait(cpu);
      }
      return;
    }
    if (msg === Msg.MSG2 && waitingFor === attempt) {
      this.#waitingFor.delete(cpu);
      this.ctx.release(cpu);
    }
  }

  onAck(src: number, attempt: number): void {
    if (attempt === this.attemptNo && this.progress.get() === 'rendezvous') {
      this.#countAck(src);
      return;
    }
    if (this.#isLive(attempt)) return; // a duplicate ACK while patching or releasing
    // The target waits for an attempt that is over: release it now.
    if (this.#waitingFor.get(src) === attempt) {
      this.ctx.sendIpis(this.#initiator(), [src], Msg.MSG2, attempt, null);
    }
  }

  onTimer(token: number): void {
    if (token === this.#ackToken) {
      this.#ackToken = -1;
      this.#onAckTimeout();
    } else if (token === this.#retryToken) {
      this.#retryToken = -1;
      this.#beginAttempt();
    }
  }

  #beginAttempt(): void {
    const init = this.#initiator();
    this.attemptNo++;
    this.ctx.takeOver(init);
    this.#targets = this.ctx.onlineTargets(init);
    this.#acked = new Set();
    this.#resendRound = 0;
    this.#setPhase('rendezvous');
    this.ctx.beginAttempt(init, this.attemptNo, this.#targets.length);
    if (this.#targets.length === 0) {
      this.#allAcked();
      return;
    }
    const attempt = this.attemptNo;
    this.ctx.sendIpis(init, this.#targets, Msg.MSG1, attempt, () => this.#armAckTimer(attempt));
  }

  #armAckTimer(attempt: number): void {
    if (attempt !== this.attemptNo || this.progress.get() !== 'rendezvous') return;
    this.#ackToken = this.#nextToken++;
    this.ctx.setTimer(this.#initiator(), this.ctx.spec.broadcastAck.ackTimeoutNs, this.#ackToken);
  }

  #countAck(src: number): void {
    if (this.#acked.has(src)) return;
    this.#acked.add(src);
    if (this.#acked.size < this.#targets.length) return;
    if (this.#ackToken !== -1) this.ctx.cancelTimer(this.#ackToken);
    this.#ackToken = -1;
    this.#allAcked();
  }

  #onAckTimeout(): void {
    const p = this.ctx.spec.broadcastAck;
    const init = this.#initiator();
    const missing = this.#targets.filter((t) => !this.#acked.has(t));
    assert(missing.length > 0, 'a timeout implies a missing ACK');
    emitAckTimeout(this.ctx, init, this.attemptNo, missing.length);
    if (this.#resendRound >= p.resendLimit) {
      this.#abort();
      return;
    }
    this.#resendRound++;
    const dsts = p.resendScope === 'per-cpu' ? missing : this.#targets;
    emitResend(this.ctx, init, this.attemptNo, dsts.length, this.#resendRound);
    const attempt = this.attemptNo;
    this.ctx.sendIpis(init, dsts, Msg.MSG1, attempt, () => this.#armAckTimer(attempt));
  }

  #abort(): void {
    const p = this.ctx.spec.broadcastAck;
    const init = this.#initiator();
    const attempt = this.attemptNo;
    emitAttemptAbort(this.ctx, init, attempt, this.#acked.size);
    // From here the attempt is dead: late ACKs are answered with MSG2 by onAck.
    this.#setPhase('backoff');
    const dsts = p.abortScope === 'per-cpu' ? this.#targets.filter((t) => this.#acked.has(t)) : this.#targets;
    this.ctx.sendIpis(init, dsts, Msg.MSG2, attempt, () => {
      this.ctx.endAttempt(init, attempt, Outcome.ABORTED);
      this.ctx.giveBack(init);
      this.#retryOrGiveUp();
    });
  }

  #retryOrGiveUp(): void {
    const p = this.ctx.spec.broadcastAck;
    if (this.#retries >= p.retryLimit) {
      this.#setPhase('gave-up');
      emitGiveUp(this.ctx, this.#initiator(), this.attemptNo);
      return;
    }
    this.#retries++;
    const delayNs = Math.round(p.backoffNs * p.backoffFactor ** (this.#retries - 1));
    this.#retryToken = this.#nextToken++;
    this.ctx.setTimer(this.#initiator(), delayNs, this.#retryToken);
  }

  #allAcked(): void {
    const init = this.#initiator();
    const attempt = this.attemptNo;
    const job = this.#job;
    assert(job !== null, 'a job is running');
    this.#setPhase('patching');
    this.ctx.patch(init, job.patches, () => {
      this.#setPhase('releasing');
      this.ctx.sendIpis(init, this.#targets, Msg.MSG2, attempt, () => {
        this.ctx.endAttempt(init, attempt, Outcome.PATCHED);
        this.#setPhase('done');
        this.ctx.giveBack(init);
      });
    });
  }

  #setPhase(phase: Phase): void {
    this.progress.set(phase, this.#initiator(), this.attemptNo);
  }

  #isLive(attempt: number): boolean {
    return attempt === this.attemptNo && (this.progress.get() === 'patching' || this.progress.get() === 'releasing');
  }

  #initiator(): number {
    assert(this.#job !== null, 'a job is running');
    return this.#job.initiator;
  }
}
