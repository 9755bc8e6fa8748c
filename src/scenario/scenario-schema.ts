/**
 * The schema of a scenario: every field of `scenario.ts` once, with its type, bounds, unit and one
 * line of documentation. Field order here is the canonical key order of a validated scenario.
 *
 * Every numeric field has an explicit upper bound, so nothing unbounded reaches the simulator (a
 * scenario is also untrusted input: a file or a `--set`).
 */
import { PROCESSORS, PROCESSOR_NAMES } from './catalog.js';
import type {
  AbortScope, BroadcastAckParams, Characteristic, CpuOfflineFault, DelayedIpiFault, DetectionSpec, ErrorScope, FaultAnchor,
  FaultSpec, GuestSpec, HostLatency, HostSpec, HungCpuFault, Int3PokeParams, IrqOffFault, IrqOffSpec, LatencyDist,
  L1dFlushType, LostIpiFault, LostNotificationFault, MessageName, MigrationSpec, MitigationSpec, NumaSpec, PatchRule,
  ProcessorName, ProtocolName, ProtocolSpec, PurrMode, RoutineSpec, RoutineUse, RunSpec, Scenario, SecondMigrationFault,
  StealSpec, StfBarrierType, StopMachineParams, SuspendMode,
} from './scenario.js';
import { getOwn, type JsonObject } from './json-util.js';
import {
  type EnumNode, type ObjectNode, type Problem, type TextPattern, arr, bool, int, num, obj, oneOf, str, union, withDefault,
} from './schema.js';

/** Longest simulated time anything may take: one hour. */
export const MAX_NS = 3_600_000_000_000;
/** Most vCPUs a guest may have (4,096 is the Linux ppc64 default NR_CPUS; headroom above it). */
export const MAX_VCPUS = 16_384;
/** Most processes of a workload. */
export const MAX_PROCESSES = 100_000;
/** Most routines of a code image. */
export const MAX_ROUTINES = 256;
/** Most planner rules. */
export const MAX_RULES = 256;
/** Most injected faults. */
export const MAX_FAULTS = 1_024;
// A single latency or cost above a minute is a unit mistake (ms or us typed as ns), not a model.
const MAX_LATENCY_NS = 60_000_000_000;
const MAX_COST_NS = 1_000_000_000;
// 64 TiB: the memory of the largest POWER10 E1080.
const MAX_MEMORY_BYTES = 2 ** 46;
// 16 GiB: POWER's largest huge page.
const MAX_PAGE_BYTES = 2 ** 34;
// 1 TB/s: beyond any migration link.
const MAX_BYTES_PER_SEC = 1_000_000_000_000;
const MAX_INT32 = 2 ** 31 - 1;
// Names are shown on one line in tables and messages: no control characters.
const ONE_LINE: TextPattern = { regex: /^[^\p{Cc}]*$/u, says: 'one line of text (no control characters)' };
const ROUTINE_NAME: TextPattern = {
  regex: /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/,
  says: 'a dotted name of lower-case letters, digits and _ (like acct.purr_to_cputime)',
};

/** The values of a string union, listed in a record so that a missing value is a compile error. */
function valuesOf<T extends string>(all: Record<T, true>): readonly T[] {
  return Object.keys(all) as T[];
}

const CHARACTERISTICS = valuesOf<Characteristic>({
  pvr: true, purr: true, sockets: true, chips: true, cores: true, smt: true, numa_nodes: true,
  numa_generation: true, timebase_hz: true, l1d_flush: true, entry_flush: true, stf_barrier: true,
});
const L1D_FLUSH_TYPES = valuesOf<L1dFlushType>({ none: true, fallback: true, ori30: true, mttrig: true });
const STF_BARRIER_TYPES = valuesOf<StfBarrierType>({ none: true, fallback: true, eieio: true, 'hwsync-ori': true });
const ROUTINE_USES = valuesOf<RoutineUse>({ acct: true, switch: true });
const PURR_MODES = valuesOf<PurrMode>({ scaled: true, unscaled: true });
const MESSAGES = valuesOf<MessageName>({ MSG1: true, ACK: true, MSG2: true, SYNC: true, STOP: true });
/** Protocol names, in the order `--protocol` lists them. */
export const PROTOCOL_NAME_VALUES = valuesOf<ProtocolName>({
  'broadcast-ack': true, 'stop-machine': true, 'int3-poke': true, 'last-arrival': true, 'no-quiesce': true,
  'broadcast-ack-robust': true,
});
const ANCHORS = valuesOf<FaultAnchor>({ start: true, resume: true, attempt: true, sync: true });
const SCOPES = valuesOf<ErrorScope>({ 'per-cpu': true, all: true });
const SUSPEND_MODES = valuesOf<SuspendMode>({ pause: true, rendezvous: true });
const ABORT_SCOPES = valuesOf<AbortScope>({ 'per-cpu': true, all: true, none: true });

/** Whether a raw value names a catalog processor. */
export function isProcessorName(value: unknown): value is ProcessorName {
  return typeof value === 'string' && Object.hasOwn(PROCESSORS, value);
}

/** The catalog value of a host field for the raw host's processor (undefined if not yet known). */
function catalogDefault(field: 'purr' | 'timebaseHz' | 'latency' | 'idleWake' | 'mitigations'): (host: JsonObject) => unknown {
  return (host) => {
    const processor = getOwn(host, 'processor');
    return isProcessorName(processor) ? PROCESSORS[processor][field] : undefined;
  };
}

function latencyDist(doc: string): ObjectNode<LatencyDist> {
  return obj<LatencyDist>(
    `${doc} (lognormal; p99Ns == medianNs is a constant)`,
    {
      medianNs: int('median', 'ns', 0, MAX_LATENCY_NS),
      p99Ns: int('99th percentile, >= medianNs', 'ns', 0, MAX_LATENCY_NS),
    },
    // A p99 below the median has no lognormal; the RNG would silently treat it as a constant.
    (d): Problem | undefined => d.p99Ns >= d.medianNs
      ? undefined
      : { field: 'p99Ns', tail: `must be >= medianNs (${d.medianNs}), got ${d.p99Ns}` },
  );
}

const HOST_LATENCY = obj<HostLatency>('latency and cost parameters (default: the catalog)', {
  ipi: latencyDist('IPI delivery, send to doorbell'),
  ack: latencyDist('acknowledgement delivery, target to initiator'),
  ipiSendNs: int('cost on the sender of issuing one IPI', 'ns', 0, MAX_COST_NS),
  handlerEntryNs: int('interrupt entry cost before the handler runs', 'ns', 0, MAX_COST_NS),
  writeNsPerWord: int('cost of writing one instruction word', 'ns', 0, MAX_COST_NS),
  syncNsPerCpu: int('cache/instruction synchronisation cost per processor', 'ns', 0, MAX_COST_NS),
});

// A dedicated partition is never descheduled; a shared one sets a rate. When it is, PowerVM
// dispatches shared vCPUs in a 10 ms cycle, so a descheduled vCPU waits up to about that long.
const NO_STEAL: StealSpec = { ratePerSec: 0, duration: { medianNs: 2_000_000, p99Ns: 10_000_000 } };
const STEAL = obj<StealSpec>('hypervisor steal: vCPUs descheduled at random on a shared-processor partition', {
  ratePerSec: num('descheduling events per second per dispatched vCPU; 0: dedicated', 'per s', 0, 1_000_000),
  duration: latencyDist('how long one descheduling lasts'),
});

const MITIGATIONS = obj<MitigationSpec>('security-mitigation characteristics as firmware reports them (H_GET_CPU_CHARACTERISTICS; default: the catalog)', {
  l1dFlush: oneOf<L1dFlushType>('L1D flush type', L1D_FLUSH_TYPES),
  entryFlush: bool('whether the L1D is flushed on every kernel entry'),
  stfBarrier: oneOf<StfBarrierType>('store-forwarding barrier type', STF_BARRIER_TYPES),
});

function hostNode(role: string): ObjectNode<HostSpec> {
  return obj<HostSpec>(`the ${role} host`, {
    name: str('host name', 1, 64, ONE_LINE),
    processor: oneOf<ProcessorName>('processor model of the catalog', PROCESSOR_NAMES),
    sockets: int('sockets', 'count', 1, 64),
    chipsPerSocket: int('chips per socket', 'count', 1, 16),
    coresPerChip: int('cores per chip', 'count', 1, 256),
    smt: int('hardware threads per core; one of the processor\'s SMT modes', 'count', 1, 8),
    numa: obj<NumaSpec>('NUMA layout', {
      nodes: int('NUMA nodes', 'count', 1, 1_024),
      generation: int('NUMA generation count the platform reports', 'count', 0, MAX_INT32),
    }),
    purr: withDefault(
      oneOf<PurrMode | null>('PURR behaviour, null without PURR (default: the catalog)', [...PURR_MODES, null]),
      catalogDefault('purr'),
    ),
    timebaseHz: withDefault(
      int('timebase (POWER) or TSC (x86) frequency (default: the catalog)', 'Hz', 1, 100_000_000_000),
      catalogDefault('timebaseHz'),
    ),
    latency: withDefault(HOST_LATENCY, catalogDefault('latency')),
    idleWake: withDefault(
      latencyDist('wake-up of an idle vCPU (ceded and woken by H_PROD, or halted) by an interrupt (default: the catalog)'),
      catalogDefault('idleWake'),
    ),
    steal: withDefault(STEAL, () => NO_STEAL),
    mitigations: withDefault(MITIGATIONS, catalogDefault('mitigations')),
    compatMode: withDefault(
      oneOf<ProcessorName | null>('processor compatibility mode: the partition sees its PVR (the logical PVR); null: the real one', [...PROCESSOR_NAMES, null]),
      () => null,
    ),
    bigCore: withDefault(
      bool('POWER9 big-core: SMT8 cores made of two SMT4 halves, each half sharing its PURRs (needs POWER9, smt 8)'),
      () => false,
    ),
  });
}

const ROUTINE = obj<RoutineSpec>('a routine of the code image', {
  name: str('routine name, e.g. acct.purr_to_cputime', 1, 64, ROUTINE_NAME),
  words: int('size in instruction words', 'words', 1, 1_000_000),
  execNs: int('duration of one execution', 'ns', 0, MAX_COST_NS),
  usedAt: oneOf<RoutineUse>('when vCPUs execute it: every accounting sample, or every context switch', ROUTINE_USES),
  selector: oneOf<Characteristic>('host characteristic that selects the routine\'s variant', CHARACTERISTICS),
});

const GUEST = obj<GuestSpec>('the guest OS and its workload', {
  vcpus: int('virtual processors', 'count', 1, MAX_VCPUS),
  processes: int('processes of the workload', 'count', 1, MAX_PROCESSES),
  utilization: num('fraction of time each process wants the CPU; 1 is busy', 'ratio', 0, 1, true),
  burstMeanNs: int('mean CPU burst when utilization < 1', 'ns', 1, MAX_NS),
  timesliceNs: int('scheduler timeslice', 'ns', 1, MAX_NS),
  hz: int('timer tick frequency', 'Hz', 1, 10_000),
  irqOff: obj<IrqOffSpec>('interrupt-disabled sections entered at random by each vCPU', {
    ratePerSec: num('sections entered per second per vCPU', 'per s', 0, 1_000_000),
    duration: latencyDist('duration of one section'),
  }),
  // 100,000/s: a busy server's system calls and interrupts; each entry and exit runs the native
  // vtime accounting routine. Drawn only while another vCPU rewrites a routine.
  kernelEntriesPerSec: withDefault(
    num('kernel entries (system calls, interrupts) per second of a running vCPU; each runs the acct routines', 'per s', 0, 10_000_000),
    () => 100_000,
  ),
  routines: arr<RoutineSpec>('routines of the code image', ROUTINE, MAX_ROUTINES, 'name'),
});

const MIGRATION = obj<MigrationSpec>('pre-copy live migration', {
  enabled: bool('whether the guest migrates at all'),
  startNs: int('when the migration starts; < run.durationNs', 'ns', 0, MAX_NS),
  memoryBytes: int('guest memory', 'bytes', 1, MAX_MEMORY_BYTES),
  pageBytes: int('page size, a power of two', 'bytes', 1, MAX_PAGE_BYTES, {
    refine: (v) => Number.isInteger(Math.log2(v)) ? undefined : `must be a power of two, got ${v}`,
  }),
  bandwidthBytesPerSec: int('migration link bandwidth', 'bytes/s', 1, MAX_BYTES_PER_SEC),
  dirtyBytesPerSecPerVcpu: int('memory dirtied per second by a busy vCPU', 'bytes/s', 0, MAX_BYTES_PER_SEC),
  workingSetFraction: num('dirtying is capped by this fraction of memory', 'ratio', 0, 1, true),
  maxDowntimeNs: int('downtime target that ends the pre-copy rounds', 'ns', 0, MAX_NS),
  maxRounds: int('most pre-copy rounds before stop-and-copy', 'count', 1, 1_000),
  switchoverNs: int('fixed switch-over cost on top of sending the remainder', 'ns', 0, MAX_NS),
  suspend: withDefault(
    oneOf<SuspendMode>('how the guest is stopped: paused at once, or a guest rendezvous (pseries H_JOIN) that applies the fix-ups before release', SUSPEND_MODES),
    () => 'pause',
  ),
  // Linux's stop_machine waits for good; the bound stands for the platform giving the suspend up.
  joinTimeoutNs: withDefault(
    int('rendezvous: how long one join attempt waits for every vCPU before it fails', 'ns', 1, MAX_NS),
    () => 10_000_000,
  ),
});

const CPU_INDEX = (doc: string) => int(doc, 'index', 0, MAX_VCPUS - 1);

const DETECTION = obj<DetectionSpec>('how the guest learns of the migration', {
  notification: obj<DetectionSpec['notification']>('hypervisor migration notification', {
    enabled: bool('whether the hypervisor posts a notification'),
    latency: latencyDist('resume to notification delivery'),
    cpu: CPU_INDEX('vCPU the notification is posted to; < guest.vcpus'),
  }),
  polling: obj<DetectionSpec['polling']>('polling of the hardware characteristics', {
    enabled: bool('whether the OS polls'),
    intervalNs: int('polling interval', 'ns', 1, MAX_NS),
    cpu: CPU_INDEX('vCPU whose timer polls; < guest.vcpus'),
  }),
  rules: arr<PatchRule>('planner rules: a difference in `when` re-patches `routine`', obj<PatchRule>('a rule', {
    when: oneOf<Characteristic>('characteristic whose change triggers the rule', CHARACTERISTICS),
    routine: str('routine to re-patch; a name in guest.routines', 1, 64, ROUTINE_NAME),
  }), MAX_RULES),
});

const BROADCAST_ACK = obj<BroadcastAckParams>('parameters of broadcast-ack and broadcast-ack-robust', {
  ackTimeoutNs: int('wait for all ACKs before resending MSG1', 'ns', 1, MAX_NS),
  resendLimit: int('MSG1 resends before the attempt aborts', 'count', 0, 100),
  retryLimit: int('attempts after the first one before giving up', 'count', 0, 100),
  backoffNs: int('backoff before the first retry', 'ns', 0, MAX_NS),
  backoffFactor: int('backoff before retry r is backoffNs x backoffFactor^(r-1)', 'count', 1, 100),
  resendScope: oneOf<ErrorScope>('resend MSG1 to the non-ackers only, or to the whole set', SCOPES),
  abortScope: oneOf<AbortScope>('on abort, MSG2 to the ackers only, to the whole set, or to nobody (none: the patent\'s literal abort)', ABORT_SCOPES),
});

// Linux: the woken stopper (SCHED_FIFO, highest class) preempts at the next scheduling point; a
// few microseconds of wake-up and context switch on a guest.
// Each barrier acknowledgement is an atomic on one shared cache line: Rusty Russell (2008) measured
// ~100 us of stop_machine latency on an 18-way POWER4 against ~35 us without, ~65 us over 4 x 18
// acknowledgements: ~0.9 us each.
const ACK_NS_PER_CPU = 900;
const STOP_MACHINE = withDefault(obj<StopMachineParams>('parameters of stop-machine and last-arrival', {
  wakeSchedNs: int('scheduling latency of the woken stopper thread after its wake-up IPI is taken', 'ns', 0, MAX_COST_NS),
  ackNsPerCpu: withDefault(
    int('cost of one barrier acknowledgement (an atomic on the shared counter\'s cache line); a barrier of N vCPUs costs N of them', 'ns', 0, MAX_COST_NS),
    () => ACK_NS_PER_CPU,
  ),
}), () => ({ wakeSchedNs: 3_000, ackNsPerCpu: ACK_NS_PER_CPU }));

// An int3 exception, the emulation of the patched instruction and the return: ~1-2 us.
const INT3_POKE = withDefault(obj<Int3PokeParams>('parameters of int3-poke', {
  trapHandlerNs: int('cost of one execution diverted by the trap', 'ns', 0, MAX_COST_NS),
}), () => ({ trapHandlerNs: 1_500 }));

const PROTOCOL = obj<ProtocolSpec>('the patch protocol', {
  name: oneOf<ProtocolName>('protocol name', PROTOCOL_NAME_VALUES),
  attemptBoundNs: int('liveness bound on one attempt', 'ns', 1, MAX_NS),
  broadcastAck: BROADCAST_ACK,
  stopMachine: STOP_MACHINE,
  int3Poke: INT3_POKE,
});

const anchor = () => withDefault(
  oneOf<FaultAnchor>('what atNs counts from: start, resume (on the destination), attempt (the first) or sync (end of the first patch)', ANCHORS),
  () => 'start',
);
const faultAt = () => int('when, counted from `after`; < run.durationNs', 'ns', 0, MAX_NS);
const victim = (doc: string) => int(`${doc}, -1 for the initiator (after attempt or sync); < guest.vcpus`, 'index', -1, MAX_VCPUS - 1);
const positiveNs = (doc: string) => int(doc, 'ns', 1, MAX_NS);

function kindTag<K extends string>(kind: K): EnumNode<K> {
  return oneOf<K>(`fault kind "${kind}"`, [kind]);
}

const FAULT = union<FaultSpec>('a fault injected into the run', {
  'lost-ipi': obj<LostIpiFault>('IPIs that the fabric loses', {
    kind: kindTag('lost-ipi'),
    cpu: int('destination vCPU, -1 for any; < guest.vcpus', 'index', -1, MAX_VCPUS - 1),
    msg: oneOf<MessageName>('message type lost', MESSAGES),
    count: int('how many matching IPIs are lost (the first ones)', 'count', 1, 1_000_000),
  }),
  'hung-cpu': obj<HungCpuFault>('a vCPU that stops responding (interrupts disabled)', {
    kind: kindTag('hung-cpu'),
    cpu: victim('the vCPU'),
    after: anchor(),
    atNs: faultAt(),
    durationNs: int('how long, -1 for forever', 'ns', -1, MAX_NS, {
      refine: (v) => v === 0 ? 'must be -1 (forever) or > 0, got 0' : undefined,
    }),
  }),
  'delayed-ipi': obj<DelayedIpiFault>('IPIs delivered late (a long tail)', {
    kind: kindTag('delayed-ipi'),
    cpu: int('destination vCPU, -1 for any; < guest.vcpus', 'index', -1, MAX_VCPUS - 1),
    msg: oneOf<MessageName>('message type delayed', MESSAGES),
    count: int('how many matching IPIs are delayed (the first ones)', 'count', 1, 1_000_000),
    extraNs: positiveNs('delay added to each'),
  }),
  'irq-off': obj<IrqOffFault>('a long interrupts-off section', {
    kind: kindTag('irq-off'),
    cpu: victim('the vCPU'),
    after: anchor(),
    atNs: faultAt(),
    durationNs: positiveNs('length of the section'),
  }),
  'cpu-offline': obj<CpuOfflineFault>('a vCPU taken offline', {
    kind: kindTag('cpu-offline'),
    cpu: CPU_INDEX('the vCPU; < guest.vcpus'),
    after: anchor(),
    atNs: faultAt(),
  }),
  'second-migration': obj<SecondMigrationFault>('the stop-and-copy of a second migration, back to the other host', {
    kind: kindTag('second-migration'),
    after: anchor(),
    atNs: faultAt(),
    downtimeNs: positiveNs('pause of the stop-and-copy'),
  }),
  'lost-notification': obj<LostNotificationFault>('the hypervisor migration notification is lost', {
    kind: kindTag('lost-notification'),
  }),
});

const RUN = obj<RunSpec>('the run', {
  durationNs: int('simulated time of the whole run', 'ns', 1, MAX_NS),
  expectViolations: bool('the run is expected to violate invariants (unsafe baselines)'),
});

/** The schema of a whole scenario. */
export const SCENARIO_SCHEMA: ObjectNode<Scenario> = obj<Scenario>('a scenario', {
  name: str('scenario name', 1, 100, ONE_LINE),
  description: str('one line saying what the scenario shows', 0, 300, ONE_LINE),
  run: RUN,
  source: hostNode('source'),
  destination: hostNode('destination'),
  guest: GUEST,
  migration: MIGRATION,
  detection: DETECTION,
  protocol: PROTOCOL,
  faults: arr<FaultSpec>('faults injected into the run', FAULT, MAX_FAULTS),
});
