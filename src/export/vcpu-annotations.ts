/**
 * What is drawn on a vCPU's track besides its states: a point marker for each IPI sent, received
 * or lost there, each carrying its end of the message's flow arrow (so a slice always encloses the
 * flow point, whatever state boundary it falls on); and the detection, notification, fault and
 * violation points. Only points: a vCPU's states stay the top level of its track. (Routine
 * rewrites can span several states of the modifier and overlap each other, so they get tracks of
 * their own: see run-tracks.ts.)
 */
import {
  CHARACTERISTICS, DetectSource, FAULT_KIND_NAMES, INVARIANT_NAMES, MSG_NAMES, VIOLATION_DETAIL_NAMES,
} from '../format/event-kinds.js';
import { jsonString } from './chrome-trace-format.js';
import { planned, type PlannedSlice } from './planned-slice.js';
import { eventsOf, type EventOf, type RunExportData } from './run-export-data.js';

/** Planned annotations of each vCPU (unsorted), and those with no vCPU (drawn on the protocol track). */
export interface VcpuAnnotations {
  readonly byCpu: ReadonlyMap<number, PlannedSlice[]>;
  readonly global: PlannedSlice[];
  /** Flow arrows (matched s/f pairs) planned. */
  readonly flows: number;
}

/** Plans every vCPU's annotations from the run's sparse events. */
export function planVcpuAnnotations(data: RunExportData): VcpuAnnotations {
  const byCpu = new Map<number, PlannedSlice[]>();
  const global: PlannedSlice[] = [];
  const known = new Set(data.vcpus);
  const add = (cpu: number | null, slice: PlannedSlice): void => {
    if (cpu === null || !known.has(cpu)) {
      global.push(slice);
      return;
    }
    const list = byCpu.get(cpu);
    if (list === undefined) byCpu.set(cpu, [slice]);
    else list.push(slice);
  };
  const flows = planIpis(data, add);
  for (const e of eventsOf(data, 'notify')) {
    add(e.cpu, planned(e.tNs, e.tNs, 'migration notification', { host: data.hostNames.get(e.host ?? -1) ?? String(e.host) }));
  }
  for (const e of eventsOf(data, 'detect')) {
    add(e.cpu, planned(e.tNs, e.tNs, `detect: ${changedCharacteristics(e.diffMask ?? 0)}`, { patches: e.patches ?? 0, source: e.source === DetectSource.POLLING ? 'polling' : 'notification' }));
  }
  for (const e of eventsOf(data, 'fault')) {
    add(e.cpu, planned(e.tNs, e.tNs, `fault: ${nameOf(FAULT_KIND_NAMES, e.fault)}`, { param: e.param ?? 0 }));
  }
  for (const e of eventsOf(data, 'violation')) {
    const what = `${nameOf(INVARIANT_NAMES, e.invariant)} (${nameOf(VIOLATION_DETAIL_NAMES, e.detail)})`;
    add(e.cpu, planned(e.tNs, e.tNs, `violation: ${what}`, { value: e.value ?? 0 }));
  }
  return { byCpu, global, flows };
}

type Add = (cpu: number | null, slice: PlannedSlice) => void;

/**
 * Each IPI: a marker on the sender at the send and one on the receiver at delivery (or where it was
 * lost), joined by a flow arrow whose id is the send's seq. An IPI still in flight at the end of the
 * trace gets only its send marker, so every flow start has its finish.
 */
function planIpis(data: RunExportData, add: Add): number {
  const ends = new Map<number, EventOf<'ipi_recv' | 'ipi_lost'>>();
  for (const e of [...eventsOf(data, 'ipi_recv'), ...eventsOf(data, 'ipi_lost')]) if (e.sendSeq !== null) ends.set(e.sendSeq, e);
  let flows = 0;
  for (const send of eventsOf(data, 'ipi_send')) {
    const msg = nameOf(MSG_NAMES, send.msg);
    const end = ends.get(send.seq);
    const lost = end?.kind === 'ipi_lost';
    const args = { send_seq: send.seq, attempt: send.attempt ?? 0 };
    const flowName = jsonString(msg);
    if (end === undefined) {
      add(send.cpu, planned(send.tNs, send.tNs, `${msg} to vCPU ${send.dst} (undelivered)`, args));
      continue;
    }
    add(send.cpu, planned(send.tNs, send.tNs, `${msg} to vCPU ${send.dst}${lost ? ' (lost)' : ''}`, args,
      { phase: 's', id: send.seq, nameJson: flowName }));
    add(end.cpu, planned(end.tNs, end.tNs, `${msg} from vCPU ${send.cpu}${lost ? ' lost' : ''}`, args,
      { phase: 'f', id: send.seq, nameJson: flowName }));
    flows++;
  }
  return flows;
}

/** Names of the characteristics set in a detect diff mask, e.g. `pvr, purr`. */
function changedCharacteristics(mask: number): string {
  const names = CHARACTERISTICS.filter((_, bit) => (mask & (1 << bit)) !== 0);
  return names.length === 0 ? 'no change' : names.join(', ');
}

/** The name of a code, or the code itself when the list has none. */
export function nameOf(names: readonly string[], code: number | null): string {
  const name = code === null ? undefined : names[code];
  return name === undefined || name === '' ? String(code) : name;
}
