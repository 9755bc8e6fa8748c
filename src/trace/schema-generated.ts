/**
 * Schema objects generated from the code's own lists (`src/format/event-kinds.ts`): the lookup tables
 * that name codes, and one view per event kind that names its columns. Generating them from the
 * lists means the database cannot drift from the code. Migrations call these functions; a later
 * migration that follows a change to the lists calls the `refresh*` functions again (they are
 * idempotent), so old databases catch up.
 *
 * Everything here is SQL built with Kysely's `sql` tag on identifiers and values that come from
 * the code, never from users.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import {
  CHARACTERISTICS, CPU_STATE_NAMES, DetectSource, EVENT_KINDS, FAULT_KIND_NAMES, INVARIANT_NAMES,
  MSG_NAMES, OUTCOME_NAMES, PHASE_NAMES, VIOLATION_DETAIL_NAMES, type EventKindInfo,
} from '../format/event-kinds.js';

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

/** Creates the lookup tables (empty). */
export async function createLookupTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_kinds')
    .addColumn('code', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('doc', 'text', (c) => c.notNull())
    .addColumn('cpu_col', 'text')
    .addColumn('a_col', 'text')
    .addColumn('b_col', 'text')
    .addColumn('c_col', 'text')
    .execute();
  for (const t of LOOKUP_TABLES) {
    await db.schema
      .createTable(t.table)
      .addColumn(t.key, 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .execute();
  }
}

/** Replaces the rows of every lookup table with the code's current lists. */
export async function refreshLookupRows(db: Kysely<unknown>): Promise<void> {
  await sql`delete from event_kinds`.execute(db);
  const kinds = EVENT_KINDS.map(
    (k) => sql`(${k.code}, ${k.name}, ${k.doc}, ${k.cpu}, ${k.a}, ${k.b}, ${k.c})`,
  );
  await sql`insert into event_kinds (code, name, doc, cpu_col, a_col, b_col, c_col) values ${sql.join(kinds)}`
    .execute(db);
  for (const t of LOOKUP_TABLES) {
    await sql`delete from ${sql.table(t.table)}`.execute(db);
    const rows = t.rows.map(([code, name]) => sql`(${code}, ${name})`);
    await sql`insert into ${sql.table(t.table)} (${sql.ref(t.key)}, name) values ${sql.join(rows)}`.execute(db);
  }
}

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

function eventViewSelect(info: EventKindInfo): RawBuilder<unknown> {
  const renamed = (['cpu', 'a', 'b', 'c'] as const).flatMap((col) => {
    const name = info[col];
    return name === null ? [] : [sql`${sql.ref(col)} as ${sql.ref(name)}`];
  });
  const columns = [sql.ref('run_id'), sql.ref('seq'), sql.ref('t_ns'), ...renamed];
  // sql.lit: a view cannot hold bound parameters, so the code is written into its text.
  const where = sql`kind = ${sql.lit(info.code)}`;
  return isSparseKind(info.code)
    ? sql`select ${sql.join(columns)} from events where ${where} and ${sql.raw(SPARSE_KIND_PREDICATE)}`
    : sql`select ${sql.join(columns)} from events where ${where}`;
}

/** Drops and recreates the `ev_<name>` view of every kind in `kinds`. */
export async function refreshEventKindViews(
  db: Kysely<unknown>, kinds: readonly EventKindInfo[] = EVENT_KINDS,
): Promise<void> {
  for (const info of kinds) {
    await db.schema.dropView(eventViewName(info)).ifExists().execute();
    await db.schema.createView(eventViewName(info)).as(eventViewSelect(info)).execute();
  }
}

/** Drops the view of every kind in `kinds`. */
export async function dropEventKindViews(
  db: Kysely<unknown>, kinds: readonly EventKindInfo[] = EVENT_KINDS,
): Promise<void> {
  for (const info of kinds) await db.schema.dropView(eventViewName(info)).ifExists().execute();
}
