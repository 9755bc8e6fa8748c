/**
 * Host topology: how many hardware threads a host has and where each vCPU runs. vCPUs are packed
 * onto consecutive threads (vCPU v runs on core floor(v / smt), thread v mod smt), which is what a
 * dedicated-processor partition gets and what makes SMT sharing, and so PURR scaling, visible.
 */
import { assert } from '../core/assert.js';
import type { HostSpec } from '../scenario/scenario.js';
import type { HostRow, VcpuRow } from '../format/trace-types.js';
import { processorInfo } from '../scenario/catalog.js';

import { hostThreads } from '../scenario/host-shape.js';

/** The core a vCPU runs on, on a host in the given SMT mode. */
export function coreOf(cpu: number, smt: number): number {
  return Math.floor(cpu / smt);
}

/** A host as recorded in the trace. */
export function hostRow(host: HostSpec, hostId: number): HostRow {
  const info = processorInfo(host.processor);
  return {
    hostId,
    role: hostId === 0 ? 'source' : 'destination',
    name: host.name,
    processor: host.processor,
    pvr: info.pvr,
    sockets: host.sockets,
    chipsPerSocket: host.chipsPerSocket,
    coresPerChip: host.coresPerChip,
    smt: host.smt,
    threads: hostThreads(host),
    numaNodes: host.numa.nodes,
    numaGeneration: host.numa.generation,
    purr: host.purr,
    timebaseHz: host.timebaseHz,
  };
}

/** The vCPU placement rows for both hosts. */
export function vcpuRows(vcpus: number, source: HostSpec, destination: HostSpec): VcpuRow[] {
  assert(vcpus <= hostThreads(source) && vcpus <= hostThreads(destination), 'vCPUs fit on both hosts');
  const rows: VcpuRow[] = [];
  for (let cpu = 0; cpu < vcpus; cpu++) {
    rows.push({
      cpu,
      srcCore: coreOf(cpu, source.smt),
      srcThread: cpu % source.smt,
      dstCore: coreOf(cpu, destination.smt),
      dstThread: cpu % destination.smt,
    });
  }
  return rows;
}
