/**
 * Hardware characteristics the OS can observe (docs/model.md, "Detection and planning") and the detector's comparison. Bit i of
 * a difference mask stands for `CHARACTERISTICS[i]`.
 */
import type { Characteristic, HostSpec } from '../scenario/scenario.js';
import { CHARACTERISTICS } from '../format/event-kinds.js';
import { processorInfo } from '../scenario/catalog.js';

/** The value of one characteristic on a host, as a string (what variant names are built from). */
export function characteristicValue(host: HostSpec, c: Characteristic): string {
  switch (c) {
    case 'pvr':
      return `0x${processorInfo(host.processor).pvr.toString(16).padStart(8, '0')}`;
    case 'purr':
      // The OS knows the PURR behaviour from the PVR; a scenario override models a firmware mode.
      return host.purr ?? 'none';
    case 'sockets':
      return String(host.sockets);
    case 'chips':
      return String(host.sockets * host.chipsPerSocket);
    case 'cores':
      return String(host.sockets * host.chipsPerSocket * host.coresPerChip);
    case 'smt':
      return String(host.smt);
    case 'numa_nodes':
      return String(host.numa.nodes);
    case 'numa_generation':
      return String(host.numa.generation);
    case 'timebase_hz':
      return String(host.timebaseHz);
  }
}

/** Bit mask of the characteristics that differ between two hosts. */
export function differenceMask(a: HostSpec, b: HostSpec): number {
  let mask = 0;
  CHARACTERISTICS.forEach((c, bit) => {
    if (characteristicValue(a, c) !== characteristicValue(b, c)) mask |= 1 << bit;
  });
  return mask;
}

/** Whether characteristic `c` is set in `mask`. */
export function maskHas(mask: number, c: Characteristic): boolean {
  return (mask & (1 << CHARACTERISTICS.indexOf(c))) !== 0;
}

/** Names of the characteristics in a mask, in bit order. */
export function maskNames(mask: number): string[] {
  return CHARACTERISTICS.filter((_, bit) => (mask & (1 << bit)) !== 0);
}
