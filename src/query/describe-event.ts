/**
 * One stored event as a readable line: its kind's name and each used column under its documented
 * name (EVENT_KINDS), with codes turned into names (`msg=MSG1`, `state=wait`, `diff_mask=pvr|purr`).
 * Used where a person must tell two events apart, e.g. `diff`'s first divergent event.
 */
import {
  CHARACTERISTICS, CPU_STATE_NAMES, eventKindInfo, FAULT_KIND_NAMES, INVARIANT_NAMES, MSG_NAMES,
  OUTCOME_NAMES, PHASE_NAMES, VIOLATION_DETAIL_NAMES,
} from '../format/event-kinds.js';
import { namedColumns, type StoredEventRow } from '../format/event-row.js';
import { DETECT_SOURCE_NAMES } from '../format/event-schema.js';

/** An event decoded: kind name and named, readable fields. */
export interface DescribedEvent {
  readonly seq: number;
  readonly tNs: number;
  readonly kind: string;
  readonly fields: Readonly<Record<string, string | number | null>>;
  /** `kind name=value ...`. */
  readonly text: string;
}

/** Column names whose values are codes, with the names of the codes. */
const CODE_NAMES: Readonly<Record<string, readonly string[]>> = {
  state: CPU_STATE_NAMES,
  prev_state: CPU_STATE_NAMES,
  msg: MSG_NAMES,
  outcome: OUTCOME_NAMES,
  invariant: INVARIANT_NAMES,
  detail: VIOLATION_DETAIL_NAMES,
  fault: FAULT_KIND_NAMES,
  phase: PHASE_NAMES,
};

/** A column value for people: a code's name where the column holds codes, else the number. */
function showField(kindName: string, column: string, value: number | null): string | number | null {
  if (value === null) return null;
  if (column === 'diff_mask') {
    const bits = CHARACTERISTICS.filter((_, bit) => (value & (1 << bit)) !== 0);
    return bits.length === 0 ? '0' : bits.join('|');
  }
  if (kindName === 'detect' && column === 'source') return DETECT_SOURCE_NAMES[value] ?? value;
  const names = CODE_NAMES[column];
  const name = names?.[value];
  return name === undefined || name === '' ? value : name;
}

/** Decodes one event. An unknown kind code (a newer trace) shows its raw columns. */
export function describeEvent(row: StoredEventRow): DescribedEvent {
  const kind = eventKindInfo(row.kind)?.name ?? `kind_${row.kind}`;
  const fields: Record<string, string | number | null> = {};
  for (const [name, value] of namedColumns(row)) fields[name] = showField(kind, name, value);
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${v === null ? 'null' : String(v)}`);
  return { seq: row.seq, tNs: row.tNs, kind, fields, text: [kind, ...parts].join(' ') };
}
