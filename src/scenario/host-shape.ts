/** The size of a host as a scenario describes it: cores and hardware threads. */
import type { HostSpec } from './scenario.js';

/** Hardware threads of a host. */
export function hostThreads(host: HostSpec): number {
  return host.sockets * host.chipsPerSocket * host.coresPerChip * host.smt;
}

/** Cores of a host. */
export function hostCores(host: HostSpec): number {
  return host.sockets * host.chipsPerSocket * host.coresPerChip;
}
