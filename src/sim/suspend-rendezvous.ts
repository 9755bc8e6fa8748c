/**
 * The migration's suspend as pseries does it (`migration.suspend: "rendezvous"`), after Linux
 * `arch/powerpc/platforms/pseries/mobility.c`:
 *
 * - `pseries_suspend()` runs `stop_machine(do_join)` from the migrating thread: a STOP IPI wakes the
 *   stopper of every online vCPU (the migrating one's own too); each, once it takes the IPI and its
 *   stopper is scheduled, hard-disables interrupts and calls `H_JOIN` (state WAIT, a `barrier` event
 *   with the phase `disable-irq` and the vCPUs still missing);
 * - the last to join gets `H_CONTINUE` and suspends the partition: the hypervisor's stop-and-copy
 *   (`mig_pause`);
 * - back on the destination that vCPU runs alone: it applies the fix-ups the rule table calls for
 *   (`patch_begin`/`patch_end`, then the synchronisation) while every other vCPU is still joined,
 *   and only then does the workload resume (`mig_resume`, the fix-ups' `detect`, `sync`, at the same
 *   instant: a stale window of zero, no separate patch protocol). It then wakes the others with
 *   `H_PROD` (MSG2), each leaving WAIT after its own synchronisation.
 * - A join attempt that has not gathered every vCPU within `migration.joinTimeoutNs` fails
 *   (`attempt_abort`): the joined vCPUs are prodded back; the migrating thread sleeps 1, 10, 100,
 *   1,000 ms and tries again, 5 attempts in all; then the migration is abandoned (`give_up`): no
 *   pause, no resume, the guest keeps running on the source.
 *
 * Join attempts are not protocol attempts: their IPIs and aborts carry the attempt negated (-1 to
 * -5), so a protocol that runs later (after a second migration) numbers its own from 1.
 * Simplifications: the pre-copy remainder and downtime are those of the first stop (dirtying during
 * the retries is not re-sent); the fix-ups are written at the source's per-word cost (the host
 * switches when the workload resumes).
 */
import { assert } from '../core/assert.js';
import { CpuState, Msg, phaseCode, type MsgCode } from '../format/event-kinds.js';
import { emitAttemptAbort, emitBarrier, emitGiveUp } from '../format/event-codec.js';
import type { PatchProtocol, PlannedPatch } from '../protocol/protocol.js';
import type { CodePatcher } from './code-patcher.js';
import type { Detector } from './detector.js';
import type { Hypervisor } from './hypervisor.js';
import type { IpiPart, World } from './parts.js';
import type { SimProtocolContext } from './protocol-context.js';

/** Join attempts of `pseries_suspend` before the migration is abandoned. */
export const SUSPEND_MAX_ATTEMPTS = 5;
/** Sleep before the first retry (`retry_interval_ms = 1`), multiplied by 10 before each next one. */
export const SUSPEND_FIRST_RETRY_NS = 1_000_000;
const SUSPEND_RETRY_FACTOR = 10;

/** The parts the suspend rendezvous uses (concrete: it needs their suspend-only entry points). */
export interface SuspendPeers {
  readonly platform: Hypervisor;
  readonly ipis: IpiPart;
  readonly patcher: CodePatcher;
  readonly detector: Detector;
  readonly context: SimProtocolContext;
}

/** The suspend rendezvous of one migration. */
export class SuspendRendezvous {
  readonly #w: World;
  readonly #peers: SuspendPeers;
  /** Current join attempt, 1-based (0 before the first). */
  #attempt = 0;
  /** Whether the current attempt still gathers vCPUs. */
  #joining = false;
  #migrating = -1;
  #remainingBytes = 0;
  #downtimeNs = 0;
  /** vCPUs of the attempt: every online one, the migrating one last. */
  #members: number[] = [];
  /** vCPUs that joined (H_JOIN) in the current attempt. */
  readonly #joined = new Set<number>();
  /** vCPUs in WAIT for the suspend, with the attempt they parked for. */
  readonly #parked = new Map<number, number>();

  constructor(world: World, peers: SuspendPeers) {
    this.#w = world;
    this.#peers = peers;
  }

  /** Pre-copy is over: suspend the partition through the rendezvous. */
  start(remainingBytes: number, downtimeNs: number): void {
    assert(this.#attempt === 0, 'one suspend per migration');
    this.#remainingBytes = remainingBytes;
    this.#downtimeNs = downtimeNs;
    const v = this.#w.vcpus;
    // The migrating thread runs where the migration is handled (the notification's vCPU), or on
    // the first online vCPU if that one is gone.
    const preferred = this.#w.scenario.detection.notification.cpu;
    this.#migrating = v.state[preferred] !== CpuState.OFFLINE ? preferred : v.onlineTargets(-1)[0] ?? preferred;
    this.#beginAttempt();
  }

  #beginAttempt(): void {
    assert(this.#attempt < SUSPEND_MAX_ATTEMPTS, 'join attempts bounded');
    this.#attempt++;
    this.#joining = true;
    this.#joined.clear();
    const m = this.#migrating;
    this.#members = [...this.#w.vcpus.onlineTargets(m), m];
    const k = this.#attempt;
    this.#peers.ipis.send(m, this.#members, Msg.STOP, -k, null);
    this.#w.time.after(m, this.#w.scenario.migration.joinTimeoutNs, () => this.#joinTimedOut(k));
  }

  /** Whether `cpu` is held in the rendezvous (joined, interrupts hard-disabled, in H_JOIN). */
  holds(cpu: number): boolean {
    return this.#parked.has(cpu);
  }

  /** A suspend message (STOP: join; MSG2: H_PROD) of join attempt `attempt` reaches `cpu`. */
  onMessage(cpu: number, msg: MsgCode, attempt: number): void {
    const ctx = this.#peers.context;
    if (msg === Msg.STOP) {
      // A stopper woken for an attempt that is over finds nothing to do.
      if (!this.#joining || attempt !== this.#attempt || this.#parked.has(cpu)) return;
      if (this.#w.vcpus.state[cpu] !== CpuState.HANDLER) return;
      ctx.enterWait(cpu);
      this.#parked.set(cpu, attempt);
      this.#w.time.after(cpu, this.#w.scenario.protocol.stopMachine.wakeSchedNs, () => this.#join(cpu, attempt));
      return;
    }
    if (msg === Msg.MSG2 && this.#parked.get(cpu) === attempt) {
      this.#parked.delete(cpu);
      ctx.release(cpu);
    }
  }

  // The stopper runs: hard_irq_disable(); H_JOIN. The last one in suspends the partition.
  #join(cpu: number, attempt: number): void {
    if (!this.#joining || attempt !== this.#attempt || this.#parked.get(cpu) !== attempt) return;
    const v = this.#w.vcpus;
    this.#joined.add(cpu);
    let missing = 0;
    for (const c of this.#members) if (!this.#joined.has(c) && v.state[c] !== CpuState.OFFLINE) missing++;
    emitBarrier(this.#w.time, cpu, phaseCode('disable-irq'), missing);
    if (missing === 0) this.#suspend(cpu);
  }

  // H_CONTINUE: `cpu` suspends the partition; the others stay joined.
  #suspend(cpu: number): void {
    this.#joining = false;
    const attempt = this.#attempt;
    this.#peers.platform.pause(this.#remainingBytes, this.#downtimeNs, 1, (resume) => this.#backOnDestination(cpu, attempt, resume));
  }

  // The stop-and-copy is over: the suspending vCPU (or, if it hung meanwhile, another joined one)
  // applies the fix-ups before anything else runs, then the workload resumes.
  #backOnDestination(suspender: number, attempt: number, resume: () => void): void {
    const v = this.#w.vcpus;
    const ready = (c: number): boolean => v.state[c] === CpuState.PAUSED && v.savedPause[c] === CpuState.WAIT && this.#parked.get(c) === attempt;
    const fixer = ready(suspender) ? suspender : this.#members.find(ready);
    if (fixer === undefined) {
      resume(); // nobody can run the fix-ups: the OS finds the change after resume, as without the rendezvous
      return;
    }
    const destination = this.#w.scenario.destination;
    const patches = this.#peers.detector.planFor(destination);
    if (patches.length === 0) {
      resume();
      this.#peers.detector.fixedUp(fixer, destination, 0);
      this.#prodOthers(fixer, attempt);
      return;
    }
    v.setState(fixer, CpuState.WAIT);
    v.setState(fixer, CpuState.PATCHING);
    this.#w.checker.checkQuiesced(fixer);
    const write = (i: number): void => {
      const p = patches[i];
      if (p !== undefined) {
        this.#peers.patcher.write(fixer, p, 'whole', () => write(i + 1));
        return;
      }
      this.#w.time.after(fixer, destination.latency.syncNsPerCpu, () => this.#fixedUp(fixer, attempt, patches, resume));
    };
    write(0);
  }

  // Written and synchronised: the workload resumes with the destination's code already in place.
  #fixedUp(fixer: number, attempt: number, patches: readonly PlannedPatch[], resume: () => void): void {
    // The host changes while no thread is dispatching: the fixer rejoins the paused ones, and
    // the resume brings everyone back (the fixer, like the rest, to WAIT).
    this.#w.vcpus.setState(fixer, CpuState.PAUSED);
    resume();
    this.#peers.detector.fixedUp(fixer, this.#w.scenario.destination, patches.length);
    // The synchronisation's time was spent before the resume: its event closes the stale window at once.
    this.#peers.patcher.sync(fixer, patches, () => this.#prodOthers(fixer, attempt), 0);
  }

  // H_PROD to every other joined vCPU, then the waker leaves too.
  #prodOthers(waker: number, attempt: number): void {
    const others = [...this.#parked].filter(([c, a]) => a === attempt && c !== waker).map(([c]) => c);
    this.#peers.ipis.send(waker, others, Msg.MSG2, -attempt, () => this.#leave(waker, attempt));
  }

  #leave(cpu: number, attempt: number): void {
    if (this.#parked.get(cpu) !== attempt || this.#w.vcpus.state[cpu] !== CpuState.WAIT) return;
    this.#parked.delete(cpu);
    this.#peers.context.release(cpu);
  }

  // Not everyone joined in time: the attempt fails, the joined are prodded back, and the migrating
  // thread sleeps before the next attempt, or abandons the migration after the last.
  #joinTimedOut(attempt: number): void {
    if (!this.#joining || attempt !== this.#attempt) return;
    this.#joining = false;
    const m = this.#migrating;
    emitAttemptAbort(this.#w.time, m, -attempt, this.#joined.size);
    const others = [...this.#parked].filter(([c, a]) => a === attempt && c !== m).map(([c]) => c);
    this.#peers.ipis.send(m, others, Msg.MSG2, -attempt, () => {
      this.#leave(m, attempt);
      this.#retryOrAbandon(attempt);
    });
  }

  #retryOrAbandon(attempt: number): void {
    const m = this.#migrating;
    if (attempt >= SUSPEND_MAX_ATTEMPTS) {
      emitGiveUp(this.#w.time, m, attempt); // the migration is abandoned
      return;
    }
    const sleepNs = SUSPEND_FIRST_RETRY_NS * SUSPEND_RETRY_FACTOR ** (attempt - 1);
    this.#w.time.after(m, sleepNs, () => this.#beginAttempt());
  }
}

/**
 * The protocol as the rest of the simulation sees it when the migration suspends by rendezvous:
 * the scenario's protocol, with the suspend's own messages (negated attempts) routed to the suspend.
 */
export function withSuspendRendezvous(inner: PatchProtocol, suspend: SuspendRendezvous): PatchProtocol {
  return {
    name: inner.name,
    quiescing: inner.quiescing,
    get active(): boolean {
      return inner.active;
    },
    start: (job) => inner.start(job),
    onMessage: (cpu, msg, src, attempt) => {
      if (attempt < 0) suspend.onMessage(cpu, msg, -attempt);
      // A vCPU held in H_JOIN runs no handler: the protocol's message is not seen (a lost H_PROD
      // strands it there, as it would strand a real CPU).
      else if (!suspend.holds(cpu)) inner.onMessage(cpu, msg, src, attempt);
    },
    onAck: (src, attempt) => {
      if (attempt >= 0) inner.onAck(src, attempt);
    },
    onTimer: (token) => inner.onTimer(token),
    phase: () => inner.phase(),
    attempt: () => inner.attempt(),
  };
}
