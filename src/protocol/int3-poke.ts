/**
 * `int3-poke`: x86 `text_poke_bp` ("we completely avoid using stop_machine()"). For the batch of
 * patches: (1) write a trap word at each site, then synchronise every vCPU; (2) write every word
 * but the first, synchronise; (3) write the first word, synchronise. Synchronising is
 * `on_each_cpu(do_sync_core, wait=1)`: a SYNC IPI to every other online vCPU, each handles it when
 * its interrupts are on (a serialising instruction) and acknowledges; the initiator waits for all,
 * with no timeout. Nobody is parked; a vCPU that executes a routine while its trap is in place is
 * diverted to the trap handler, which emulates the new code, and never sees torn code.
 */
import { assert } from '../core/assert.js';
import { Msg, Outcome, type MsgCode } from '../format/event-kinds.js';
import { PhasedProtocol } from './phase.js';
import type { PatchJob, PatchProtocol, PlannedPatch, ProtocolContext, WritePart } from './protocol.js';

type Phase = 'idle' | 'poke-trap' | 'poke-tail' | 'poke-head' | 'done';

/** text_poke_bp: breakpoint, tail, head, with a sync round after each. */
export class Int3Poke extends PhasedProtocol<Phase> implements PatchProtocol {
  readonly name = 'int3-poke' as const;
  readonly quiescing = false;
  #job: PatchJob | null = null;
  #targets: number[] = [];
  #acked = new Set<number>();
  #afterSync: (() => void) | null = null;

  constructor(ctx: ProtocolContext) {
    super(ctx, 'idle', ['idle', 'done']);
  }

  start(job: PatchJob): void {
    assert(!this.active && job.patches.length > 0, 'one job with patches at a time');
    this.#job = job;
    const init = job.initiator;
    const attempt = ++this.attemptNo;
    this.ctx.takeOver(init);
    this.#targets = this.ctx.onlineTargets(init);
    this.ctx.beginAttempt(init, attempt, this.#targets.length);
    this.#step('poke-trap', 'trap', () =>
      this.#step('poke-tail', 'tail', () =>
        this.#step('poke-head', 'head', () =>
          this.ctx.syncCaches(init, job.patches, () => {
            this.ctx.endAttempt(init, attempt, Outcome.PATCHED);
            this.progress.set('done', init, attempt);
            this.ctx.giveBack(init);
          }))));
  }

  onMessage(cpu: number, msg: MsgCode, src: number, attempt: number): void {
    // do_sync_core: the serialising instruction is the handler's return; acknowledge it.
    if (msg === Msg.SYNC) this.ctx.sendIpis(cpu, [src], Msg.ACK, attempt, null);
  }

  onAck(src: number, attempt: number): void {
    if (attempt !== this.attemptNo || this.#afterSync === null || this.#acked.has(src)) return;
    this.#acked.add(src);
    if (this.#acked.size < this.#targets.length) return;
    const next = this.#afterSync;
    this.#afterSync = null;
    next();
  }

  onTimer(): void {
    // No timeouts: on_each_cpu waits for every vCPU.
  }

  // Writes one part of every patch, then runs a sync round.
  #step(phase: Phase, part: WritePart, then: () => void): void {
    const job = this.#job;
    assert(job !== null, 'a job is running');
    this.progress.set(phase, job.initiator, this.attemptNo);
    this.#writeAll(job.initiator, job.patches, part, 0, () => this.#syncAll(then));
  }

  #writeAll(cpu: number, patches: readonly PlannedPatch[], part: WritePart, i: number, then: () => void): void {
    const p = patches[i];
    if (p === undefined) {
      then();
      return;
    }
    this.ctx.writeCode(cpu, p, part, () => this.#writeAll(cpu, patches, part, i + 1, then));
  }

  #syncAll(then: () => void): void {
    const job = this.#job;
    assert(job !== null && this.#afterSync === null, 'one sync round at a time');
    // on_each_cpu takes the online mask of the moment: a vCPU gone offline is not waited for.
    this.#targets = this.ctx.onlineTargets(job.initiator);
    if (this.#targets.length === 0) {
      then();
      return;
    }
    this.#acked = new Set();
    this.#afterSync = then;
    this.ctx.sendIpis(job.initiator, this.#targets, Msg.SYNC, this.attemptNo, null);
  }
}
