/**
 * `no-quiesce`: the unsafe baseline. The initiator rewrites the routines at once while every other
 * vCPU goes on running; whoever enters the kernel meanwhile executes torn code, which the safety
 * invariant records. Scenarios that use it declare the violations expected (`run.expectViolations`).
 */
import { assert } from '../core/assert.js';
import { Outcome } from '../format/event-kinds.js';
import { PhasedProtocol } from './phase.js';
import type { PatchJob, PatchProtocol, ProtocolContext } from './protocol.js';

type Phase = 'idle' | 'patching' | 'done';

/** Patches without parking anyone. */
export class NoQuiesce extends PhasedProtocol<Phase> implements PatchProtocol {
  readonly name = 'no-quiesce' as const;
  readonly quiescing = false;

  constructor(ctx: ProtocolContext) {
    super(ctx, 'idle', ['idle', 'done']);
  }

  start(job: PatchJob): void {
    assert(!this.active && job.patches.length > 0, 'one job with patches at a time');
    const init = job.initiator;
    const attempt = ++this.attemptNo;
    this.ctx.takeOver(init);
    this.progress.set('patching', init, attempt);
    this.ctx.beginAttempt(init, attempt, 0);
    this.ctx.patch(init, job.patches, () => {
      this.ctx.endAttempt(init, attempt, Outcome.PATCHED);
      this.progress.set('done', init, attempt);
      this.ctx.giveBack(init);
    });
  }

  onMessage(): void {
    // Sends nothing, so receives nothing.
  }

  onAck(): void {
    // Sends nothing, so receives nothing.
  }

  onTimer(): void {
    // Arms nothing.
  }
}
