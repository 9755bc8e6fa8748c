/**
 * Hardware catalog: processors and the defaults a host of each kind gets. Data only; every value
 * says where it comes from.
 */
import type { HostLatency, LatencyDist, MitigationSpec, ProcessorName, PurrMode } from './scenario.js';

/** One processor model. */
export interface ProcessorInfo {
  readonly name: ProcessorName;
  /** Architecture family: a guest can only migrate within one family. */
  readonly family: 'power' | 'x86';
  /**
   * Processor version register (POWER) or CPUID family/model/stepping packed as
   * 0x00FFMMSS (x86). What the OS reads to identify the processor.
   */
  readonly pvr: number;
  readonly smtModes: readonly number[];
  /** Default PURR behaviour; null where the processor has no PURR (x86). */
  readonly purr: PurrMode | null;
  /** Default timebase (POWER) or TSC (x86) frequency. */
  readonly timebaseHz: number;
  readonly latency: HostLatency;
  /** Default wake-up of an idle vCPU by an interrupt. */
  readonly idleWake: LatencyDist;
  /** Default security-mitigation characteristics firmware reports. */
  readonly mitigations: MitigationSpec;
}

// POWER latencies (docs/model.md lists each with its source). IPI delivery in an LPAR is in the
// guest-issued range (~2-10 us): median 4 us, tail to 12 us. Sending one IPI is an H_IPI hcall
// (or a doorbell through the hypervisor): an exit/entry cycle, 1.5 us each, and a broadcast is one
// send per target. Writing one instruction word and the dcbst/sync/icbi/isync sequence are tens of
// ns and a microsecond respectively.
const POWER_LATENCY: HostLatency = {
  ipi: { medianNs: 4_000, p99Ns: 12_000 },
  ack: { medianNs: 300, p99Ns: 900 },
  ipiSendNs: 1_500,
  handlerEntryNs: 400,
  writeNsPerWord: 20,
  syncNsPerCpu: 1_000,
};

// x86 in a VM: KVM normal IPI ~1.3-2.3 us. Each send is a write of the x2APIC ICR that exits to
// KVM (no IPI virtualisation): 1.5 us per target puts an 80-vCPU broadcast (79 sends) at ~120 us,
// inside the published 78-198 us.
const X86_LATENCY: HostLatency = {
  ipi: { medianNs: 1_800, p99Ns: 6_000 },
  ack: { medianNs: 200, p99Ns: 700 },
  ipiSendNs: 1_500,
  handlerEntryNs: 300,
  writeNsPerWord: 15,
  syncNsPerCpu: 600,
};

// A ceded POWER vCPU woken by H_PROD: 16-35 us on POWER8 KVM (median 24 us, p99 35 us: the 1st
// percentile falls at 16.5 us).
const POWER_IDLE_WAKE: LatencyDist = { medianNs: 24_000, p99Ns: 35_000 };
// x86: HLT exits to KVM, which blocks the vCPU thread; the wake is a host IPI, a schedule and a VM
// entry (assumption: a few us; KVM's halt polling often hides it).
const X86_IDLE_WAKE: LatencyDist = { medianNs: 3_000, p99Ns: 8_000 };

// Flush types as pseries firmware reports them in H_GET_CPU_CHARACTERISTICS (Linux
// arch/powerpc/platforms/pseries/setup.c, kernel/security.c). POWER8: ori 30,30,0 L1D flush and
// the hwsync;ori STF barrier; POWER9: mtspr TRIG2 and eieio; POWER10 (assumption): firmware says
// neither the entry flush nor the STF barrier is needed. x86 has no such call: none.
const P8_MITIGATIONS: MitigationSpec = { l1dFlush: 'ori30', entryFlush: true, stfBarrier: 'hwsync-ori' };
const P9_MITIGATIONS: MitigationSpec = { l1dFlush: 'mttrig', entryFlush: true, stfBarrier: 'eieio' };
const P10_MITIGATIONS: MitigationSpec = { l1dFlush: 'none', entryFlush: false, stfBarrier: 'none' };
const NO_MITIGATIONS: MitigationSpec = { l1dFlush: 'none', entryFlush: false, stfBarrier: 'none' };

const POWER_COSTS = { latency: POWER_LATENCY, idleWake: POWER_IDLE_WAKE } as const;
const X86_COSTS = { latency: X86_LATENCY, idleWake: X86_IDLE_WAKE, mitigations: NO_MITIGATIONS } as const;

/** The processors migpatch knows. */
export const PROCESSORS: Readonly<Record<ProcessorName, ProcessorInfo>> = {
  // PVR 0x004D0200: POWER8 DD2.0 (Linux arch/powerpc/kernel/cputable.c, PVR_POWER8 = 0x004D).
  // PURR scaled by SMT sharing (IBM per-cycle attribution, US 7,657,893). Timebase 512 MHz.
  POWER8: {
    name: 'POWER8', family: 'power', pvr: 0x004d0200, smtModes: [1, 2, 4, 8], purr: 'scaled',
    timebaseHz: 512_000_000, ...POWER_COSTS, mitigations: P8_MITIGATIONS,
  },
  // PVR 0x004E1202: POWER9 DD2.2 (PVR_POWER9 = 0x004E). Unscaled PURR is the seed's premise
  // (JP7586607B2); SMT8 only in PowerVM big-core mode, so SMT 8 is allowed.
  POWER9: {
    name: 'POWER9', family: 'power', pvr: 0x004e1202, smtModes: [1, 2, 4, 8], purr: 'unscaled',
    timebaseHz: 512_000_000, ...POWER_COSTS, mitigations: P9_MITIGATIONS,
  },
  // PVR 0x00800200: POWER10 DD2.0 (PVR_POWER10 = 0x0080). E1080: up to 240 cores x SMT8.
  POWER10: {
    name: 'POWER10', family: 'power', pvr: 0x00800200, smtModes: [1, 2, 4, 8], purr: 'unscaled',
    timebaseHz: 512_000_000, ...POWER_COSTS, mitigations: P10_MITIGATIONS,
  },
  // Xeon Platinum 8380 (Ice Lake-SP): family 6 model 0x6A stepping 6, base/TSC 2.3 GHz.
  'x86-icelake': {
    name: 'x86-icelake', family: 'x86', pvr: 0x00066a06, smtModes: [1, 2], purr: null,
    timebaseHz: 2_300_000_000, ...X86_COSTS,
  },
  // Xeon Platinum 8480+ (Sapphire Rapids): family 6 model 0x8F stepping 8, base/TSC 2.0 GHz.
  'x86-sapphirerapids': {
    name: 'x86-sapphirerapids', family: 'x86', pvr: 0x00068f08, smtModes: [1, 2], purr: null,
    timebaseHz: 2_000_000_000, ...X86_COSTS,
  },
};

/** Names of all catalog processors, in catalog order. */
export const PROCESSOR_NAMES: readonly ProcessorName[] = Object.keys(PROCESSORS) as ProcessorName[];

/** Looks up a processor; the name must already be validated. */
export function processorInfo(name: ProcessorName): ProcessorInfo {
  return PROCESSORS[name];
}
