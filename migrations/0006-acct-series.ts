/**
 * Accounting over time: truth and charged time per time bucket, written when a run finishes, so a
 * report can chart the accounting error without scanning every sample of a long run.
 */
import { sql, type Kysely } from 'kysely';

/** Creates `acct_series`. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('acct_series')
    .addColumn('run_id', 'integer', (c) => c.notNull())
    .addColumn('bucket_start_ns', 'integer', (c) => c.notNull())
    .addColumn('bucket_ns', 'integer', (c) => c.notNull())
    .addColumn('samples', 'integer', (c) => c.notNull())
    .addColumn('truth_ns', 'real', (c) => c.notNull())
    .addColumn('charged_ns', 'real', (c) => c.notNull())
    .addColumn('error', 'real')
    .addPrimaryKeyConstraint('acct_series_pk', ['run_id', 'bucket_start_ns'])
    .modifyEnd(sql`without rowid`)
    .execute();
}

/** Drops what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('acct_series').execute();
}
