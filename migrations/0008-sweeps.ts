/**
 * Seed sweeps (`migpatch sweep`): one `sweeps` row per group of runs, and three columns on `runs`:
 * the group a run belongs to, where it lies in its sweep's `--set` grid, and how much of its trace
 * was stored. A sweep stores *summary* runs by default (the runs row, topology, attempts, windows,
 * metrics and chunk hashes, but no events, intervals, accounting series or snapshots): a thousand
 * full traces would be tens of millions of rows. Commands that need events refuse summary runs and
 * say how to record a full trace.
 */
import { sql, type Kysely } from 'kysely';

/** Creates `sweeps` and adds `group_name`, `grid_json` and `trace_level` to `runs`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sweeps')
    .addColumn('sweep_id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('group_name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('tool_version', 'text', (c) => c.notNull())
    // The command line as typed (shell-quoted), for people; params_json is what the code reads.
    .addColumn('command', 'text', (c) => c.notNull())
    .addColumn('params_json', 'text', (c) => c.notNull())
    .execute();

  // Added columns: SQLite only accepts a REFERENCES clause on an added column whose default is NULL.
  await db.schema.alterTable('runs')
    .addColumn('group_name', 'text', (c) => c.references('sweeps.group_name'))
    .execute();
  // The run's point in its sweep's grid: {"path": value, ...} for each --set that listed several values.
  await db.schema.alterTable('runs').addColumn('grid_json', 'text').execute();
  // Every run recorded before this migration kept its whole trace.
  await db.schema.alterTable('runs')
    .addColumn('trace_level', 'text', (c) => c.notNull().defaultTo('full').check(sql`trace_level in ('full', 'summary')`))
    .execute();
  await db.schema.createIndex('runs_group').on('runs').columns(['group_name', 'run_id']).execute();
}

/** Drops what {@link up} created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_group').execute();
  for (const column of ['trace_level', 'grid_json', 'group_name']) await db.schema.alterTable('runs').dropColumn(column).execute();
  await db.schema.dropTable('sweeps').execute();
}
