/**
 * The resolved scenario: every field present, every value validated. This is what the simulator
 * consumes and what `runs.scenario` stores as JSON, so a recorded run can be re-simulated from it
 * alone. Scenario files may omit fields (see `load-scenario.ts`); they are filled before this point.
 *
 * Units are part of every numeric field's name (`Ns`, `Bytes`, `PerSec`, `Hz`).
 */

/** Processor models of the hardware catalog (`src/model/catalog.ts`). */
export type ProcessorName = 'POWER8' | 'POWER9' | 'POWER10' | 'x86-icelake' | 'x86-sapphirerapids';

/** How a processor's PURR advances for a busy thread (DESIGN.md 4). */
export type PurrMode = 'scaled' | 'unscaled';

/**
 * A latency distribution. Lognormal given by its median and 99th percentile, as latency
 * measurements are usually reported; `p99Ns == medianNs` makes it a constant.
 */
export interface LatencyDist {
  readonly medianNs: number;
  readonly p99Ns: number;
}

/** Latency and cost parameters of a host (DESIGN.md 4). */
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
  | 'timebase_hz';

/** A routine of the guest's code image (DESIGN.md 5). Its variant is chosen by `selector`. */
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

/** The guest OS and its workload (DESIGN.md 5). */
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
  readonly routines: readonly RoutineSpec[];
}

/** Pre-copy live migration (DESIGN.md 7). */
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
}

/** How the guest learns of the migration (DESIGN.md 8). */
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
  /** On abort, send MSG2 to the ackers only, or to the whole set. */
  readonly abortScope: ErrorScope;
}

/** Names of the patch protocols. */
export type ProtocolName = 'broadcast-ack';

/** The protocol selection and every protocol's parameters. */
export interface ProtocolSpec {
  readonly name: ProtocolName;
  /** Liveness bound: an attempt that has not ended this long after it began is a violation. */
  readonly attemptBoundNs: number;
  readonly broadcastAck: BroadcastAckParams;
}

/** IPI message types. */
export type MessageName = 'MSG1' | 'ACK' | 'MSG2';

/** An IPI that the fabric loses. `cpu` is the destination vCPU, -1 for any. */
export interface LostIpiFault {
  readonly kind: 'lost-ipi';
  readonly cpu: number;
  readonly msg: MessageName;
  /** How many matching IPIs are lost (the first ones). */
  readonly count: number;
}

/** A vCPU that stops responding (interrupts disabled) at `atNs` for `durationNs`, or forever (-1). */
export interface HungCpuFault {
  readonly kind: 'hung-cpu';
  readonly cpu: number;
  readonly atNs: number;
  readonly durationNs: number;
}

/** A fault injected by the scenario. */
export type FaultSpec = LostIpiFault | HungCpuFault;

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
