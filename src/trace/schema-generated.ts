/**
 * Schema objects generated from the code's own lists (`src/format/event-kinds.ts`, via `src/format/event-schema.ts`): the lookup tables
 * that name codes, and one view per event kind that names its columns. Generating them from the
 * lists means the database cannot drift from the code. Migrations call these functions; a later
 * migration that follows a change to the lists calls the `refresh*` functions again (they are
 * idempotent), so old databases catch up.
 *
 * Everything here is SQL built with Kysely's `sql` tag on identifiers and values that come from
 * the code, never from users.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { EVENT_KINDS, type EventKindInfo } from '../format/event-kinds.js';
import { eventViewName, eventViewSelectSql, LOOKUP_TABLES } from '../format/event-schema.js';

// The rows and view texts are derived in src/format (event-schema.ts); re-exported for the store.
export {
  eventViewColumns, eventViewName, isSparseKind, LOOKUP_TABLES, SPARSE_KIND_PREDICATE, type LookupTable,
} from '../format/event-schema.js';

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

function eventViewSelect(info: EventKindInfo): RawBuilder<unknown> {
  return sql.raw(eventViewSelectSql(info));
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
