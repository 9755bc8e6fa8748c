/**
 * What the trace's SQL schema derives from the table of event kinds: the rows of the lookup tables
 * that name codes, and the text of one view per kind (`ev_<kind>`) that names its columns. Plain
 * strings and rows, so that the store (and a frozen migration's generator) can use them without
 * this module knowing any SQL library.
 */
import {
  CHARACTERISTICS, CPU_STATE_NAMES, DetectSource, EVENT_KINDS, FAULT_KIND_NAMES, INVARIANT_NAMES,
  MSG_NAMES, OUTCOME_NAMES, PHASE_NAMES, VIOLATION_DETAIL_NAMES, type EventKindInfo,
} from './event-kinds.js';

/** A code → name lookup table. */
export interface LookupTable {
  readonly table: string;
  /** Name of the key column: `code`, or `bit` for bit positions. */
  readonly key: 'code' | 'bit';
  readonly rows: readonly (readonly [number, string])[];
}

/** Rows of a NAMES array, skipping the '' placeholders that pad unused code 0. */
function fromNames(names: readonly string[]): (readonly [number, string])[] {
  return names.flatMap((name, code) => (name === '' ? [] : [[code, name] as const]));
}

/** Names of the detection sources, indexed by code. */
export const DETECT_SOURCE_NAMES: readonly string[] = Object.entries(DetectSource)
  .reduce<string[]>((names, [name, code]) => { names[code] = name.toLowerCase(); return names; }, []);

/** Every simple lookup table (event_kinds has more columns and is handled apart). */
export const LOOKUP_TABLES: readonly LookupTable[] = [
  { table: 'cpu_states', key: 'code', rows: fromNames(CPU_STATE_NAMES) },
  { table: 'msg_types', key: 'code', rows: fromNames(MSG_NAMES) },
  { table: 'outcomes', key: 'code', rows: fromNames(OUTCOME_NAMES) },
  { table: 'invariants', key: 'code', rows: fromNames(INVARIANT_NAMES) },
  { table: 'violation_details', key: 'code', rows: fromNames(VIOLATION_DETAIL_NAMES) },
  { table: 'fault_kinds', key: 'code', rows: fromNames(FAULT_KIND_NAMES) },
  { table: 'protocol_phases', key: 'code', rows: PHASE_NAMES.map((name, code) => [code, name] as const) },
  {
    table: 'detect_sources', key: 'code',
    rows: Object.entries(DetectSource).map(([name, code]) => [code, name.toLowerCase()] as const),
  },
  { table: 'characteristics', key: 'bit', rows: CHARACTERISTICS.map((name, bit) => [bit, name] as const) },
];

/** One row of the `event_kinds` table. */
export interface EventKindRow {
  readonly code: number;
  readonly name: string;
  readonly doc: string;
  readonly cpu_col: string | null;
  readonly a_col: string | null;
  readonly b_col: string | null;
  readonly c_col: string | null;
}

/** The rows of the `event_kinds` table. */
export const EVENT_KIND_ROWS: readonly EventKindRow[] = EVENT_KINDS.map((k) => ({
  code: k.code, name: k.name, doc: k.doc, cpu_col: k.cpu, a_col: k.a, b_col: k.b, c_col: k.c,
}));

/**
 * Dense kinds (scheduling and accounting, emitted on every tick and switch: codes 10-19) make up
 * nearly every row of a run; the others (run, migration, detection, protocol, patch, violation,
 * fault) are sparse. Only sparse kinds are in the secondary index `events_sparse`, because a full
 * (run_id, kind, ...) index halves the insert rate (measured: ~0.65 vs ~1.25 M rows/s) while this
 * partial one costs a few percent. A partial index is used only by a query whose WHERE contains its
 * predicate verbatim, so the views of sparse kinds repeat it. Changing it needs a migration that
 * recreates the index and the views.
 */
export const SPARSE_KIND_PREDICATE = 'kind not between 10 and 19';

/** Whether a kind is in the `events_sparse` index (see {@link SPARSE_KIND_PREDICATE}). */
export function isSparseKind(code: number): boolean {
  return code < 10 || code > 19;
}

/** The view that names one kind's columns, e.g. `ev_acct`. */
export function eventViewName(info: EventKindInfo): string {
  return `ev_${info.name}`;
}

/** The columns of a kind's view: `run_id`, `seq`, `t_ns`, then each used column under its name. */
export function eventViewColumns(info: EventKindInfo): readonly string[] {
  const used = [info.cpu, info.a, info.b, info.c].filter((n): n is string => n !== null);
  return ['run_id', 'seq', 't_ns', ...used];
}

/** A quoted SQL identifier; names come from the table of kinds, never from users. */
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * The SELECT of a kind's view, e.g. `select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "pid" ...
 * from events where kind = 14`. The code is written into the text because a view cannot hold
 * bound parameters.
 */
export function eventViewSelectSql(info: EventKindInfo): string {
  const renamed = (['cpu', 'a', 'b', 'c'] as const).flatMap((col) => {
    const name = info[col];
    return name === null ? [] : [`${ident(col)} as ${ident(name)}`];
  });
  const columns = [ident('run_id'), ident('seq'), ident('t_ns'), ...renamed].join(', ');
  const where = `kind = ${info.code}`;
  return isSparseKind(info.code)
    ? `select ${columns} from events where ${where} and ${SPARSE_KIND_PREDICATE}`
    : `select ${columns} from events where ${where}`;
}
