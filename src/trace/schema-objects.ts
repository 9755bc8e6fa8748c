/**
 * What a trace's SQL schema holds, as a user querying it sees it: its tables and views, their
 * columns, and the SQL functions of this SQLite build. Used to word hints for mistyped queries.
 */
import type { TraceDb } from './trace-db.js';

/** User-facing tables and views (not SQLite's or the migration bookkeeping), sorted by name. */
export function schemaObjects(db: TraceDb): string[] {
  return db.sqlite
    .prepare(`select name from sqlite_master where type in ('table', 'view')
      and name not like 'sqlite\\_%' escape '\\' and name not like 'migpatch\\_%' escape '\\' order by name`)
    .pluck()
    .all() as string[];
}

/** The column names of `objects` (tables or views), in order, without repeats. */
export function columnsOf(db: TraceDb, objects: readonly string[]): string[] {
  const stmt = db.sqlite.prepare('select name from pragma_table_info(?)').pluck();
  return [...new Set(objects.flatMap((o) => stmt.all(o) as string[]))];
}

/** The names of the SQL functions the connection knows, sorted. */
export function sqlFunctionNames(db: TraceDb): string[] {
  return db.sqlite.prepare('select distinct name from pragma_function_list order by name').pluck().all() as string[];
}
