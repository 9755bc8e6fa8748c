/**
 * Tables derived from the events when a run finishes: per-vCPU state intervals (like Perfetto's
 * `thread_state`), protocol attempts, accounting windows and metrics. They are caches of what SQL
 * can recompute from `events`; they are written in the same transaction that marks a run complete.
 */
import { sql, type Kysely } from 'kysely';

/** Creates the derived tables and the indexes the query layer needs. */
export async function up(db: Kysely<any>): Promise<void> {
  // Clustered by (run, vCPU, start): one vCPU's timeline is one range of the table, and "what was
  // every vCPU doing at time t" is one seek per vCPU (see cpuStatesAt in src/trace/runs.ts).
  // WITHOUT ROWID keeps it one B-tree instead of a table plus an index: ~15 % faster to load
  // e1080-1920's 1.5 M intervals, which the recorder writes in that order. No second index on
  // (run_id, start_ns): whichever order rows are written in, one of two such keys takes scattered
  // inserts, and that cut the load rate from ~1 to ~0.25 M rows/s.
  // dur_ns is generated (virtual): queries read it, the recorder writes and stores nothing for it.
  await db.schema
    .createTable('cpu_intervals')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('cpu', 'integer', (c) => c.notNull())
    .addColumn('start_ns', 'integer', (c) => c.notNull())
    .addColumn('end_ns', 'integer', (c) => c.notNull())
    .addColumn('dur_ns', 'integer', (c) => c.generatedAlwaysAs(sql`end_ns - start_ns`))
    .addColumn('state', 'integer', (c) => c.notNull())
    .addColumn('pid', 'integer')
    .addPrimaryKeyConstraint('cpu_intervals_pk', ['run_id', 'cpu', 'start_ns'])
    .modifyEnd(sql`without rowid`)
    .execute();

  await db.schema
    .createTable('attempts')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('initiator', 'integer', (c) => c.notNull())
    .addColumn('targets', 'integer', (c) => c.notNull())
    .addColumn('begin_ns', 'integer')
    .addColumn('first_msg1_ns', 'integer')
    .addColumn('last_ack_ns', 'integer')
    .addColumn('acks', 'integer', (c) => c.notNull())
    .addColumn('resends', 'integer', (c) => c.notNull())
    .addColumn('timeouts', 'integer', (c) => c.notNull())
    .addColumn('patch_begin_ns', 'integer')
    .addColumn('sync_end_ns', 'integer')
    .addColumn('msg2_ns', 'integer')
    .addColumn('last_resume_ns', 'integer')
    .addColumn('end_ns', 'integer')
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('patched', 'aborted', 'unfinished')`))
    .addPrimaryKeyConstraint('attempts_pk', ['run_id', 'attempt'])
    .execute();

  await db.schema
    .createTable('acct_windows')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('window', 'text', (c) => c.notNull().check(sql`window in ('before', 'stale', 'after')`))
    .addColumn('begin_ns', 'integer')
    .addColumn('end_ns', 'integer')
    .addColumn('samples', 'integer', (c) => c.notNull())
    .addColumn('truth_ns', 'integer', (c) => c.notNull())
    .addColumn('charged_ns', 'integer', (c) => c.notNull())
    .addColumn('error', 'real')
    .addPrimaryKeyConstraint('acct_windows_pk', ['run_id', 'window'])
    .execute();

  // `ord` keeps the producer's order, so listings are stable and read in the documented order.
  await db.schema
    .createTable('metrics')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ord', 'integer', (c) => c.notNull())
    .addColumn('value', 'real')
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('better', 'text', (c) => c.notNull().check(sql`better in ('lower', 'higher', 'closer_to_zero')`))
    .addPrimaryKeyConstraint('metrics_pk', ['run_id', 'name'])
    .execute();
}

/** Drops what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['metrics', 'acct_windows', 'attempts', 'cpu_intervals']) await db.schema.dropTable(t).execute();
}
