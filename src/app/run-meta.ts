/**
 * Everything recorded about a run before its first event: topology, processes and code image.
 */
import { CodeImage } from '../model/code-image.js';
import { hostRow, vcpuRows } from '../model/topology.js';
import type { Scenario } from '../scenario/scenario.js';
import type { RunMeta } from '../format/trace-types.js';
import { TOOL_VERSION } from '../version.js';

/** Builds the metadata of a run of `scenario` with `seed`. */
export function runMeta(scenario: Scenario, seed: number, label: string | null): RunMeta {
  const image = new CodeImage(scenario.guest.routines, scenario.source, scenario.destination);
  return {
    label,
    toolVersion: TOOL_VERSION,
    scenario,
    seed,
    protocol: scenario.protocol.name,
    hosts: [hostRow(scenario.source, 0), hostRow(scenario.destination, 1)],
    vcpus: vcpuRows(scenario.guest.vcpus, scenario.source, scenario.destination),
    processes: Array.from({ length: scenario.guest.processes }, (_, pid) => ({
      pid, name: `proc-${pid}`, utilization: scenario.guest.utilization,
    })),
    routines: image.routineRows,
    variants: image.variantRows,
  };
}
