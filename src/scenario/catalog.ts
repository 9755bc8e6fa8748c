/**
 * Hardware catalog: processors and the defaults a host of each kind gets. Data only; every value
 * says where it comes from.
 */
import type { HostLatency, ProcessorName, PurrMode } from './scenario.js';

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
}

// POWER latencies: IPI via the interrupt controller in an LPAR is in the guest-issued range
// (~2-10 us: one exit/entry cycle); H_PROD wake-ups on POWER8 KVM are 16-35 us. We take the LPAR doorbell
// case, median 4 us with a tail to 12 us. Writing one instruction word and the dcbst/sync/icbi/isync
// sequence are on the order of tens of ns and a microsecond respectively.
const POWER_LATENCY: HostLatency = {
  ipi: { medianNs: 4_000, p99Ns: 12_000 },
  ack: { medianNs: 300, p99Ns: 900 },
  ipiSendNs: 250,
  handlerEntryNs: 400,
  writeNsPerWord: 20,
  syncNsPerCpu: 1_000,
};

// x86 in a VM: KVM normal IPI ~1.3-2.3 us (docs/model.md, "Defaults and their sources").
const X86_LATENCY: HostLatency = {
  ipi: { medianNs: 1_800, p99Ns: 6_000 },
  ack: { medianNs: 200, p99Ns: 700 },
  ipiSendNs: 150,
  handlerEntryNs: 300,
  writeNsPerWord: 15,
  syncNsPerCpu: 600,
};

/** The processors migpatch knows. */
export const PROCESSORS: Readonly<Record<ProcessorName, ProcessorInfo>> = {
  // PVR 0x004D0200: POWER8 DD2.0 (Linux arch/powerpc/kernel/cputable.c, PVR_POWER8 = 0x004D).
  // PURR scaled by SMT sharing (IBM per-cycle attribution, US 7,657,893). Timebase 512 MHz.
  POWER8: {
    name: 'POWER8', family: 'power', pvr: 0x004d0200, smtModes: [1, 2, 4, 8], purr: 'scaled',
    timebaseHz: 512_000_000, latency: POWER_LATENCY,
  },
  // PVR 0x004E1202: POWER9 DD2.2 (PVR_POWER9 = 0x004E). Unscaled PURR is the seed's premise
  // (JP7586607B2); SMT8 only in PowerVM big-core mode, so SMT 8 is allowed.
  POWER9: {
    name: 'POWER9', family: 'power', pvr: 0x004e1202, smtModes: [1, 2, 4, 8], purr: 'unscaled',
    timebaseHz: 512_000_000, latency: POWER_LATENCY,
  },
  // PVR 0x00800200: POWER10 DD2.0 (PVR_POWER10 = 0x0080). E1080: up to 240 cores x SMT8.
  POWER10: {
    name: 'POWER10', family: 'power', pvr: 0x00800200, smtModes: [1, 2, 4, 8], purr: 'unscaled',
    timebaseHz: 512_000_000, latency: POWER_LATENCY,
  },
  // Xeon Platinum 8380 (Ice Lake-SP): family 6 model 0x6A stepping 6, base/TSC 2.3 GHz.
  'x86-icelake': {
    name: 'x86-icelake', family: 'x86', pvr: 0x00066a06, smtModes: [1, 2], purr: null,
    timebaseHz: 2_300_000_000, latency: X86_LATENCY,
  },
  // Xeon Platinum 8480+ (Sapphire Rapids): family 6 model 0x8F stepping 8, base/TSC 2.0 GHz.
  'x86-sapphirerapids': {
    name: 'x86-sapphirerapids', family: 'x86', pvr: 0x00068f08, smtModes: [1, 2], purr: null,
    timebaseHz: 2_000_000_000, latency: X86_LATENCY,
  },
};

/** Names of all catalog processors, in catalog order. */
export const PROCESSOR_NAMES: readonly ProcessorName[] = Object.keys(PROCESSORS) as ProcessorName[];

/** Looks up a processor; the name must already be validated. */
export function processorInfo(name: ProcessorName): ProcessorInfo {
  return PROCESSORS[name];
}
