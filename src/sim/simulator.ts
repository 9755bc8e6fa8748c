/**
 * The simulation: a guest OS on a host, live-migrated, detecting the change and patching itself
 * through a protocol. Deterministic: integer-ns virtual time, a totally ordered queue, named
 * random streams; no clock, no I/O. Its only output is the event log.
 *
 * Structure: this class owns the vCPUs (state machine, interrupts, scheduler, accounting samples),
 * the migration and the detector, and implements {@link ProtocolContext} for the protocol. The
 * pure pieces (topology, PURR/truth, code image, pre-copy arithmetic) live in `src/model/`.
 *
 * Two kinds of timed actions:
 * - clock actions (ticks, timers, wake-ups, IPI arrivals) happen at their time whatever the vCPU
 *   does; if it cannot take them (interrupts off, paused, hung), they wait as pending interrupts;
 * - work actions (the end of an interrupts-off section, of a handler entry, of a patch write, of
 *   an IPI send) are work a vCPU does: when the vCPU is frozen (migration pause, hang), they are
 *   pushed back by the freeze's length, or dropped if it never ends.
 */
import type { LiveState } from '../format/live-state.js';
import { assert } from '../core/assert.js';
import { EventQueue, newQueueItem } from '../core/event-queue.js';
import { RandomStreams, type Rng } from '../core/rng.js';
import { CodeImage, Hot } from '../model/code-image.js';
import { differenceMask, maskHas } from '../model/characteristics.js';
import { Precopy } from '../model/precopy.js';
import { ThreadAccounting } from '../model/thread-accounting.js';
import type { PatchProtocol, PlannedPatch, ProtocolContext, WritePart } from '../protocol/protocol.js';
import { PROTOCOLS } from '../protocol/registry.js';
import type {
  DelayedIpiFault, FaultAnchor, FaultSpec, HostSpec, LostIpiFault, ProtocolSpec, Scenario,
} from '../scenario/scenario.js';
import {
  CpuState, DetectSource, Ev, FaultKind, Invariant, Msg, ViolationDetail, type MsgCode,
} from '../format/event-kinds.js';
import type { EventLog } from './event-log.js';

// Action codes of the queue.
const A_RUN_END = 1;
const A_TICK = 2;
const A_BURST_END = 3;
const A_WAKE = 4;
const A_IRQOFF_BEGIN = 5;
const A_IRQOFF_END = 6; // work
const A_IPI_DELIVER = 7;
const A_HANDLER_BODY = 8; // work
const A_MIG_START = 9;
const A_MIG_ROUND_END = 10;
const A_MIG_RESUME = 11;
const A_NOTIFY = 12;
const A_POLL = 13;
const A_PROTO_TIMER = 14;
const A_CALLBACK = 15; // work
const A_TRAIN_NEXT = 16; // work
const A_RECOVER = 18;
const A_WATCHDOG = 19;
const A_FAULT = 20;
const A_KENTRY = 21;

const F_WORK = 1;

// Pending-interrupt entries: >= 0 is an IPI index; these are the others.
const PEND_NOTIFY = -1;
const PEND_POLL = -2;
const PEND_TIMER_BASE = -3; // entry = PEND_TIMER_BASE - token

/** Most pending interrupts one vCPU may hold: more means a runaway sender. */
const MAX_PENDING_PER_CPU = 65_536;
/** Most IPIs in one run. */
const MAX_IPIS = 50_000_000;

const BUSY_STATES: readonly boolean[] = [false, true, true, true, true, true, true, false, true, false];


interface Train {
  readonly src: number;
  readonly dsts: readonly number[];
  readonly msg: MsgCode;
  readonly attempt: number;
  readonly then: (() => void) | null;
  next: number;
}

/** A deterministic simulation of one scenario and seed. */
export class Simulation implements ProtocolContext {
  readonly spec: ProtocolSpec;
  readonly image: CodeImage;
  readonly #s: Scenario;
  readonly #log: EventLog;
  readonly #queue = new EventQueue();
  readonly #item = newQueueItem();
  readonly #n: number;
  readonly #p: number;
  readonly #acct: ThreadAccounting;
  readonly #protocol: PatchProtocol;
  readonly #ipiRng: Rng;
  readonly #detectRng: Rng;
  readonly #irqRng: Rng[];
  readonly #procRng: Rng[];
  #now = 0;
  #hostIndex = 0;
  #lastSeen: HostSpec;
  #ended = false;
  #violations = 0;
  #attempts = 0;
  /** The vCPU driving the current (or last) protocol job, -1 before the first. */
  #initiator = -1;
  /** A detection found changes while a job ran: detect again when it ends. */
  #replanPending = false;

  // vCPUs
  readonly #state: Int8Array;
  readonly #pid: Int32Array;
  readonly #gen: Float64Array;
  readonly #savedPause: Int8Array;
  readonly #savedHang: Int8Array;
  readonly #pendingTick: Uint8Array;
  readonly #pendingBlock: Uint8Array;
  readonly #dispatchNs: Float64Array;
  readonly #stateSinceNs: Float64Array;
  readonly #stateTotalNs: Float64Array;
  readonly #inIdleQueue: Uint8Array;
  readonly #pending: number[][];
  readonly #freezeStart: number[][];
  readonly #freezeEnd: number[][];

  // processes
  readonly #pstate: Int8Array; // 0 runnable, 1 on a vCPU, 2 sleeping
  readonly #burstLeftNs: Float64Array;
  readonly #burstDeadlineNs: Float64Array;
  readonly #truthNs: Float64Array;
  readonly #chargedNs: Float64Array;
  readonly #runq: Int32Array;
  #runqHead = 0;
  #runqLen = 0;
  readonly #idleq: Int32Array;
  #idleqHead = 0;
  #idleqLen = 0;

  // IPIs, trains, callbacks, timers
  readonly #ipiSrc: number[] = [];
  readonly #ipiDst: number[] = [];
  readonly #ipiMsg: number[] = [];
  readonly #ipiAttempt: number[] = [];
  readonly #ipiSeq: number[] = [];
  readonly #ipiLost: boolean[] = [];
  /** IPIs each counted IPI fault (lost-ipi, delayed-ipi) may still hit. */
  readonly #ipiFaultLeft: number[];
  readonly #trains = new Map<number, Train>();
  #nextTrain = 0;
  readonly #callbacks = new Map<number, () => void>();
  #nextCallback = 0;
  readonly #cancelledTimers = new Set<number>();
  readonly #endedAttempts = new Set<number>();

  // faults
  /** Timed faults waiting for their anchor, by anchor. */
  readonly #anchored = new Map<FaultAnchor, number[]>();
  readonly #anchorsReached = new Set<FaultAnchor>();
  /** Forced interrupts-off section to enter when the vCPU next runs a process (0: none). */
  readonly #forcedIrqOffNs: Float64Array;
  readonly #execRng: Rng[];
  /** Whether a vCPU's kernel entries are being sampled (while a routine is hot). */
  readonly #watching: Uint8Array;
  readonly #trapHits: Float64Array;
  /** Time each vCPU spent running a process (running or interrupts off), and its value when the traps went in. */
  readonly #runningNs: Float64Array;
  readonly #trapStartRunningNs: Float64Array;
  /** A vCPU whose release from WAIT has begun (it synchronises, then returns). */
  readonly #releasing: Uint8Array;

  // migration
  readonly #precopy: Precopy;
  #roundDurationNs = 0;
  #pauseStartNs = 0;
  /** Host the guest resumes on after the current pause. */
  #resumeHost = 1;
  #resumes = 0;

  constructor(scenario: Scenario, seed: number, log: EventLog) {
    this.#s = scenario;
    this.spec = scenario.protocol;
    this.#log = log;
    const g = scenario.guest;
    this.#n = g.vcpus;
    this.#p = g.processes;
    assert(this.#n >= 1 && this.#p >= 0, 'guest sizes');
    const streams = new RandomStreams(seed);
    this.#ipiRng = streams.stream('ipi');
    this.#detectRng = streams.stream('detection');
    this.#irqRng = Array.from({ length: this.#n }, (_, cpu) => streams.stream('irq', cpu));
    this.#procRng = Array.from({ length: this.#p }, (_, pid) => streams.stream('workload', pid));
    this.image = new CodeImage(g.routines, scenario.source, scenario.destination);
    this.#acct = new ThreadAccounting(this.#n, scenario.source, 0);
    this.#lastSeen = scenario.source;
    this.#precopy = new Precopy(scenario.migration);
    const n = this.#n;
    this.#state = new Int8Array(n).fill(CpuState.IDLE);
    this.#pid = new Int32Array(n).fill(-1);
    this.#gen = new Float64Array(n);
    this.#savedPause = new Int8Array(n);
    this.#savedHang = new Int8Array(n);
    this.#pendingTick = new Uint8Array(n);
    this.#pendingBlock = new Uint8Array(n);
    this.#dispatchNs = new Float64Array(n);
    this.#stateSinceNs = new Float64Array(n);
    this.#stateTotalNs = new Float64Array(n);
    this.#inIdleQueue = new Uint8Array(n);
    this.#pending = Array.from({ length: n }, () => []);
    this.#freezeStart = Array.from({ length: n }, () => []);
    this.#freezeEnd = Array.from({ length: n }, () => []);
    const p = this.#p;
    this.#pstate = new Int8Array(p);
    this.#burstLeftNs = new Float64Array(p);
    this.#burstDeadlineNs = new Float64Array(p);
    this.#truthNs = new Float64Array(p);
    this.#chargedNs = new Float64Array(p);
    this.#runq = new Int32Array(Math.max(1, p));
    this.#idleq = new Int32Array(n);
    this.#ipiFaultLeft = scenario.faults.map((f) => (f.kind === 'lost-ipi' || f.kind === 'delayed-ipi' ? f.count : 0));
    this.#forcedIrqOffNs = new Float64Array(n);
    this.#watching = new Uint8Array(n);
    this.#trapHits = new Float64Array(n);
    this.#runningNs = new Float64Array(n);
    this.#trapStartRunningNs = new Float64Array(n);
    this.#releasing = new Uint8Array(n);
    this.#execRng = Array.from({ length: n }, (_, cpu) => streams.stream('exec', cpu));
    this.#protocol = PROTOCOLS[scenario.protocol.name](this);
    this.#boot();
  }

  // ---------------------------------------------------------------- running

  /** Runs to the end of the scenario. */
  run(): void {
    this.runUntil(Infinity);
    assert(this.#ended, 'the run reached its end');
  }

  /** Processes every action with time <= `untilNs` (the state "at" that instant). */
  runUntil(untilNs: number): void {
    const item = this.#item;
    const q = this.#queue;
    while (!this.#ended && q.peekTimeNs() <= untilNs) {
      q.pop(item);
      if ((item.flags & F_WORK) !== 0 && this.#deferFrozen()) continue;
      assert(item.tNs >= this.#now, 'time never goes back');
      this.#now = item.tNs;
      this.#dispatch(item.action, item.cpu, item.arg, item.gen);
    }
  }

  /** Whether the run has reached its end. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Invariant violations recorded so far. */
  get violations(): number {
    return this.#violations;
  }

  /** The simulator's own view of its state now. */
  liveState(): LiveState {
    return {
      tNs: this.#now,
      host: this.#hostIndex,
      cpuState: Array.from(this.#state),
      cpuPid: Array.from(this.#pid),
      protocolPhase: this.#protocol.phase(),
      attempt: this.#protocol.attempt(),
      installedVariant: this.image.routines.map((_, id) => this.image.installed(id)),
      truthNs: Array.from(this.#truthNs),
      chargedNs: Array.from(this.#chargedNs),
    };
  }

  // A work action of a frozen vCPU is pushed back by the freezes that began after it was
  // scheduled (flags carry the vCPU's freeze count then), or dropped if one never ends.
  #deferFrozen(): boolean {
    const it = this.#item;
    const epoch = it.flags >> 1;
    const starts = this.#freezeStart[it.cpu] as number[];
    if (epoch >= starts.length) return false;
    const ends = this.#freezeEnd[it.cpu] as number[];
    let t = it.tNs;
    for (let f = epoch; f < starts.length; f++) {
      if (t < (starts[f] as number)) continue;
      const end = ends[f] as number;
      if (end === Infinity) return true;
      t += end - (starts[f] as number);
    }
    this.#queue.push(t, it.action, it.cpu, it.arg, it.gen, F_WORK | (starts.length << 1));
    return true;
  }

  #at(tNs: number, action: number, cpu: number, arg: number, gen: number): void {
    this.#queue.push(tNs, action, cpu, arg, gen, 0);
  }

  #work(cpu: number, delayNs: number, action: number, arg: number): void {
    const epoch = (this.#freezeStart[cpu] as number[]).length;
    // Work given to a vCPU that is frozen right now starts when every freeze on it has thawed, or never.
    const thawNs = this.#thawNs(cpu);
    if (thawNs === Infinity) return;
    this.#queue.push(Math.max(thawNs, this.#now) + delayNs, action, cpu, arg, 0, F_WORK | (epoch << 1));
  }

  // When the freezes active now on a vCPU end (now when none is active; Infinity if one never ends).
  #thawNs(cpu: number): number {
    const starts = this.#freezeStart[cpu] as number[];
    const ends = this.#freezeEnd[cpu] as number[];
    let thaw = this.#now;
    for (let f = 0; f < starts.length; f++) {
      if ((starts[f] as number) <= this.#now && (ends[f] as number) > this.#now) thaw = Math.max(thaw, ends[f] as number);
    }
    return thaw;
  }

  #after(cpu: number, delayNs: number, fn: () => void): void {
    const id = this.#nextCallback++;
    this.#callbacks.set(id, fn);
    this.#work(cpu, delayNs, A_CALLBACK, id);
  }

  #dispatch(action: number, cpu: number, arg: number, gen: number): void {
    switch (action) {
      case A_TICK: return this.#onTick(cpu);
      case A_BURST_END: return this.#onBurstEnd(cpu, gen);
      case A_WAKE: return this.#onWake(arg);
      case A_IRQOFF_BEGIN: return this.#onIrqOffBegin(cpu);
      case A_IRQOFF_END: return this.#onIrqOffEnd(cpu);
      case A_IPI_DELIVER: return this.#onIpiDeliver(arg);
      case A_HANDLER_BODY: return this.#onHandlerBody(cpu, arg);
      case A_CALLBACK: return this.#onCallback(arg);
      case A_TRAIN_NEXT: return this.#sendTrainNext(arg);
      case A_PROTO_TIMER: return this.#onProtoTimer(cpu, arg);
      case A_MIG_START: return this.#onMigStart();
      case A_MIG_ROUND_END: return this.#onMigRoundEnd(cpu, arg);
      case A_MIG_RESUME: return this.#onMigResume();
      case A_NOTIFY: return this.#raise(cpu, PEND_NOTIFY);
      case A_POLL: return this.#onPoll(cpu);
      case A_RECOVER: return this.#onRecover(cpu);
      case A_WATCHDOG: return this.#onWatchdog(cpu, arg);
      case A_FAULT: return this.#onFault(arg);
      case A_KENTRY: return this.#onKernelEntry(cpu, arg);
      case A_RUN_END: return this.#onRunEnd();
      default: assert(false, () => `unknown action ${action}`);
    }
  }

  // ---------------------------------------------------------------- boot and end

  #boot(): void {
    const s = this.#s;
    this.#emit(Ev.RUN_BEGIN, NaN, this.#n, this.#p, s.run.durationNs);
    this.#at(s.run.durationNs, A_RUN_END, 0, 0, 0);
    const periodNs = this.#tickPeriodNs();
    for (let cpu = 0; cpu < this.#n; cpu++) this.#goIdle(cpu);
    for (let cpu = 0; cpu < this.#n; cpu++) {
      // Ticks are staggered across vCPUs so that they do not all sample at the same instant.
      this.#at(Math.floor((cpu * periodNs) / this.#n) + 1, A_TICK, cpu, 0, 0);
      this.#scheduleIrqOff(cpu);
    }
    for (let pid = 0; pid < this.#p; pid++) {
      this.#burstLeftNs[pid] = this.#drawBurst(pid);
      this.#makeRunnable(pid);
    }
    if (s.migration.enabled) this.#at(s.migration.startNs, A_MIG_START, 0, 0, 0);
    const poll = s.detection.polling;
    if (poll.enabled) this.#at(poll.intervalNs, A_POLL, poll.cpu, 0, 0);
    s.faults.forEach((f, i) => {
      if (!('after' in f)) return;
      const waiting = this.#anchored.get(f.after) ?? [];
      waiting.push(i);
      this.#anchored.set(f.after, waiting);
    });
    this.#anchorReached('start');
  }

  #onRunEnd(): void {
    if (this.#anyTrap()) this.#countTrapHits(this.#initiator);
    this.#flushTrapHits();
    for (let cpu = 0; cpu < this.#n; cpu++) {
      if (this.#state[cpu] === CpuState.WAIT) {
        this.#violation(cpu, Invariant.LIVENESS, ViolationDetail.LEFT_IN_WAIT, cpu);
      }
      const totalNs = (this.#stateTotalNs[cpu] as number) + (this.#now - (this.#stateSinceNs[cpu] as number));
      if (totalNs !== this.#now) {
        this.#violation(cpu, Invariant.CONSERVATION, ViolationDetail.STATE_TIME_MISMATCH, totalNs - this.#now);
      }
    }
    this.#emit(Ev.RUN_END, NaN, this.#attempts, this.#violations, NaN);
    this.#ended = true;
  }

  #violation(cpu: number, invariant: number, detail: number, value: number): void {
    this.#violations++;
    this.#emit(Ev.VIOLATION, cpu, invariant, detail, value);
  }

  #emit(kind: number, cpu: number, a: number, b: number, c: number): number {
    return this.#log.emit(this.#now, kind, cpu, a, b, c);
  }

  #host(): HostSpec {
    return this.#hostIndex === 0 ? this.#s.source : this.#s.destination;
  }

  #tickPeriodNs(): number {
    return Math.round(1e9 / this.#s.guest.hz);
  }

  // ---------------------------------------------------------------- vCPU state

  #setState(cpu: number, next: number): void {
    const prev = this.#state[cpu] as number;
    if (prev === next) return;
    const spentNs = this.#now - (this.#stateSinceNs[cpu] as number);
    this.#stateTotalNs[cpu] = (this.#stateTotalNs[cpu] as number) + spentNs;
    if (prev === CpuState.RUNNING || prev === CpuState.IRQ_OFF) this.#runningNs[cpu] = (this.#runningNs[cpu] as number) + spentNs;
    this.#stateSinceNs[cpu] = this.#now;
    const pid = this.#pid[cpu] as number;
    this.#emit(Ev.CPU_STATE, cpu, next, prev, pid >= 0 ? pid : NaN);
    this.#state[cpu] = next;
    this.#acct.setBusy(cpu, BUSY_STATES[next] as boolean, this.#now);
  }

  #interruptible(cpu: number): boolean {
    const st = this.#state[cpu];
    return st === CpuState.RUNNING || st === CpuState.IDLE;
  }

  #processRuns(cpu: number): boolean {
    const st = this.#state[cpu];
    return st === CpuState.RUNNING || st === CpuState.IRQ_OFF;
  }

  // The process on `cpu` stops running (interrupted, paused, switched out): sample its time and
  // suspend its burst.
  #stopProcessRun(cpu: number): void {
    const pid = this.#pid[cpu] as number;
    if (!(pid >= 0 && this.#processRuns(cpu))) assert(false, `vCPU ${cpu} runs a process`);
    this.#acctSample(cpu, pid);
    this.#acct.setRunning(cpu, false, this.#now);
    if (this.#burstLeftNs[pid] !== Infinity) {
      this.#burstLeftNs[pid] = Math.max(0, (this.#burstDeadlineNs[pid] as number) - this.#now);
    }
    this.#gen[cpu] = (this.#gen[cpu] as number) + 1;
  }

  // The process on `cpu` (re)starts running: new sample interval, burst timer armed.
  #startProcessRun(cpu: number): void {
    const pid = this.#pid[cpu] as number;
    if (!(pid >= 0 && this.#processRuns(cpu))) assert(false, `vCPU ${cpu} runs a process`);
    this.#acct.setRunning(cpu, true, this.#now);
    this.#acct.resetBaseline(cpu, this.#now);
    const left = this.#burstLeftNs[pid] as number;
    if (left !== Infinity) {
      this.#burstDeadlineNs[pid] = this.#now + left;
      this.#at(this.#now + left, A_BURST_END, cpu, 0, this.#gen[cpu] as number);
    }
  }

  #acctSample(cpu: number, pid: number): void {
    const r = this.#acct.sample(cpu, this.#now);
    const chargedNs = this.image.chargeNs(r.counterDeltaTicks, r.kNow, this.#host().timebaseHz);
    const truthNs = r.truthNs;
    if (truthNs < 0 || chargedNs < 0) {
      this.#violation(cpu, Invariant.CONSERVATION, ViolationDetail.ACCOUNTING_DECREASED, Math.min(truthNs, chargedNs));
    }
    this.#truthNs[pid] = (this.#truthNs[pid] as number) + truthNs;
    this.#chargedNs[pid] = (this.#chargedNs[pid] as number) + chargedNs;
    this.#emit(Ev.ACCT, cpu, pid, truthNs, chargedNs);
    this.#executeRoutines(cpu, this.image.acctRoutineIds);
  }

  #executeRoutines(cpu: number, ids: readonly number[]): void {
    for (const id of ids) this.#executeRoutine(cpu, id);
  }

  // One execution of a routine: torn code breaks safety; a patch trap diverts it (int3-poke).
  #executeRoutine(cpu: number, id: number): void {
    const met = this.image.execute(id, cpu, this.#now);
    if (met === Hot.TORN) this.#violation(cpu, Invariant.SAFETY, ViolationDetail.TORN_EXECUTION, id);
    else if (met === Hot.TRAP) this.#trapHits[cpu] = (this.#trapHits[cpu] as number) + 1;
  }

  // Diverted executions are counted per vCPU and recorded once the traps are gone (a hot routine
  // under a trap is hit at every kernel entry: one event each would swamp the trace).
  #flushTrapHits(): void {
    for (let cpu = 0; cpu < this.#n; cpu++) {
      const hits = this.#trapHits[cpu] as number;
      if (hits === 0) continue;
      this.#emit(Ev.TRAP_HIT, cpu, hits, hits * this.spec.int3Poke.trapHandlerNs, NaN);
      this.#trapHits[cpu] = 0;
    }
  }

  // Leaves interrupt context (handler, WAIT, initiator): back to the process, or idle.
  #returnFromInterrupt(cpu: number): void {
    if ((this.#pid[cpu] as number) >= 0) {
      this.#setState(cpu, CpuState.RUNNING);
      this.#startProcessRun(cpu);
    } else {
      this.#setState(cpu, CpuState.IDLE);
      this.#goIdle(cpu);
    }
    this.#deliverPending(cpu);
  }

  // ---------------------------------------------------------------- scheduler and workload

  #drawBurst(pid: number): number {
    const g = this.#s.guest;
    return g.utilization >= 1 ? Infinity : (this.#procRng[pid] as Rng).exponentialNs(g.burstMeanNs);
  }

  #makeRunnable(pid: number): void {
    this.#pstate[pid] = 0;
    const cpu = this.#takeIdleCpu();
    if (cpu >= 0) {
      this.#switchTo(cpu, pid);
      return;
    }
    assert(this.#runqLen < this.#runq.length, 'run queue bounded by process count');
    this.#runq[(this.#runqHead + this.#runqLen) % this.#runq.length] = pid;
    this.#runqLen++;
  }

  #dequeue(): number {
    if (this.#runqLen === 0) return -1;
    const pid = this.#runq[this.#runqHead] as number;
    this.#runqHead = (this.#runqHead + 1) % this.#runq.length;
    this.#runqLen--;
    return pid;
  }

  #goIdle(cpu: number): void {
    const next = this.#dequeue();
    if (next >= 0) {
      this.#switchTo(cpu, next);
      return;
    }
    if (this.#inIdleQueue[cpu] === 1) return;
    this.#inIdleQueue[cpu] = 1;
    this.#idleq[(this.#idleqHead + this.#idleqLen) % this.#n] = cpu;
    this.#idleqLen++;
  }

  #takeIdleCpu(): number {
    // Entries of vCPUs that stopped being idle meanwhile are skipped; each vCPU is queued once.
    while (this.#idleqLen > 0) {
      const cpu = this.#idleq[this.#idleqHead] as number;
      this.#idleqHead = (this.#idleqHead + 1) % this.#n;
      this.#idleqLen--;
      this.#inIdleQueue[cpu] = 0;
      if (this.#state[cpu] === CpuState.IDLE && this.#pid[cpu] === -1) return cpu;
    }
    return -1;
  }

  // Context switch on an idle or running vCPU (the outgoing process, if any, is already sampled).
  #switchTo(cpu: number, next: number): void {
    const prev = this.#pid[cpu] as number;
    this.#emit(Ev.SCHED_SWITCH, cpu, prev >= 0 ? prev : NaN, next >= 0 ? next : NaN, NaN);
    this.#executeRoutines(cpu, this.image.switchRoutineIds);
    this.#pid[cpu] = next;
    if (next < 0) {
      this.#setState(cpu, CpuState.IDLE);
      this.#goIdle(cpu);
      return;
    }
    this.#pstate[next] = 1;
    this.#dispatchNs[cpu] = this.#now;
    if (this.#state[cpu] === CpuState.IDLE) this.#setState(cpu, CpuState.RUNNING);
    this.#startProcessRun(cpu);
  }

  #onTick(cpu: number): void {
    this.#at(this.#now + this.#tickPeriodNs(), A_TICK, cpu, 0, 0);
    const st = this.#state[cpu];
    if (st === CpuState.RUNNING) this.#tickWork(cpu);
    else if (st === CpuState.IRQ_OFF) this.#pendingTick[cpu] = 1;
  }

  #tickWork(cpu: number): void {
    const pid = this.#pid[cpu] as number;
    this.#acctSample(cpu, pid);
    const sliceOver = this.#now - (this.#dispatchNs[cpu] as number) >= this.#s.guest.timesliceNs;
    if (!sliceOver || this.#runqLen === 0) return;
    // Preemption: the tick's sample closed the interval; requeue and switch.
    this.#acct.setRunning(cpu, false, this.#now);
    this.#suspendBurst(cpu, pid);
    this.#makeRunnableQueued(pid);
    this.#switchTo(cpu, this.#dequeue());
  }

  #suspendBurst(cpu: number, pid: number): void {
    if (this.#burstLeftNs[pid] !== Infinity) {
      this.#burstLeftNs[pid] = Math.max(0, (this.#burstDeadlineNs[pid] as number) - this.#now);
    }
    this.#gen[cpu] = (this.#gen[cpu] as number) + 1;
  }

  #makeRunnableQueued(pid: number): void {
    this.#pstate[pid] = 0;
    assert(this.#runqLen < this.#runq.length, 'run queue bounded by process count');
    this.#runq[(this.#runqHead + this.#runqLen) % this.#runq.length] = pid;
    this.#runqLen++;
  }

  #onBurstEnd(cpu: number, gen: number): void {
    if (gen !== this.#gen[cpu]) return; // the process was suspended since
    if (this.#state[cpu] === CpuState.IRQ_OFF) {
      this.#pendingBlock[cpu] = 1; // a process cannot sleep with interrupts off
      return;
    }
    assert(this.#state[cpu] === CpuState.RUNNING, 'a burst ends on a running vCPU');
    this.#block(cpu);
  }

  #block(cpu: number): void {
    const pid = this.#pid[cpu] as number;
    this.#stopProcessRun(cpu);
    const g = this.#s.guest;
    const sleepMeanNs = (g.burstMeanNs * (1 - g.utilization)) / g.utilization;
    const sleepNs = (this.#procRng[pid] as Rng).exponentialNs(sleepMeanNs);
    this.#emit(Ev.PROC_SLEEP, cpu, pid, sleepNs, NaN);
    this.#pstate[pid] = 2;
    this.#at(this.#now + sleepNs, A_WAKE, 0, pid, 0);
    this.#switchTo(cpu, this.#dequeue());
  }

  #onWake(pid: number): void {
    this.#emit(Ev.PROC_WAKE, NaN, pid, NaN, NaN);
    this.#burstLeftNs[pid] = this.#drawBurst(pid);
    this.#makeRunnable(pid);
  }

  // ---------------------------------------------------------------- interrupts

  #scheduleIrqOff(cpu: number): void {
    const rate = this.#s.guest.irqOff.ratePerSec;
    if (rate <= 0) return;
    const gapNs = (this.#irqRng[cpu] as Rng).exponentialNs(1e9 / rate);
    this.#at(this.#now + gapNs, A_IRQOFF_BEGIN, cpu, 0, 0);
  }

  #onIrqOffBegin(cpu: number): void {
    const durationNs = (this.#irqRng[cpu] as Rng).latencyNs(this.#s.guest.irqOff.duration);
    this.#scheduleIrqOff(cpu);
    if (this.#state[cpu] !== CpuState.RUNNING) return; // sections happen in process context only
    this.#setState(cpu, CpuState.IRQ_OFF);
    this.#work(cpu, durationNs, A_IRQOFF_END, 0);
  }

  #onIrqOffEnd(cpu: number): void {
    assert(this.#state[cpu] === CpuState.IRQ_OFF, () => `vCPU ${cpu} ends an interrupts-off section it is not in`);
    this.#setState(cpu, CpuState.RUNNING);
    this.#deliverPending(cpu);
  }

  // An interrupt for `cpu`: taken now if it can be, else pending (in arrival order).
  #raise(cpu: number, entry: number): void {
    const pending = this.#pending[cpu] as number[];
    if (this.#interruptible(cpu) && pending.length === 0) {
      this.#enterHandler(cpu, entry);
      return;
    }
    assert(pending.length < MAX_PENDING_PER_CPU, () => `vCPU ${cpu} pending interrupts bounded`);
    pending.push(entry);
    if (this.#state[cpu] === CpuState.WAIT || this.#state[cpu] === CpuState.INITIATOR) this.#deliverPending(cpu);
  }

  #enterHandler(cpu: number, entry: number): void {
    if (entry >= 0) {
      this.#emit(Ev.IPI_HANDLE, cpu, this.#ipiSrc[entry] as number, this.#ipiMsg[entry] as number, this.#ipiSeq[entry] as number);
    }
    if (this.#state[cpu] === CpuState.RUNNING) this.#stopProcessRun(cpu);
    this.#setState(cpu, CpuState.HANDLER);
    this.#work(cpu, this.#host().latency.handlerEntryNs, A_HANDLER_BODY, entry);
  }

  #onHandlerBody(cpu: number, entry: number): void {
    assert(this.#state[cpu] === CpuState.HANDLER, () => `vCPU ${cpu} runs a handler body outside a handler`);
    if (entry >= 0) {
      this.#protocolMessage(cpu, entry);
    } else if (entry === PEND_NOTIFY) {
      this.#emit(Ev.NOTIFY, cpu, this.#hostIndex, NaN, NaN);
      this.#detect(cpu, DetectSource.NOTIFICATION);
    } else if (entry === PEND_POLL) {
      this.#emit(Ev.POLL, cpu, differenceMask(this.#lastSeen, this.#host()) !== 0 ? 1 : 0, NaN, NaN);
      this.#detect(cpu, DetectSource.POLLING);
    } else {
      this.#timerFires(cpu, PEND_TIMER_BASE - entry);
    }
    // A handler that neither waits nor drives the protocol returns.
    if (this.#state[cpu] === CpuState.HANDLER) this.#returnFromInterrupt(cpu);
  }

  // Takes pending interrupts the vCPU can take in its current state.
  #deliverPending(cpu: number): void {
    const pending = this.#pending[cpu] as number[];
    const st = this.#state[cpu];
    if (st === CpuState.WAIT || st === CpuState.INITIATOR) {
      this.#pollMailbox(cpu, pending);
      return;
    }
    if (!this.#interruptible(cpu)) return;
    if (pending.length > 0) {
      this.#enterHandler(cpu, pending.shift() as number);
      return;
    }
    if (st !== CpuState.RUNNING) return;
    if ((this.#forcedIrqOffNs[cpu] as number) > 0) {
      const durationNs = this.#forcedIrqOffNs[cpu] as number;
      this.#forcedIrqOffNs[cpu] = 0;
      this.#setState(cpu, CpuState.IRQ_OFF);
      this.#work(cpu, durationNs, A_IRQOFF_END, 0);
    } else if (this.#pendingBlock[cpu] === 1) {
      this.#pendingBlock[cpu] = 0;
      this.#block(cpu);
    } else if (this.#pendingTick[cpu] === 1) {
      this.#pendingTick[cpu] = 0;
      this.#tickWork(cpu);
    }
  }

  // A waiting target polls its mailbox (IPIs); a spinning initiator polls its timers.
  // A waiting vCPU polls its mailbox, until its release has begun.
  #polls(cpu: number): boolean {
    return this.#state[cpu] === CpuState.WAIT && this.#releasing[cpu] === 0;
  }

  #pollMailbox(cpu: number, pending: number[]): void {
    const st = this.#state[cpu];
    if (st === CpuState.WAIT && !this.#polls(cpu)) return;
    // Stop as soon as the state changes or a release begins (the rest waits for the return).
    const polling = (): boolean => this.#state[cpu] === st && (st !== CpuState.WAIT || this.#polls(cpu));
    for (let i = 0; i < pending.length && polling(); ) {
      const entry = pending[i] as number;
      const take = st === CpuState.WAIT ? entry >= 0 : entry <= PEND_TIMER_BASE || this.#isAck(entry);
      if (!take) {
        i++;
        continue;
      }
      pending.splice(i, 1);
      if (entry >= 0) this.#pollIpi(cpu, entry);
      else this.#timerFires(cpu, PEND_TIMER_BASE - entry);
    }
  }

  #isAck(entry: number): boolean {
    return entry >= 0 && this.#ipiMsg[entry] === Msg.ACK;
  }

  #pollIpi(cpu: number, ipi: number): void {
    this.#emit(Ev.IPI_HANDLE, cpu, this.#ipiSrc[ipi] as number, this.#ipiMsg[ipi] as number, this.#ipiSeq[ipi] as number);
    this.#protocolMessage(cpu, ipi);
  }

  // ACKs go to the initiator's side of the protocol, every other message to a target's.
  #protocolMessage(cpu: number, ipi: number): void {
    const msg = this.#ipiMsg[ipi] as MsgCode;
    const src = this.#ipiSrc[ipi] as number;
    const attempt = this.#ipiAttempt[ipi] as number;
    if (msg === Msg.ACK) this.#protocol.onAck(src, attempt);
    else this.#protocol.onMessage(cpu, msg, src, attempt);
  }

  // ---------------------------------------------------------------- IPIs

  #sendIpi(src: number, dst: number, msg: MsgCode, attempt: number): void {
    const seq = this.#emit(Ev.IPI_SEND, src, dst, msg, attempt);
    const ipi = this.#ipiSrc.length;
    assert(ipi < MAX_IPIS, 'IPI count bounded');
    this.#ipiSrc.push(src);
    this.#ipiDst.push(dst);
    this.#ipiMsg.push(msg);
    this.#ipiAttempt.push(attempt);
    this.#ipiSeq.push(seq);
    this.#ipiLost.push(this.#loseIpi(dst, msg));
    const lat = this.#host().latency;
    const delayNs = this.#ipiRng.latencyNs(msg === Msg.ACK ? lat.ack : lat.ipi) + this.#extraDelayNs(dst, msg);
    this.#at(this.#now + delayNs, A_IPI_DELIVER, dst, ipi, 0);
  }

  #loseIpi(dst: number, msg: number): boolean {
    if (this.#takeIpiFault('lost-ipi', dst, msg) === undefined) return false;
    this.#emit(Ev.FAULT, dst, FaultKind.LOST_IPI, msg, NaN);
    return true;
  }

  #extraDelayNs(dst: number, msg: number): number {
    const f = this.#takeIpiFault('delayed-ipi', dst, msg);
    if (f === undefined || f.kind !== 'delayed-ipi') return 0;
    this.#emit(Ev.FAULT, dst, FaultKind.DELAYED_IPI, f.extraNs, msg);
    return f.extraNs;
  }

  // The first fault of `kind` that still has IPIs to hit and matches this one uses one up.
  #takeIpiFault(kind: 'lost-ipi' | 'delayed-ipi', dst: number, msg: number): LostIpiFault | DelayedIpiFault | undefined {
    const faults = this.#s.faults;
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i];
      if (f === undefined || f.kind !== kind || (this.#ipiFaultLeft[i] as number) <= 0) continue;
      if ((f.cpu === -1 || f.cpu === dst) && Msg[f.msg] === msg) {
        this.#ipiFaultLeft[i] = (this.#ipiFaultLeft[i] as number) - 1;
        return f;
      }
    }
    return undefined;
  }

  #onIpiDeliver(ipi: number): void {
    const dst = this.#ipiDst[ipi] as number;
    const src = this.#ipiSrc[ipi] as number;
    const msg = this.#ipiMsg[ipi] as MsgCode;
    const seq = this.#ipiSeq[ipi] as number;
    // Nobody is there to take an IPI sent to an offline vCPU.
    if (this.#ipiLost[ipi] || this.#state[dst] === CpuState.OFFLINE) {
      this.#emit(Ev.IPI_LOST, dst, src, msg, seq);
      return;
    }
    this.#emit(Ev.IPI_RECV, dst, src, msg, seq);
    if (msg === Msg.ACK) {
      // The store is seen at once unless the reader is frozen or busy writing code: then when it
      // next polls (or takes it as an interrupt).
      const st = this.#state[dst];
      if (st === CpuState.HUNG || st === CpuState.PAUSED || st === CpuState.PATCHING) this.#raise(dst, ipi);
      else this.#protocol.onAck(src, this.#ipiAttempt[ipi] as number);
      return;
    }
    if (this.#polls(dst) && (this.#pending[dst] as number[]).length === 0) {
      this.#pollIpi(dst, ipi);
      return;
    }
    this.#raise(dst, ipi);
  }

  #sendTrainNext(trainId: number): void {
    const train = this.#trains.get(trainId);
    assert(train !== undefined, () => `train ${trainId}`);
    this.#sendIpi(train.src, train.dsts[train.next] as number, train.msg, train.attempt);
    train.next++;
    if (train.next < train.dsts.length) {
      this.#work(train.src, this.#host().latency.ipiSendNs, A_TRAIN_NEXT, trainId);
      return;
    }
    this.#trains.delete(trainId);
    train.then?.();
  }

  #onCallback(id: number): void {
    const fn = this.#callbacks.get(id);
    assert(fn !== undefined, () => `callback ${id}`);
    this.#callbacks.delete(id);
    fn();
  }

  // ---------------------------------------------------------------- migration

  #onMigStart(): void {
    const m = this.#s.migration;
    this.#emit(Ev.MIG_BEGIN, NaN, m.memoryBytes, m.bandwidthBytesPerSec, NaN);
    this.#startRound(this.#precopy.first());
  }

  #startRound(step: ReturnType<Precopy['first']>): void {
    if (step.kind === 'stop') {
      this.#pause(step.remainingBytes, step.downtimeNs, 1);
      return;
    }
    this.#roundDurationNs = step.durationNs;
    this.#at(this.#now + step.durationNs, A_MIG_ROUND_END, step.round, step.bytes, 0);
  }

  #onMigRoundEnd(round: number, bytes: number): void {
    let busy = 0;
    for (let cpu = 0; cpu < this.#n; cpu++) if (this.#acct.isBusy(cpu)) busy++;
    const dirty = this.#precopy.dirtiedBytes(this.#roundDurationNs, busy);
    this.#emit(Ev.MIG_ROUND, NaN, round, bytes, dirty);
    this.#startRound(this.#precopy.next(dirty));
  }

  #pause(remainingBytes: number, downtimeNs: number, toHost: number): void {
    // Every process is sampled before any thread stops: a sample taken after its siblings paused
    // would see a smaller k than the one its truth accrued with. The samples precede mig_pause,
    // so they belong to the window before it.
    for (let cpu = 0; cpu < this.#n; cpu++) {
      if (this.#processRuns(cpu)) this.#stopProcessRun(cpu);
    }
    this.#emit(Ev.MIG_PAUSE, NaN, remainingBytes, downtimeNs, NaN);
    this.#pauseStartNs = this.#now;
    this.#resumeHost = toHost;
    for (let cpu = 0; cpu < this.#n; cpu++) {
      if (this.#state[cpu] === CpuState.OFFLINE) continue;
      this.#freeze(cpu, this.#now + downtimeNs);
      this.#savedPause[cpu] = this.#state[cpu] as number;
      this.#setState(cpu, CpuState.PAUSED);
    }
    this.#at(this.#now + downtimeNs, A_MIG_RESUME, 0, downtimeNs, 0);
  }

  #freeze(cpu: number, endNs: number): void {
    (this.#freezeStart[cpu] as number[]).push(this.#now);
    (this.#freezeEnd[cpu] as number[]).push(endNs);
  }

  #onMigResume(): void {
    const downtimeNs = this.#now - this.#pauseStartNs;
    this.#hostIndex = this.#resumeHost;
    this.#acct.setHost(this.#host(), this.#now);
    this.#emit(Ev.MIG_RESUME, NaN, this.#hostIndex, downtimeNs, NaN);
    for (let cpu = 0; cpu < this.#n; cpu++) {
      if (this.#state[cpu] !== CpuState.PAUSED) continue;
      this.#setState(cpu, this.#savedPause[cpu] as number);
      if (this.#processRuns(cpu)) this.#startProcessRun(cpu);
    }
    for (let cpu = 0; cpu < this.#n; cpu++) this.#deliverPending(cpu);
    this.#resumes++;
    const note = this.#s.detection.notification;
    const lost = this.#resumes === 1 && this.#s.faults.some((f) => f.kind === 'lost-notification');
    if (note.enabled && lost) this.#emit(Ev.FAULT, note.cpu, FaultKind.LOST_NOTIFICATION, NaN, NaN);
    if (note.enabled && !lost) this.#at(this.#now + this.#detectRng.latencyNs(note.latency), A_NOTIFY, note.cpu, 0, 0);
    if (this.#resumes === 1) this.#anchorReached('resume');
  }

  // ---------------------------------------------------------------- detection

  #onPoll(cpu: number): void {
    this.#at(this.#now + this.#s.detection.polling.intervalNs, A_POLL, cpu, 0, 0);
    if ((this.#pending[cpu] as number[]).includes(PEND_POLL)) return; // one pending poll is enough
    this.#raise(cpu, PEND_POLL);
  }

  // Compares what the OS last saw with the current host; plans and starts the patches.
  #detect(cpu: number, source: number): void {
    const current = this.#host();
    const mask = differenceMask(this.#lastSeen, current);
    if (mask === 0) return;
    if (this.#protocol.active) {
      // One job at a time (a second migration while patching): look again when this one ends.
      this.#replanPending = true;
      return;
    }
    this.#lastSeen = current;
    const patches = this.#plan(mask, current);
    this.#emit(Ev.DETECT, cpu, mask, patches.length, source);
    if (patches.length === 0) return;
    this.#initiator = cpu;
    this.#protocol.start({ initiator: cpu, patches });
  }

  #plan(mask: number, host: HostSpec): PlannedPatch[] {
    const patches: PlannedPatch[] = [];
    for (const rule of this.#s.detection.rules) {
      if (!maskHas(mask, rule.when)) continue;
      const routineId = this.image.routineId(rule.routine);
      assert(routineId >= 0, () => `rule routine ${rule.routine} exists`);
      const variantId = this.image.variantFor(routineId, host);
      if (variantId === this.image.installed(routineId) || patches.some((p) => p.routineId === routineId)) continue;
      patches.push({ routineId, variantId, words: (this.image.routines[routineId] as { words: number }).words });
    }
    return patches.sort((x, y) => x.routineId - y.routineId);
  }

  // ---------------------------------------------------------------- faults

  // Timed faults whose anchor has come are scheduled `atNs` after it.
  #anchorReached(anchor: FaultAnchor): void {
    if (this.#anchorsReached.has(anchor)) return;
    this.#anchorsReached.add(anchor);
    for (const i of this.#anchored.get(anchor) ?? []) {
      const f = this.#s.faults[i] as FaultSpec & { atNs: number };
      this.#at(this.#now + f.atNs, A_FAULT, 0, i, 0);
    }
  }

  #onFault(faultIndex: number): void {
    const f = this.#s.faults[faultIndex];
    assert(f !== undefined, () => `fault ${faultIndex}`);
    switch (f.kind) {
      case 'hung-cpu': return this.#onHang(this.#victim(f.cpu), f.durationNs);
      case 'irq-off': return this.#forceIrqOff(this.#victim(f.cpu), f.durationNs);
      case 'cpu-offline': return this.#goOffline(f.cpu);
      case 'second-migration': return this.#secondMigration(f.downtimeNs);
      default: assert(false, () => `fault ${f.kind} is not timed`);
    }
  }

  // cpu -1 names the initiator (validation allows it only once an attempt has begun).
  #victim(cpu: number): number {
    const v = cpu === -1 ? this.#initiator : cpu;
    assert(v >= 0 && v < this.#n, () => `fault vCPU ${cpu}`);
    return v;
  }

  #forceIrqOff(cpu: number, durationNs: number): void {
    this.#emit(Ev.FAULT, cpu, FaultKind.IRQ_OFF, durationNs, NaN);
    this.#forcedIrqOffNs[cpu] = durationNs;
    if (this.#state[cpu] === CpuState.RUNNING) this.#deliverPending(cpu);
  }

  // The hypervisor removes the vCPU: its process moves to another, what it was doing is dropped.
  #goOffline(cpu: number): void {
    const st = this.#state[cpu];
    if (st === CpuState.OFFLINE || st === CpuState.PAUSED || cpu === this.#initiator && this.#protocol.active) {
      this.#emit(Ev.FAULT, cpu, FaultKind.REFUSED, FaultKind.CPU_OFFLINE, NaN);
      return;
    }
    this.#emit(Ev.FAULT, cpu, FaultKind.CPU_OFFLINE, NaN, NaN);
    this.#freeze(cpu, Infinity);
    if (this.#processRuns(cpu)) this.#stopProcessRun(cpu);
    const pid = this.#pid[cpu] as number;
    (this.#pending[cpu] as number[]).length = 0;
    if (pid >= 0) {
      this.#emit(Ev.SCHED_SWITCH, cpu, pid, NaN, NaN);
      this.#pid[cpu] = -1;
    }
    this.#setState(cpu, CpuState.OFFLINE);
    if (pid >= 0) this.#makeRunnable(pid);
  }

  #secondMigration(downtimeNs: number): void {
    this.#emit(Ev.FAULT, NaN, FaultKind.SECOND_MIGRATION, downtimeNs, NaN);
    if (this.#state.some((st) => st === CpuState.PAUSED)) return; // already paused: nothing to add
    this.#pause(0, downtimeNs, 1 - this.#hostIndex);
  }

  #onHang(cpu: number, durationNs: number): void {
    const st = this.#state[cpu];
    if (st === CpuState.HUNG || st === CpuState.OFFLINE || (st === CpuState.PAUSED && this.#savedPause[cpu] === CpuState.HUNG)) {
      this.#emit(Ev.FAULT, cpu, FaultKind.REFUSED, FaultKind.HUNG_CPU, NaN); // one hang at a time
      return;
    }
    const endNs = durationNs < 0 ? Infinity : this.#now + durationNs;
    this.#emit(Ev.FAULT, cpu, FaultKind.HUNG_CPU, durationNs, NaN);
    this.#freeze(cpu, endNs);
    if (endNs !== Infinity) this.#at(endNs, A_RECOVER, cpu, 0, 0);
    if (this.#state[cpu] === CpuState.PAUSED) {
      // Hangs while the guest is paused: it resumes hung.
      this.#savedHang[cpu] = this.#savedPause[cpu] as number;
      this.#savedPause[cpu] = CpuState.HUNG;
      return;
    }
    this.#savedHang[cpu] = this.#state[cpu] as number;
    if (this.#processRuns(cpu)) this.#stopProcessRun(cpu);
    this.#setState(cpu, CpuState.HUNG);
  }

  #onRecover(cpu: number): void {
    if (this.#state[cpu] === CpuState.OFFLINE) return;
    this.#emit(Ev.FAULT, cpu, FaultKind.CPU_RECOVERED, NaN, NaN);
    if (this.#state[cpu] === CpuState.PAUSED) {
      this.#savedPause[cpu] = this.#savedHang[cpu] as number; // recovers when the guest resumes
      return;
    }
    this.#setState(cpu, this.#savedHang[cpu] as number);
    if (this.#processRuns(cpu)) this.#startProcessRun(cpu);
    this.#deliverPending(cpu);
  }

  // ---------------------------------------------------------------- ProtocolContext

  nowNs(): number {
    return this.#now;
  }

  cpuState(cpu: number): number {
    return this.#state[cpu] as number;
  }

  onlineTargets(initiator: number): number[] {
    const targets: number[] = [];
    for (let cpu = 0; cpu < this.#n; cpu++) {
      if (cpu !== initiator && this.#state[cpu] !== CpuState.OFFLINE) targets.push(cpu);
    }
    return targets;
  }

  beginAttempt(initiator: number, attempt: number, targets: number): void {
    this.#attempts++;
    this.#emit(Ev.ATTEMPT_BEGIN, initiator, attempt, targets, NaN);
    this.#at(this.#now + this.spec.attemptBoundNs, A_WATCHDOG, initiator, attempt, 0);
    this.#anchorReached('attempt');
  }

  endAttempt(initiator: number, attempt: number, outcome: number): void {
    this.#endedAttempts.add(attempt);
    this.#emit(Ev.ATTEMPT_END, initiator, attempt, outcome, NaN);
  }

  #onWatchdog(cpu: number, attempt: number): void {
    if (this.#endedAttempts.has(attempt)) return;
    this.#violation(cpu, Invariant.LIVENESS, ViolationDetail.ATTEMPT_UNBOUNDED, attempt);
  }

  emit(kind: number, cpu: number, a: number, b: number, c: number): void {
    this.#emit(kind, cpu, a, b, c);
  }

  sendIpis(src: number, dsts: readonly number[], msg: MsgCode, attempt: number, then: (() => void) | null): void {
    if (dsts.length === 0) {
      then?.();
      return;
    }
    const id = this.#nextTrain++;
    this.#trains.set(id, { src, dsts, msg, attempt, then, next: 0 });
    this.#sendTrainNext(id);
  }

  setTimer(cpu: number, delayNs: number, token: number): void {
    assert(token >= 0 && Number.isInteger(delayNs) && delayNs >= 0, 'timer arguments');
    this.#at(this.#now + delayNs, A_PROTO_TIMER, cpu, token, 0);
  }

  cancelTimer(token: number): void {
    this.#cancelledTimers.add(token);
  }

  #onProtoTimer(cpu: number, token: number): void {
    if (this.#cancelledTimers.delete(token)) return;
    if (this.#state[cpu] === CpuState.INITIATOR && (this.#pending[cpu] as number[]).length === 0) {
      this.#timerFires(cpu, token); // the spinning initiator watches its own deadline
      return;
    }
    this.#raise(cpu, PEND_TIMER_BASE - token);
  }

  #timerFires(_cpu: number, token: number): void {
    if (this.#cancelledTimers.delete(token)) return;
    this.#protocol.onTimer(token);
  }

  takeOver(initiator: number): void {
    assert(this.#state[initiator] === CpuState.HANDLER, 'the initiator takes over from interrupt context');
    this.#setState(initiator, CpuState.INITIATOR);
  }

  giveBack(initiator: number): void {
    assert(this.#state[initiator] === CpuState.INITIATOR, 'the initiator gives back from the protocol');
    this.#returnFromInterrupt(initiator);
    if (this.#replanPending && !this.#protocol.active) {
      // Hardware changed again while the job ran: look again, from a poll on the initiator.
      this.#replanPending = false;
      this.#raise(initiator, PEND_POLL);
    }
  }

  enterWait(cpu: number): void {
    assert(this.#state[cpu] === CpuState.HANDLER, 'WAIT is entered from the handler');
    this.#setState(cpu, CpuState.WAIT);
    this.#deliverPending(cpu);
  }

  endHandler(cpu: number): void {
    assert(this.#state[cpu] === CpuState.HANDLER, 'endHandler in a handler');
    this.#returnFromInterrupt(cpu);
  }

  release(cpu: number): void {
    assert(this.#state[cpu] === CpuState.WAIT && this.#releasing[cpu] === 0, () => `vCPU ${cpu} released while not waiting`);
    // From here it no longer polls its mailbox: it synchronises and returns from the handler, and
    // takes what arrives meanwhile as new interrupts.
    this.#releasing[cpu] = 1;
    this.#after(cpu, this.#host().latency.syncNsPerCpu, () => {
      assert(this.#state[cpu] === CpuState.WAIT, () => `vCPU ${cpu} still waiting at release`);
      this.#releasing[cpu] = 0;
      this.#returnFromInterrupt(cpu);
    });
  }

  patch(cpu: number, patches: readonly PlannedPatch[], then: () => void): void {
    const prev = this.#state[cpu] as number;
    assert(prev === CpuState.INITIATOR || prev === CpuState.WAIT, 'the modifier drives or waits in the protocol');
    this.#setState(cpu, CpuState.PATCHING);
    if (this.#protocol.quiescing) this.#checkQuiesced(cpu);
    const step = (i: number): void => {
      const p = patches[i];
      if (p !== undefined) {
        this.#write(cpu, p, 'whole', () => step(i + 1));
        return;
      }
      this.#sync(cpu, patches, () => {
        this.#setState(cpu, prev);
        then();
        this.#deliverPending(cpu);
      });
    };
    step(0);
  }

  writeCode(cpu: number, patch: PlannedPatch, part: WritePart, then: () => void): void {
    const prev = this.#state[cpu] as number;
    assert(prev === CpuState.INITIATOR || prev === CpuState.WAIT, 'the modifier drives or waits in the protocol');
    this.#setState(cpu, CpuState.PATCHING);
    this.#write(cpu, patch, part, () => {
      this.#setState(cpu, prev);
      then();
      this.#deliverPending(cpu);
    });
  }

  syncCaches(cpu: number, patches: readonly PlannedPatch[], then: () => void): void {
    const prev = this.#state[cpu] as number;
    this.#setState(cpu, CpuState.PATCHING);
    this.#sync(cpu, patches, () => {
      this.#setState(cpu, prev);
      then();
      this.#deliverPending(cpu);
    });
  }

  after(cpu: number, delayNs: number, fn: () => void): void {
    assert(Number.isInteger(delayNs) && delayNs >= 0, () => `delay ${delayNs}`);
    this.#after(cpu, delayNs, fn);
  }

  sharedLatencyNs(): number {
    return this.#ipiRng.latencyNs(this.#host().latency.ack);
  }

  // A quiescing protocol modifies only while every other online vCPU waits (or spins in the
  // protocol as its initiator).
  #checkQuiesced(modifier: number): void {
    for (const cpu of this.onlineTargets(modifier)) {
      if (!this.#quiesced(cpu)) this.#violation(cpu, Invariant.SAFETY, ViolationDetail.MODIFY_WITHOUT_QUIESCE, cpu);
    }
  }

  // Parked: waiting, or spinning as the initiator, or frozen (hung, paused) while doing either.
  #quiesced(cpu: number): boolean {
    const parked = (st: number): boolean => st === CpuState.WAIT || st === CpuState.INITIATOR;
    const st = this.#state[cpu] as number;
    if (parked(st)) return true;
    if (st === CpuState.HUNG) return parked(this.#savedHang[cpu] as number);
    if (st === CpuState.PAUSED) {
      const saved = this.#savedPause[cpu] as number;
      return parked(saved) || (saved === CpuState.HUNG && parked(this.#savedHang[cpu] as number));
    }
    return false;
  }

  // Writes one part of a patch: `whole` and `trap` begin the modification; `whole` and `head` end
  // it (the new variant is installed). Until the sync, others meet the routine torn or trapped.
  #write(cpu: number, p: PlannedPatch, part: WritePart, then: () => void): void {
    const words = part === 'whole' ? p.words : part === 'tail' ? Math.max(0, p.words - 1) : 1;
    if (part === 'whole' || part === 'trap') {
      this.#emit(Ev.PATCH_BEGIN, cpu, p.routineId, p.variantId, p.words);
      const executing = this.image.beginModify(p.routineId, cpu, this.#now);
      if (executing >= 0) this.#violation(executing, Invariant.SAFETY, ViolationDetail.TORN_EXECUTION, p.routineId);
      if (part === 'whole') this.#makeHot(p.routineId, Hot.TORN, cpu);
    }
    this.#after(cpu, words * this.#host().latency.writeNsPerWord, () => {
      if (part === 'trap') this.#makeHot(p.routineId, Hot.TRAP, cpu);
      if (part === 'whole' || part === 'head') {
        this.image.endModify(p.routineId, p.variantId);
        this.#emit(Ev.PATCH_END, cpu, p.routineId, p.variantId, NaN);
      }
      then();
    });
  }

  #sync(cpu: number, patches: readonly PlannedPatch[], then: () => void): void {
    this.#after(cpu, this.#host().latency.syncNsPerCpu, () => {
      this.#emit(Ev.SYNC, cpu, patches.length, NaN, NaN);
      const trapped = this.#anyTrap();
      for (const p of patches) this.image.setHot(p.routineId, Hot.NONE, cpu);
      if (trapped && !this.#anyTrap()) this.#countTrapHits(cpu);
      this.#flushTrapHits();
      this.#anchorReached('sync');
      then();
    });
  }

  // A routine others may now meet torn or trapped: the vCPUs that run processes keep entering
  // the kernel (and executing the acct routines) at random, which is sampled from now until
  // nothing is hot any more.
  #makeHot(routineId: number, mode: typeof Hot.TORN | typeof Hot.TRAP, modifier: number): void {
    const acct = this.image.acctRoutineIds.includes(routineId);
    if (mode === Hot.TRAP && acct && !this.#anyTrap()) {
      for (let cpu = 0; cpu < this.#n; cpu++) this.#trapStartRunningNs[cpu] = this.#runningNowNs(cpu);
    }
    this.image.setHot(routineId, mode, modifier);
    // Under a trap only how many entries it diverted matters (counted when it goes); torn code
    // needs each entry's time, to record who executed it when.
    if (mode === Hot.TRAP || !acct || this.#s.guest.kernelEntriesPerSec <= 0) return;
    for (let cpu = 0; cpu < this.#n; cpu++) {
      if (cpu === modifier || this.#watching[cpu] === 1 || this.#state[cpu] === CpuState.OFFLINE) continue;
      this.#watching[cpu] = 1;
      this.#scheduleKernelEntry(cpu);
    }
  }

  #anyTrap(): boolean {
    return this.image.acctRoutineIds.some((id) => this.image.hot(id) === Hot.TRAP);
  }

  #runningNowNs(cpu: number): number {
    const ongoing = this.#processRuns(cpu) ? this.#now - (this.#stateSinceNs[cpu] as number) : 0;
    return (this.#runningNs[cpu] as number) + ongoing;
  }

  // The acct traps are gone: each vCPU's kernel entries (and exits) while it ran a process under
  // them were diverted; how many is a Poisson draw over that running time.
  #countTrapHits(modifier: number): void {
    const perNs = (2 * this.#s.guest.kernelEntriesPerSec) / 1e9;
    for (let cpu = 0; cpu < this.#n; cpu++) {
      if (cpu === modifier) continue;
      const ranNs = this.#runningNowNs(cpu) - (this.#trapStartRunningNs[cpu] as number);
      if (ranNs > 0 && perNs > 0) {
        this.#trapHits[cpu] = (this.#trapHits[cpu] as number) + (this.#execRng[cpu] as Rng).poisson(ranNs * perNs);
      }
    }
  }

  // Entries and exits both run the accounting: twice the entry rate.
  #scheduleKernelEntry(cpu: number): void {
    const meanNs = 1e9 / (2 * this.#s.guest.kernelEntriesPerSec);
    this.#at(this.#now + (this.#execRng[cpu] as Rng).exponentialNs(meanNs), A_KENTRY, cpu, 0, 0);
  }

  #onKernelEntry(cpu: number, _arg: number): void {
    const hot = this.image.acctRoutineIds.some((id) => this.image.hot(id) === Hot.TORN);
    if (!hot) {
      this.#watching[cpu] = 0;
      return;
    }
    if (this.#processRuns(cpu)) {
      for (const id of this.image.acctRoutineIds) if (this.image.hot(id) === Hot.TORN) this.#executeRoutine(cpu, id);
    }
    this.#scheduleKernelEntry(cpu);
  }
}
