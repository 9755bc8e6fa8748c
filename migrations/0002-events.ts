/**
 * The event stream: one narrow row per event, keyed by (run_id, seq) in a WITHOUT ROWID table so
 * the primary key is the storage order and no separate rowid b-tree is maintained. `a`, `b`, `c`
 * are NUMERIC: better-sqlite3 binds every JS number as REAL, and NUMERIC affinity stores integral
 * values as INTEGER (compact, exact) while fractional ones stay REAL. NaN binds as NULL.
 */
import { sql, type Kysely, type SqlBool } from 'kysely';
import { SPARSE_KIND_PREDICATE } from '../src/trace/schema-generated.js';

/** Creates `events`, its index of sparse kinds and `event_chunks`. */
export async function up(db: Kysely<any>): Promise<void> {
  // No foreign key to runs: the check would cost a runs lookup per inserted event, and the sink
  // only writes events for a run it has just inserted. Deleting a run must delete its events.
  await db.schema
    .createTable('events')
    .addColumn('run_id', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('t_ns', 'integer', (c) => c.notNull())
    .addColumn('kind', 'integer', (c) => c.notNull())
    .addColumn('cpu', 'integer')
    .addColumn('a', sql`numeric`)
    .addColumn('b', sql`numeric`)
    .addColumn('c', sql`numeric`)
    .addPrimaryKeyConstraint('events_pk', ['run_id', 'seq'])
    .modifyEnd(sql`without rowid`)
    .execute();

  // Sparse kinds only (see SPARSE_KIND_PREDICATE): finds a run's protocol, migration and fault
  // events without scanning the run, and pairs IPIs by send_seq (c) in the `ipi` view. Covering
  // (every column after the key), because without statistics SQLite otherwise prefers scanning the
  // run by primary key to a non-covering index plus lookups: the `ipi` view on e1080-1920 then took
  // 700 s instead of 10 ms. Only sparse rows pay for the width.
  await db.schema.createIndex('events_sparse').on('events').columns(['run_id', 'kind', 'c', 't_ns', 'cpu', 'a', 'b'])
    .where(sql.raw<SqlBool>(SPARSE_KIND_PREDICATE)).execute();

  await db.schema
    .createTable('event_chunks')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('chunk', 'integer', (c) => c.notNull())
    .addColumn('first_seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_chunks_pk', ['run_id', 'chunk'])
    .modifyEnd(sql`without rowid`)
    .execute();
}

/** Drops what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('event_chunks').execute();
  await db.schema.dropTable('events').execute();
}
