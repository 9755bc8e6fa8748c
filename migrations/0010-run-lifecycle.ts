/**
 * Schema 10: runs that were stopped, and who writes a run.
 * - `runs.status` may be 'interrupted' (SIGINT or SIGTERM stopped the writer, which said so);
 * - `runs.writer_host` and `runs.writer_pid` name the process that writes a 'running' run, so a
 *   reader can tell a live run from one whose writer died (kill -9, power loss);
 * - `sweeps.planned_runs` is how many runs a sweep group set out to record, so a group cut short
 *   is never reported as whole.
 * SQLite cannot alter a CHECK constraint, so `runs` is rebuilt (SQLite's documented procedure: new
 * table, copy, drop, rename) with foreign keys off, or dropping `runs` would cascade into every
 * table that references it. Inside migpatch's upgrade transaction the runner has turned them off
 * (the pragma is a no-op in a transaction) and checks them before it commits; run on its own (Kysely
 * runs SQLite migrations outside a transaction) the migration turns them off itself.
 * Literal DDL: this file never changes once released.
 */
import { sql, type Kysely } from 'kysely';

/** The columns both shapes of `runs` share, in order. */
const SHARED_COLUMNS = sql`"run_id", "label", "created_at", "tool_version", "scenario_name", "scenario_json",
  "seed", "protocol", "status", "fail_reason", "event_count", "event_hash", "end_ns", "wall_ms", "violations",
  "group_name", "grid_json", "trace_level"`;

/** Replaces `runs` by `runs_new` (filled by the caller), keeping its id sequence and index. */
async function swapRuns(db: Kysely<any>): Promise<void> {
  // Keep the id sequence: ids of deleted runs are never given again.
  const seq = await sql<{ seq: number }>`select seq from sqlite_sequence where name = 'runs'`.execute(db);
  await sql`drop table "runs"`.execute(db);
  // Renaming the new table must not re-check the views over `runs`, which is briefly absent.
  await sql`pragma legacy_alter_table = on`.execute(db);
  await sql`alter table "runs_new" rename to "runs"`.execute(db);
  await sql`pragma legacy_alter_table = off`.execute(db);
  const last = seq.rows[0]?.seq;
  if (last !== undefined) await sql`update sqlite_sequence set seq = max(seq, ${last}) where name = 'runs'`.execute(db);
  await sql`create index "runs_group" on "runs" ("group_name", "run_id")`.execute(db);
}

/** Rebuilds `runs` with the new status and writer columns; adds `sweeps.planned_runs`. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`pragma foreign_keys = off`.execute(db);
  await sql`create table "runs_new" ("run_id" integer primary key autoincrement, "label" text,
    "created_at" text not null, "tool_version" text not null, "scenario_name" text not null,
    "scenario_json" text not null, "seed" integer not null, "protocol" text not null,
    "status" text not null, "fail_reason" text, "event_count" integer, "event_hash" text,
    "end_ns" integer, "wall_ms" real, "violations" integer,
    "group_name" text references "sweeps" ("group_name"), "grid_json" text,
    "trace_level" text default 'full' not null check (trace_level in ('full', 'summary')),
    "writer_host" text, "writer_pid" integer,
    constraint "runs_status" check (status in ('running', 'complete', 'failed', 'interrupted')),
    constraint "runs_complete_totals" check (status <> 'complete' or (event_count is not null and event_hash is not null and end_ns is not null)))`.execute(db);
  await sql`insert into "runs_new" (${SHARED_COLUMNS}) select ${SHARED_COLUMNS} from "runs"`.execute(db);
  await swapRuns(db);
  await sql`alter table "sweeps" add column "planned_runs" integer`.execute(db);
  await sql`pragma user_version = 10`.execute(db);
  await sql`pragma foreign_keys = on`.execute(db);
}

/** Back to schema 9: interrupted runs become failed ones (with their reason); the new columns go. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`pragma foreign_keys = off`.execute(db);
  await sql`create table "runs_new" ("run_id" integer primary key autoincrement, "label" text,
    "created_at" text not null, "tool_version" text not null, "scenario_name" text not null,
    "scenario_json" text not null, "seed" integer not null, "protocol" text not null,
    "status" text not null, "fail_reason" text, "event_count" integer, "event_hash" text,
    "end_ns" integer, "wall_ms" real, "violations" integer,
    "group_name" text references "sweeps" ("group_name"), "grid_json" text,
    "trace_level" text default 'full' not null check (trace_level in ('full', 'summary')),
    constraint "runs_status" check (status in ('running', 'complete', 'failed')),
    constraint "runs_complete_totals" check (status <> 'complete' or (event_count is not null and event_hash is not null and end_ns is not null)))`.execute(db);
  await sql`insert into "runs_new" (${SHARED_COLUMNS}) select "run_id", "label", "created_at", "tool_version",
    "scenario_name", "scenario_json", "seed", "protocol",
    case "status" when 'interrupted' then 'failed' else "status" end, "fail_reason", "event_count",
    "event_hash", "end_ns", "wall_ms", "violations", "group_name", "grid_json", "trace_level" from "runs"`.execute(db);
  await swapRuns(db);
  await sql`alter table "sweeps" drop column "planned_runs"`.execute(db);
  await sql`pragma user_version = 9`.execute(db);
  await sql`pragma foreign_keys = on`.execute(db);
}
