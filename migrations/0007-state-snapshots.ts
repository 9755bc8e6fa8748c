/**
 * Periodic snapshots of each run's replay state (see `src/analysis/state-folder.ts`), written when
 * a run finishes, so `replay state` restores the nearest one and folds at most one interval of
 * events instead of the whole run. A snapshot is a cache of what the events determine: deleting
 * them only makes `replay state` slower.
 */
import type { Kysely } from 'kysely';

/** Creates `state_snapshots`. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // A rowid table (not WITHOUT ROWID): rows hold blobs of tens of KB, which SQLite advises keeping
  // out of clustered keys; the primary key's index finds the nearest snapshot with one seek.
  await db.schema
    .createTable('state_snapshots')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('t_ns', 'integer', (c) => c.notNull())
    .addColumn('data', 'blob', (c) => c.notNull())
    .addPrimaryKeyConstraint('state_snapshots_pk', ['run_id', 'seq'])
    .execute();
}

/** Drops what {@link up} created. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('state_snapshots').execute();
}
