/**
 * The event stream: one narrow row per event, keyed by (run_id, seq) in a WITHOUT ROWID table so
 * the primary key is the storage order and no separate rowid b-tree is maintained. `a`, `b`, `c`
 * are NUMERIC: better-sqlite3 binds every JS number as REAL, and NUMERIC affinity stores integral
 * values as INTEGER (compact, exact) while fractional ones stay REAL. NaN binds as NULL.
 */
import { sql, type Kysely } from 'kysely';

/**
 * The statements as released in 0.1.0, frozen. `events_sparse` indexes only sparse kinds (codes
 * outside 10-19: run, migration, detection, protocol, patch, violation, fault), which finds a run's
 * protocol, migration and fault events without scanning the run and pairs IPIs by send_seq (c).
 * Covering (every column after the key): without statistics SQLite otherwise prefers scanning the
 * run by primary key to a non-covering index plus lookups. Only sparse rows pay for the width.
 * No foreign key from events to runs: the check would cost a runs lookup per inserted event.
 */
const UP: readonly string[] = [
  `create table "events" ("run_id" integer not null, "seq" integer not null, "t_ns" integer not null, "kind" integer not null, "cpu" integer, "a" numeric, "b" numeric, "c" numeric, constraint "events_pk" primary key ("run_id", "seq")) without rowid`,
  `create index "events_sparse" on "events" ("run_id", "kind", "c", "t_ns", "cpu", "a", "b") where kind not between 10 and 19`,
  `create table "event_chunks" ("run_id" integer not null references "runs" ("run_id") on delete cascade, "chunk" integer not null, "first_seq" integer not null, "hash" text not null, constraint "event_chunks_pk" primary key ("run_id", "chunk")) without rowid`,
];

/** Creates `events`, its index of sparse kinds and `event_chunks`. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of UP) await sql.raw(statement).execute(db);
}

/** Drops what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table "event_chunks"`.execute(db);
  await sql`drop table "events"`.execute(db);
}
