/**
 * The parts of the simulation and what each offers the others. Every part gets the shared
 * {@link World} and a record of its peers, typed down to the parts it uses (`Pick<Parts, ...>`), so
 * each file states what it depends on. The peers are wired once, before the first action runs.
 *
 * - guest: {@link SchedulerPart} (processes, run queue, ticks, accounting samples) and
 *   {@link InterruptsPart} (interrupts-off sections, handlers, pending interrupts);
 * - platform: {@link IpiPart} (the IPI network) and {@link PlatformPart} (hosts, migration pause);
 * - {@link FaultsPart}: injected faults;
 * - {@link PatcherPart}: writing and executing code (torn code, traps);
 * - {@link DetectorPart}: noticing the host changed and starting the protocol's job;
 * - {@link TimersPart}: the protocol context's timers;
 * - the invariant checker, the vCPU table and the timeline, which need no peers (see World).
 */
import type { RandomStreams } from '../core/rng.js';
import type { MsgCode } from '../format/event-kinds.js';
import type { CodeImage } from '../model/code-image.js';
import type { PatchProtocol, PlannedPatch, WritePart } from '../protocol/protocol.js';
import type { FaultAnchor, HostSpec, Scenario } from '../scenario/scenario.js';
import type { InvariantChecker } from './invariant-checker.js';
import type { Timeline } from './timeline.js';
import type { Vcpus } from './vcpus.js';

/** What every part shares: the scenario, time, the vCPUs, the code image and the checker. */
export interface World {
  readonly scenario: Scenario;
  readonly time: Timeline;
  readonly vcpus: Vcpus;
  readonly image: CodeImage;
  readonly checker: InvariantChecker;
  readonly streams: RandomStreams;
}

/** The host the guest runs on, and the migration that moves it. */
export interface PlatformPart {
  /** Index of the current host: 0 the source, 1 the destination. */
  readonly hostIndex: number;
  /** The current host. */
  host(): HostSpec;
  /** Pauses every online vCPU for `downtimeNs`; the guest resumes on host `toHost`. */
  pause(remainingBytes: number, downtimeNs: number, toHost: number): void;
}

/** The guest's scheduler and processes. */
export interface SchedulerPart {
  /** Samples the process on `cpu` and suspends its burst (it stops running). */
  stopProcessRun(cpu: number): void;
  /** The process on `cpu` (re)starts running. */
  startProcessRun(cpu: number): void;
  /** `cpu` has nothing to run: takes a queued process, or waits in the idle queue. */
  goIdle(cpu: number): void;
  /** `pid` becomes runnable: onto an idle vCPU, or into the run queue. */
  makeRunnable(pid: number): void;
  /**
   * Work deferred while `cpu` had interrupts off (a burst that ended, a tick), done once it runs
   * with interrupts on; returns whether there was any.
   */
  deferredWork(cpu: number): boolean;
  /** `cpu` may be idle again after a pause or a hang: if so it takes queued work at once. */
  idleAgain(cpu: number): void;
  /** `cpu` went offline: it never takes work again. */
  offline(cpu: number): void;
}

/** The guest's interrupts. */
export interface InterruptsPart {
  /** An interrupt for `cpu` (an IPI index or a PEND_* entry): taken now if it can be, else pending. */
  raise(cpu: number, entry: number): void;
  /** Takes the pending interrupts `cpu` can take in its state. */
  deliverPending(cpu: number): void;
  /** Leaves interrupt context: back to the process, or idle. */
  returnFromInterrupt(cpu: number): void;
  /** Whether `cpu` waits polling its mailbox (in WAIT, not released). */
  polls(cpu: number): boolean;
  /** A polling `cpu` takes the IPI `ipi` from its mailbox. */
  pollIpi(cpu: number, ipi: number): void;
  /** `cpu` enters an interrupts-off section of `durationNs` when it next runs its process. */
  forceIrqOff(cpu: number, durationNs: number): void;
}

/** The IPI network: messages in flight and their fields. */
export interface IpiPart {
  /** Sends `msg` to each of `dsts` in order; `then` after the last send. */
  send(src: number, dsts: readonly number[], msg: MsgCode, attempt: number, then: (() => void) | null): void;
  /** Sender of an IPI. */
  src(ipi: number): number;
  /** Message code of an IPI. */
  msg(ipi: number): MsgCode;
  /** Protocol attempt an IPI belongs to. */
  attempt(ipi: number): number;
  /** Seq of an IPI's send event. */
  seq(ipi: number): number;
  /** A draw of a store's latency to a spinning vCPU (the host's ACK latency). */
  sharedLatencyNs(): number;
}

/** Injected faults. */
export interface FaultsPart {
  /** Timed faults anchored at `anchor` are scheduled from now (once per anchor). */
  anchorReached(anchor: FaultAnchor): void;
  /** Whether a lost-ipi fault takes this IPI (uses one of its count; records the fault). */
  loseIpi(dst: number, msg: number): boolean;
  /** Extra delivery delay a delayed-ipi fault adds to this IPI (0 for none). */
  extraDelayNs(dst: number, msg: number): number;
}

/** Writing code and executing it. */
export interface PatcherPart {
  /** Writes one part of a patch on `cpu`, then calls `then`. */
  write(cpu: number, p: PlannedPatch, part: WritePart, then: () => void): void;
  /** Synchronises caches after `patches` (nothing is hot any more), then calls `then`. */
  sync(cpu: number, patches: readonly PlannedPatch[], then: () => void): void;
  /** Executes routines on `cpu` (torn code is a safety violation; a trap diverts). */
  executeRoutines(cpu: number, ids: readonly number[]): void;
}

/** Noticing the host changed. */
export interface DetectorPart {
  /** The vCPU driving the current (or last) protocol job, -1 before the first. */
  readonly initiator: number;
  /** A notification's handler body runs on `cpu`. */
  onNotify(cpu: number): void;
  /** A poll's handler body runs on `cpu`. */
  onPollBody(cpu: number): void;
  /** The job's initiator gave back: look again if the host changed while it ran. */
  afterJob(initiator: number): void;
}

/** The protocol context's timers. */
export interface TimersPart {
  /** A protocol timer's interrupt is taken on `cpu`. */
  timerFires(cpu: number, token: number): void;
}

/** Every part, as wired by the simulation. */
export interface Parts {
  readonly platform: PlatformPart;
  readonly scheduler: SchedulerPart;
  readonly interrupts: InterruptsPart;
  readonly ipis: IpiPart;
  readonly faults: FaultsPart;
  readonly patcher: PatcherPart;
  readonly detector: DetectorPart;
  readonly timers: TimersPart;
  readonly protocol: PatchProtocol;
}
