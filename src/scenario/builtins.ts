/**
 * The built-in scenarios (README, "migpatch scenarios"; their values and sources: docs/model.md,
 * "Defaults and their sources"), built from shared pieces: a base guest per family, one
 * base migration, detection and protocol, and a host maker that takes its defaults from the
 * catalog. Each scenario states only how it differs.
 */
import { InternalError } from '../core/errors.js';
import { processorInfo } from './catalog.js';
import type {
  DetectionSpec, FaultSpec, GuestSpec, HostSpec, MigrationSpec, NumaSpec, PatchRule, ProcessorName,
  ProtocolSpec, RoutineSpec, RunSpec, Scenario, StealSpec,
} from './scenario.js';
import { validateScenario } from './validate.js';

const MiB = 1_048_576;
const GiB = 1_073_741_824;

const PURR_TO_CPUTIME: RoutineSpec = {
  name: 'acct.purr_to_cputime', words: 48, execNs: 150, usedAt: 'acct', selector: 'purr',
};
const TSC_TO_NS: RoutineSpec = {
  name: 'time.tsc_to_ns', words: 24, execNs: 60, usedAt: 'acct', selector: 'timebase_hz',
};
const FEATURE_FIXUPS: RoutineSpec = {
  name: 'cpu.feature_fixups', words: 64, execNs: 50, usedAt: 'switch', selector: 'pvr',
};
const NUMA_DISTANCE_TABLE: RoutineSpec = {
  name: 'numa.distance_table', words: 32, execNs: 80, usedAt: 'switch', selector: 'numa_generation',
};
// The security-mitigation code of every kernel entry and exit (Linux powerpc entry_flush and
// stf_barrier fixup sites), re-patched by pseries after a migration with the flush types firmware
// reports. Used at every kernel entry and exit, as the acct routines are.
const ENTRY_FLUSH: RoutineSpec = {
  name: 'sec.entry_flush', words: 32, execNs: 40, usedAt: 'acct', selector: 'entry_flush',
};
const STF_BARRIER: RoutineSpec = {
  name: 'sec.stf_barrier', words: 16, execNs: 20, usedAt: 'acct', selector: 'stf_barrier',
};

/** 16 busy vCPUs: on SMT4 hosts, four full cores, so every PURR is shared four ways. */
const POWER_GUEST: GuestSpec = {
  vcpus: 16,
  processes: 32,
  utilization: 1,
  burstMeanNs: 5_000_000,
  timesliceNs: 4_000_000,
  hz: 100,
  irqOff: { ratePerSec: 50, duration: { medianNs: 20_000, p99Ns: 200_000 } },
  kernelEntriesPerSec: 100_000,
  routines: [PURR_TO_CPUTIME, FEATURE_FIXUPS, NUMA_DISTANCE_TABLE],
};

/** The same workload on x86, where the TSC conversion replaces the PURR accounting. */
const X86_GUEST: GuestSpec = { ...POWER_GUEST, routines: [TSC_TO_NS, FEATURE_FIXUPS, NUMA_DISTANCE_TABLE] };

// SimGrid's 30 ms downtime target and 90 % working set; 10 Gb/s link; 64 KiB pages as on POWER.
const MIGRATION: MigrationSpec = {
  enabled: true,
  startNs: 100_000_000,
  memoryBytes: GiB,
  pageBytes: 65_536,
  bandwidthBytesPerSec: 1_250_000_000,
  dirtyBytesPerSecPerVcpu: 16 * MiB,
  workingSetFraction: 0.9,
  maxDowntimeNs: 30_000_000,
  maxRounds: 30,
  switchoverNs: 2_000_000,
  suspend: 'pause',
  joinTimeoutNs: 10_000_000,
};

const NUMA_RULES: readonly PatchRule[] = [
  { when: 'numa_generation', routine: NUMA_DISTANCE_TABLE.name },
  { when: 'numa_nodes', routine: NUMA_DISTANCE_TABLE.name },
];
const POWER_RULES: readonly PatchRule[] = [
  { when: 'purr', routine: PURR_TO_CPUTIME.name },
  { when: 'pvr', routine: FEATURE_FIXUPS.name },
  ...NUMA_RULES,
];
const X86_RULES: readonly PatchRule[] = [
  { when: 'timebase_hz', routine: TSC_TO_NS.name },
  { when: 'pvr', routine: FEATURE_FIXUPS.name },
  ...NUMA_RULES,
];

const MITIGATION_RULES: readonly PatchRule[] = [
  { when: 'entry_flush', routine: ENTRY_FLUSH.name },
  { when: 'stf_barrier', routine: STF_BARRIER.name },
];

/** Both detection paths on vCPU 0: the notification usually wins, polling is the fallback. */
function detection(rules: readonly PatchRule[]): DetectionSpec {
  return {
    notification: { enabled: true, latency: { medianNs: 2_000_000, p99Ns: 5_000_000 }, cpu: 0 },
    polling: { enabled: true, intervalNs: 100_000_000, cpu: 0 },
    rules,
  };
}

// Backoff 1, 10, 100, 1,000 ms: the retry delays of pseries_suspend (Linux arch/powerpc/platforms/pseries/mobility.c).
const PROTOCOL: ProtocolSpec = {
  name: 'broadcast-ack',
  attemptBoundNs: 2_000_000_000,
  broadcastAck: {
    ackTimeoutNs: 1_000_000,
    resendLimit: 2,
    retryLimit: 4,
    backoffNs: 1_000_000,
    backoffFactor: 10,
    resendScope: 'per-cpu',
    abortScope: 'per-cpu',
  },
  stopMachine: { wakeSchedNs: 3_000, ackNsPerCpu: 900 },
  int3Poke: { trapHandlerNs: 1_500 },
};

const RUN: RunSpec = { durationNs: 2_000_000_000, expectViolations: false };

/** A dedicated partition: the hypervisor never deschedules its vCPUs. */
const NO_STEAL: StealSpec = { ratePerSec: 0, duration: { medianNs: 2_000_000, p99Ns: 10_000_000 } };

/** Sockets, chips, cores and SMT mode of a host. */
type HostShape = Pick<HostSpec, 'sockets' | 'chipsPerSocket' | 'coresPerChip' | 'smt'>;

// A two-socket scale-out server; POWER10 keeps 12 cores here so that p9-to-p10 changes the PVR only.
const POWER_SHAPE: HostShape = { sockets: 2, chipsPerSocket: 1, coresPerChip: 12, smt: 4 };
const X86_SHAPE: HostShape = { sockets: 2, chipsPerSocket: 1, coresPerChip: 40, smt: 1 };
// POWER10 E1080: 16 sockets x 15 cores x SMT8 = 1,920 threads.
const E1080_SHAPE: HostShape = { sockets: 16, chipsPerSocket: 1, coresPerChip: 15, smt: 8 };
const TWO_NODES: NumaSpec = { nodes: 2, generation: 1 };

/** A host whose PURR, timebase and latencies are its processor's catalog defaults. */
function host(name: string, processor: ProcessorName, shape = POWER_SHAPE, numa = TWO_NODES): HostSpec {
  const info = processorInfo(processor);
  return {
    name, processor, ...shape, numa, purr: info.purr, timebaseHz: info.timebaseHz, latency: info.latency,
    idleWake: info.idleWake, steal: NO_STEAL, mitigations: info.mitigations, compatMode: null, bigCore: false,
  };
}

/** What a scenario states; the rest is the POWER defaults above. */
interface ScenarioParts {
  readonly name: string;
  readonly description: string;
  readonly source: HostSpec;
  readonly destination: HostSpec;
  readonly guest?: GuestSpec;
  readonly migration?: MigrationSpec;
  readonly detection?: DetectionSpec;
  readonly protocol?: ProtocolSpec;
  readonly run?: RunSpec;
  readonly faults?: readonly FaultSpec[];
}

function scenario(parts: ScenarioParts): Scenario {
  return {
    run: RUN, guest: POWER_GUEST, migration: MIGRATION, detection: detection(POWER_RULES), protocol: PROTOCOL,
    faults: [], ...parts,
  };
}

const P8_TO_P9 = scenario({
  name: 'p8-to-p9',
  description: 'POWER8 SMT4 -> POWER9 SMT4, all vCPUs busy: the seed\'s PURR accounting example',
  source: host('p8-src', 'POWER8'),
  destination: host('p9-dst', 'POWER9'),
});

// pseries LPM (Linux mobility.c): stop_machine(do_join), H_JOIN, the suspend, post_mobility_fixup.
const LPM_RENDEZVOUS: Scenario = {
  ...P8_TO_P9,
  name: 'lpm-rendezvous',
  description: 'p8-to-p9 suspended as pseries does it: every vCPU joins (H_JOIN), the fix-ups go in before H_PROD releases anyone: stale window 0',
  migration: { ...MIGRATION, suspend: 'rendezvous' },
};

const E1080_NUMA: NumaSpec = { nodes: 16, generation: 1 };
// 80 vCPUs on a two-socket 40-core x86 host, one per core.
const KVM80_GUEST: GuestSpec = { ...X86_GUEST, vcpus: 80, processes: 160 };
// Two sockets of 12 POWER8 SMT8 cores; 16 vCPUs fill two cores.
const P8_SMT8_SHAPE: HostShape = { sockets: 2, chipsPerSocket: 1, coresPerChip: 12, smt: 8 };
// A shared-processor partition: each dispatched vCPU descheduled 20 times a second, for 2 ms at the
// median and up to the 10 ms dispatch cycle of PowerVM at the 99th percentile.
const SHARED_STEAL = { ratePerSec: 20, duration: { medianNs: 2_000_000, p99Ns: 10_000_000 } } as const;

const RAW_BUILTINS: readonly Scenario[] = [
  P8_TO_P9,
  scenario({
    name: 'p9-to-p8',
    description: 'POWER9 SMT4 -> POWER8 SMT4, all vCPUs busy: the reverse, accounting undercharges',
    source: host('p9-src', 'POWER9'),
    destination: host('p8-dst', 'POWER8'),
  }),
  scenario({
    name: 'p9-to-p10',
    description: 'POWER9 SMT4 -> POWER10 SMT4: the PVR changes, the PURR behaviour does not',
    source: host('p9-src', 'POWER9'),
    destination: host('p10-dst', 'POWER10'),
  }),
  scenario({
    name: 'same-hardware',
    description: 'POWER9 -> identical POWER9: a migration that patches nothing',
    source: host('p9-src', 'POWER9'),
    destination: host('p9-dst', 'POWER9'),
  }),
  scenario({
    name: 'numa-change',
    description: 'POWER9 -> POWER9 whose NUMA generation count changes 1 -> 2: a data patch',
    source: host('p9-src', 'POWER9'),
    destination: host('p9-dst', 'POWER9', POWER_SHAPE, { nodes: 2, generation: 2 }),
  }),
  scenario({
    name: 'x86-tsc',
    description: 'x86 Ice Lake -> Sapphire Rapids: the TSC frequency changes, the cycles-to-ns constant is re-patched',
    source: host('icx-src', 'x86-icelake', X86_SHAPE),
    destination: host('spr-dst', 'x86-sapphirerapids', X86_SHAPE),
    guest: X86_GUEST,
    detection: detection(X86_RULES),
  }),
  {
    ...P8_TO_P9,
    name: 'lost-ipi',
    description: 'p8-to-p9 where the first MSG1 to vCPU 3 is lost: the initiator resends',
    faults: [{ kind: 'lost-ipi', cpu: 3, msg: 'MSG1', count: 1 }],
  },
  {
    ...P8_TO_P9,
    name: 'hung-cpu',
    description: 'p8-to-p9 where vCPU 5 hangs for good at 1 s: attempts abort, nothing patched, all released',
    run: { ...RUN, durationNs: 3_000_000_000 },
    faults: [{ kind: 'hung-cpu', cpu: 5, after: 'start', atNs: 1_000_000_000, durationNs: -1 }],
  },
  {
    ...P8_TO_P9,
    name: 'no-quiesce',
    description: 'p8-to-p9 patched at once, nobody parked: the unsafe baseline; its torn executions are expected',
    run: { ...RUN, expectViolations: true },
    protocol: { ...P8_TO_P9.protocol, name: 'no-quiesce' },
  },
  LPM_RENDEZVOUS,
  {
    ...LPM_RENDEZVOUS,
    name: 'pseries-suspend-retry',
    description: 'lpm-rendezvous where vCPU 5 hangs for good before the suspend: 5 join attempts 1/10/100/1,000 ms apart (pseries_suspend), then the migration is abandoned',
    run: { ...RUN, durationNs: 3_000_000_000 },
    faults: [{ kind: 'hung-cpu', cpu: 5, after: 'start', atNs: 500_000_000, durationNs: -1 }],
  },
  scenario({
    name: 'e1080-1920',
    description: 'POWER10 E1080 -> E1080, 1,920 vCPUs (240 cores x SMT8), NUMA generation 1 -> 2',
    source: host('e1080-src', 'POWER10', E1080_SHAPE, E1080_NUMA),
    destination: host('e1080-dst', 'POWER10', E1080_SHAPE, { ...E1080_NUMA, generation: 2 }),
    guest: { ...POWER_GUEST, vcpus: 1_920, processes: 2_000 },
    migration: {
      ...MIGRATION, memoryBytes: 32 * GiB, bandwidthBytesPerSec: 12_500_000_000, dirtyBytesPerSecPerVcpu: MiB,
    },
    run: { ...RUN, durationNs: 4_000_000_000 },
  }),
  scenario({
    name: 'kvm-80vcpu',
    description: 'x86 KVM guest, 80 vCPUs, Ice Lake -> Sapphire Rapids: the MSG1 broadcast to 79 vCPUs spans the '
      + 'published 78-198 us of a KVM broadcast IPI to 80 vCPUs (one ICR exit per target)',
    source: host('icx-src', 'x86-icelake', X86_SHAPE),
    destination: host('spr-dst', 'x86-sapphirerapids', X86_SHAPE),
    guest: KVM80_GUEST,
    // 80 vCPUs at 16 MiB/s would outrun the 10 Gb/s link: 4 MiB/s each lets the pre-copy converge.
    migration: { ...MIGRATION, dirtyBytesPerSecPerVcpu: 4 * MiB },
    detection: detection(X86_RULES),
  }),
  scenario({
    name: 'shared-lpar-steal',
    description: 'p8-to-p9 on shared-processor partitions at half load: vCPUs descheduled by the hypervisor for '
      + 'ms (steal), idle vCPUs ceded and woken by H_PROD (16-35 us measured on POWER8 KVM)',
    source: { ...host('p8-src', 'POWER8'), steal: SHARED_STEAL },
    destination: { ...host('p9-dst', 'POWER9'), steal: SHARED_STEAL },
    guest: { ...POWER_GUEST, processes: 16, utilization: 0.5 },
  }),
  scenario({
    name: 'p8-to-p9-bigcore',
    description: 'POWER8 SMT8 -> POWER9 big-core SMT8 in POWER8 compatibility mode: the logical PVR stays, '
      + 'the PURR changes and is shared per SMT4 half (how PowerVM presents POWER9 to partitions from POWER8)',
    source: host('p8-src', 'POWER8', P8_SMT8_SHAPE),
    destination: { ...host('p9-dst', 'POWER9', P8_SMT8_SHAPE), bigCore: true, compatMode: 'POWER8' },
  }),
  scenario({
    name: 'lpm-entry-flush',
    description: 'POWER9 -> POWER10 in POWER9 mode, firmware flush types change: the entry/exit mitigation code is '
      + 're-patched; no-quiesce tears it as Linux did before "powerpc/64s: Fix crashes when toggling stf/entry flush barrier" (2021)',
    source: host('p9-src', 'POWER9'),
    destination: { ...host('p10-dst', 'POWER10'), compatMode: 'POWER9' },
    guest: { ...POWER_GUEST, routines: [...POWER_GUEST.routines, ENTRY_FLUSH, STF_BARRIER] },
    detection: detection([...POWER_RULES, ...MITIGATION_RULES]),
    protocol: { ...PROTOCOL, name: 'stop-machine' },
  }),
];

// Validation freezes them and fixes their key order; a built-in that fails it is a migpatch bug.
function resolve(raw: Scenario): Scenario {
  try {
    return validateScenario(raw, raw.name);
  } catch (error) {
    throw new InternalError(`built-in ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Every built-in scenario, validated and deep-frozen, in the order `migpatch scenarios` lists them. */
export const BUILTIN_SCENARIOS: readonly Scenario[] = Object.freeze(RAW_BUILTINS.map(resolve));

/** The scenario `record` uses when none is given: the seed's example. */
export const DEFAULT_SCENARIO_NAME = 'p8-to-p9';

/** The built-in scenario of that name, if there is one. */
export function findBuiltin(name: string): Scenario | undefined {
  return BUILTIN_SCENARIOS.find((s) => s.name === name);
}
