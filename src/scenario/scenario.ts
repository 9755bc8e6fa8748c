/**
 * The resolved scenario: every field present, every value validated. This is what the simulator
 * consumes and what `runs.scenario` stores as JSON, so a recorded run can be re-simulated from it
 * alone. Scenario files may omit fields (see `load-scenario.ts`); they are filled before this point.
 *
 * Units are part of every numeric field's name (`Ns`, `Bytes`, `PerSec`, `Hz`).
 */

/** Processor models of the hardware catalog (`src/scenario/catalog.ts`). */
export type ProcessorName = 'POWER8' | 'POWER9' | 'POWER10' | 'x86-icelake' | 'x86-sapphirerapids';

/** How a processor's PURR advances for a busy thread (docs/model.md, "Hardware"). */
export type PurrMode = 'scaled' | 'unscaled';

/** A latency distribution (defined beside the random streams that draw it). */
export type { LatencyDist } from '../core/rng.js';
import type { LatencyDist } from '../core/rng.js';

/** Latency and cost parameters of a host (docs/model.md, "Hardware"). */
export interface HostLatency {
  /** IPI delivery, sender's send → target's doorbell. */
  readonly ipi: LatencyDist;
  /** Acknowledgement delivery, target → initiator (a store the spinning initiator sees). */
  readonly ack: LatencyDist;
  /** Cost on the sender of issuing one IPI (sends to many targets are sequential). */
  readonly ipiSendNs: number;
  /** Interrupt entry cost before a handler's first instruction. */
  readonly handlerEntryNs: number;
  /** Cost of writing one instruction word of a routine. */
  readonly writeNsPerWord: number;
  /** Cache/instruction synchronisation cost on one processor (flush + isync). */
  readonly syncNsPerCpu: number;
}

/** A NUMA layout: node count and the generation count the platform reports. */
export interface NumaSpec {
  readonly nodes: number;
  readonly generation: number;
}

/**
 * L1D flush type firmware reports in `H_GET_CPU_CHARACTERISTICS` (Linux `enum l1d_flush_type`):
 * none needed, the software displacement fallback, `ori 30,30,0`, or `mtspr TRIG2`.
 */
export type L1dFlushType = 'none' | 'fallback' | 'ori30' | 'mttrig';

/** Store-forwarding barrier type (Linux `enum stf_barrier_type`): none, fallback, `eieio`, `hwsync; ori`. */
export type StfBarrierType = 'none' | 'fallback' | 'eieio' | 'hwsync-ori';

/** Security-mitigation characteristics as firmware reports them (not derived from the PVR). */
export interface MitigationSpec {
  readonly l1dFlush: L1dFlushType;
  /** Whether the L1D is flushed on every kernel entry (the entry flush). */
  readonly entryFlush: boolean;
  readonly stfBarrier: StfBarrierType;
}

/** Hypervisor steal on a shared-processor partition: vCPUs descheduled at random. */
export interface StealSpec {
  /** Descheduling events per second per dispatched vCPU (0: a dedicated partition). */
  readonly ratePerSec: number;
  /** How long one descheduling lasts. */
  readonly duration: LatencyDist;
}

/** One host of the scenario. */
export interface HostSpec {
  readonly name: string;
  readonly processor: ProcessorName;
  readonly sockets: number;
  readonly chipsPerSocket: number;
  readonly coresPerChip: number;
  /** Hardware threads per core in the SMT mode the partition runs in. */
  readonly smt: number;
  readonly numa: NumaSpec;
  /** PURR behaviour; defaults to the processor's catalog value (null for x86). */
  readonly purr: PurrMode | null;
  /** Timebase (POWER) or TSC (x86) frequency in Hz. */
  readonly timebaseHz: number;
  readonly latency: HostLatency;
  /** Wake-up of an idle vCPU (ceded and woken by `H_PROD`, or halted) by an interrupt. */
  readonly idleWake: LatencyDist;
  readonly steal: StealSpec;
  readonly mitigations: MitigationSpec;
  /**
   * Processor compatibility mode: the partition sees this processor's PVR (the logical PVR), null
   * for the real one.
   */
  readonly compatMode: ProcessorName | null;
  /**
   * POWER9 big-core: each SMT8 core is two SMT4 halves, and a PURR is shared by the busy threads
   * of its half only.
   */
  readonly bigCore: boolean;
}

/** Where the OS uses a routine, i.e. when a vCPU executes it. */
export type RoutineUse = 'acct' | 'switch';

/** The host characteristic that selects a routine's variant. */
export type Characteristic =
  | 'pvr'
  | 'purr'
  | 'sockets'
  | 'chips'
  | 'cores'
  | 'smt'
  | 'numa_nodes'
  | 'numa_generation'
  | 'timebase_hz'
  | 'l1d_flush'
  | 'entry_flush'
  | 'stf_barrier';

/** A routine of the guest's code image (docs/model.md, "Guest"). Its variant is chosen by `selector`. */
export interface RoutineSpec {
  readonly name: string;
  /** Size in instruction words: the patch rewrites them one by one. */
  readonly words: number;
  /** How long one execution of the routine takes. */
  readonly execNs: number;
  /** When vCPUs execute it: at every accounting sample, or at every context switch. */
  readonly usedAt: RoutineUse;
  /** Host characteristic whose value names the variant the routine should have. */
  readonly selector: Characteristic;
}

/** A rule of the planner: a difference in `when` calls for re-patching `routine`. */
export interface PatchRule {
  readonly when: Characteristic;
  readonly routine: string;
}

/** Interrupt-disabled sections entered at random by each vCPU. */
export interface IrqOffSpec {
  readonly ratePerSec: number;
  readonly duration: LatencyDist;
}

/** The guest OS and its workload (docs/model.md, "Guest"). */
export interface GuestSpec {
  readonly vcpus: number;
  readonly processes: number;
  /** Fraction of time each process wants the CPU; 1 means always runnable ("busy"). */
  readonly utilization: number;
  /** Mean CPU burst when utilization < 1 (exponential). */
  readonly burstMeanNs: number;
  readonly timesliceNs: number;
  /** Timer tick frequency. */
  readonly hz: number;
  readonly irqOff: IrqOffSpec;
  /**
   * Kernel entries (and exits) per second of a running vCPU: system calls, interrupts, faults. Each
   * runs the `acct` routines (native vtime accounting does). Only drawn while another vCPU rewrites
   * a routine, to find who executes it meanwhile; quiescing protocols never draw them.
   */
  readonly kernelEntriesPerSec: number;
  readonly routines: readonly RoutineSpec[];
}

/**
 * How the guest is stopped for the stop-and-copy: paused by the hypervisor at once (`pause`, the
 * default), or, as pseries does it, by a guest rendezvous (`rendezvous`: every vCPU joins with
 * `H_JOIN` inside stop_machine, the last one suspends the partition, the fix-ups are applied
 * before the others are released; up to 5 attempts, 1/10/100/1,000 ms apart, then abandoned).
 */
export type SuspendMode = 'pause' | 'rendezvous';

/** Pre-copy live migration (docs/model.md, "Live migration"). */
export interface MigrationSpec {
  readonly enabled: boolean;
  readonly startNs: number;
  readonly memoryBytes: number;
  readonly pageBytes: number;
  readonly bandwidthBytesPerSec: number;
  readonly dirtyBytesPerSecPerVcpu: number;
  /** Dirtying is capped by this fraction of memory (SimGrid: 0.9). */
  readonly workingSetFraction: number;
  readonly maxDowntimeNs: number;
  readonly maxRounds: number;
  /** Fixed cost of the switch-over on top of sending the remainder. */
  readonly switchoverNs: number;
  /** How the guest is stopped for the stop-and-copy. */
  readonly suspend: SuspendMode;
  /** `rendezvous`: how long one join attempt waits for every vCPU before it fails. */
  readonly joinTimeoutNs: number;
}

/** How the guest learns of the migration (docs/model.md, "Detection and planning"). */
export interface DetectionSpec {
  readonly notification: {
    readonly enabled: boolean;
    readonly latency: LatencyDist;
    /** vCPU the hypervisor posts the notification to. */
    readonly cpu: number;
  };
  readonly polling: {
    readonly enabled: boolean;
    readonly intervalNs: number;
    /** vCPU whose timer polls the hardware characteristics. */
    readonly cpu: number;
  };
  readonly rules: readonly PatchRule[];
}

/** Scope of the seed's error handling (FIG. 5): the failing processors only, or the whole set. */
export type ErrorScope = 'per-cpu' | 'all';

/**
 * Scope of the seed's abort (FIG. 5): MSG2 to the ackers only, to the whole set, or to nobody
 * (`none`: the patent's literal "abort without sending message 524"; the ackers stay in WAIT).
 */
export type AbortScope = ErrorScope | 'none';

/** Parameters of the seed's broadcast / acknowledge / wait protocol. */
export interface BroadcastAckParams {
  readonly ackTimeoutNs: number;
  /** MSG1 resends before the attempt aborts. */
  readonly resendLimit: number;
  /** Attempts after the first one before giving up. */
  readonly retryLimit: number;
  /** Backoff before retry r (1-based) is backoffNs × backoffFactor^(r-1). */
  readonly backoffNs: number;
  readonly backoffFactor: number;
  /** Resend MSG1 to the non-ackers only, or to the whole set. */
  readonly resendScope: ErrorScope;
  /** On abort, send MSG2 to the ackers only, to the whole set, or to nobody. */
  readonly abortScope: AbortScope;
}

/**
 * Parameters of the stop_machine-based protocols (`stop-machine`, `last-arrival`): the stopper
 * thread is woken by an IPI and must then be scheduled, preempting whatever the vCPU runs.
 */
export interface StopMachineParams {
  /** Scheduling latency of the woken stopper thread, after the wake-up IPI is taken. */
  readonly wakeSchedNs: number;
  /**
   * Cost of one acknowledgement of a MULTI_STOP barrier: an atomic decrement of the shared counter,
   * whose cache line every vCPU takes in turn, so a barrier of N vCPUs costs at least N of these.
   */
  readonly ackNsPerCpu: number;
}

/** Parameters of `int3-poke` (x86 text_poke_bp). */
export interface Int3PokeParams {
  /** Cost of one execution diverted by the trap (exception entry, emulation, return). */
  readonly trapHandlerNs: number;
}

/** Names of the patch protocols. */
export type ProtocolName =
  | 'broadcast-ack' | 'stop-machine' | 'int3-poke' | 'last-arrival' | 'no-quiesce' | 'broadcast-ack-robust';

/** The protocol selection and every protocol's parameters. */
export interface ProtocolSpec {
  readonly name: ProtocolName;
  /** Liveness bound: an attempt that has not ended this long after it began is a violation. */
  readonly attemptBoundNs: number;
  readonly broadcastAck: BroadcastAckParams;
  readonly stopMachine: StopMachineParams;
  readonly int3Poke: Int3PokeParams;
}

/** IPI message types: the seed's MSG1/ACK/MSG2, a core-sync IPI and a stopper wake-up. */
export type MessageName = 'MSG1' | 'ACK' | 'MSG2' | 'SYNC' | 'STOP';

/**
 * What a timed fault's `atNs` counts from: the start of the run, the (first) resume on the
 * destination, the first protocol attempt, or the end of the first patch's synchronisation.
 */
export type FaultAnchor = 'start' | 'resume' | 'attempt' | 'sync';

/** An IPI that the fabric loses. `cpu` is the destination vCPU, -1 for any. */
export interface LostIpiFault {
  readonly kind: 'lost-ipi';
  readonly cpu: number;
  readonly msg: MessageName;
  /** How many matching IPIs are lost (the first ones). */
  readonly count: number;
}

/** IPIs delivered late: the first `count` matching ones take `extraNs` more (a long tail). */
export interface DelayedIpiFault {
  readonly kind: 'delayed-ipi';
  readonly cpu: number;
  readonly msg: MessageName;
  readonly count: number;
  readonly extraNs: number;
}

/**
 * A vCPU that stops responding (stuck with interrupts disabled) `atNs` after `after`, for
 * `durationNs` or forever (-1). `cpu` -1 is the protocol's initiator (anchors attempt or sync):
 * at `sync` it models the initiator preempted before it sends MSG2.
 */
export interface HungCpuFault {
  readonly kind: 'hung-cpu';
  readonly cpu: number;
  readonly after: FaultAnchor;
  readonly atNs: number;
  readonly durationNs: number;
}

/** A long interrupts-off section on a vCPU (-1: the initiator), entered when it next runs a process. */
export interface IrqOffFault {
  readonly kind: 'irq-off';
  readonly cpu: number;
  readonly after: FaultAnchor;
  readonly atNs: number;
  readonly durationNs: number;
}

/** A vCPU taken offline (hot-unplugged by the hypervisor); its process moves elsewhere. */
export interface CpuOfflineFault {
  readonly kind: 'cpu-offline';
  readonly cpu: number;
  readonly after: FaultAnchor;
  readonly atNs: number;
}

/**
 * A second migration: the stop-and-copy of a migration back to the other host, whose pre-copy
 * ran unseen. The guest pauses `atNs` after `after` for `downtimeNs` and resumes on the other host.
 */
export interface SecondMigrationFault {
  readonly kind: 'second-migration';
  readonly after: FaultAnchor;
  readonly atNs: number;
  readonly downtimeNs: number;
}

/** The hypervisor's migration notification is lost: only polling can detect the change. */
export interface LostNotificationFault {
  readonly kind: 'lost-notification';
}

/** A fault injected by the scenario. */
export type FaultSpec =
  | LostIpiFault | DelayedIpiFault | HungCpuFault | IrqOffFault | CpuOfflineFault | SecondMigrationFault
  | LostNotificationFault;

/** The run's length and what its outcome is expected to be. */
export interface RunSpec {
  /** Simulated time of the whole run. */
  readonly durationNs: number;
  /** The run is expected to violate invariants (unsafe baselines); `record` then exits 0. */
  readonly expectViolations: boolean;
}

/** A complete, validated scenario. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly run: RunSpec;
  readonly source: HostSpec;
  readonly destination: HostSpec;
  readonly guest: GuestSpec;
  readonly migration: MigrationSpec;
  readonly detection: DetectionSpec;
  readonly protocol: ProtocolSpec;
  readonly faults: readonly FaultSpec[];
}
