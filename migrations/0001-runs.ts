/**
 * Runs and their topology. `runs.status` is the only thing that says whether a run's data is
 * whole: a run is inserted 'running' and flips to 'complete' in the same transaction that writes
 * its derived tables, so an interrupted run can never pass for a complete one.
 */
import { sql, type Kysely } from 'kysely';

/** Child tables of `runs`, dropped in reverse order by {@link down}. */
const TOPOLOGY = ['hosts', 'vcpus', 'processes', 'routines', 'variants'] as const;

/** Creates `runs` and the topology tables. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('runs')
    .addColumn('run_id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('label', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('tool_version', 'text', (c) => c.notNull())
    .addColumn('scenario_name', 'text', (c) => c.notNull())
    .addColumn('scenario_json', 'text', (c) => c.notNull())
    .addColumn('seed', 'integer', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('fail_reason', 'text')
    .addColumn('event_count', 'integer')
    .addColumn('event_hash', 'text')
    .addColumn('end_ns', 'integer')
    .addColumn('wall_ms', 'real')
    .addColumn('violations', 'integer')
    .addCheckConstraint('runs_status', sql`status in ('running', 'complete', 'failed')`)
    // The database itself refuses a 'complete' run without its totals.
    .addCheckConstraint(
      'runs_complete_totals',
      sql`status <> 'complete' or (event_count is not null and event_hash is not null and end_ns is not null)`,
    )
    .execute();

  await db.schema
    .createTable('hosts')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('host_id', 'integer', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('source', 'destination')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('processor', 'text', (c) => c.notNull())
    .addColumn('pvr', 'integer', (c) => c.notNull())
    .addColumn('sockets', 'integer', (c) => c.notNull())
    .addColumn('chips_per_socket', 'integer', (c) => c.notNull())
    .addColumn('cores_per_chip', 'integer', (c) => c.notNull())
    .addColumn('smt', 'integer', (c) => c.notNull())
    .addColumn('threads', 'integer', (c) => c.notNull())
    .addColumn('numa_nodes', 'integer', (c) => c.notNull())
    .addColumn('numa_generation', 'integer', (c) => c.notNull())
    .addColumn('purr', 'text')
    .addColumn('timebase_hz', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('hosts_pk', ['run_id', 'host_id'])
    .execute();

  await db.schema
    .createTable('vcpus')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('cpu', 'integer', (c) => c.notNull())
    .addColumn('src_core', 'integer', (c) => c.notNull())
    .addColumn('src_thread', 'integer', (c) => c.notNull())
    .addColumn('dst_core', 'integer', (c) => c.notNull())
    .addColumn('dst_thread', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('vcpus_pk', ['run_id', 'cpu'])
    .modifyEnd(sql`without rowid`)
    .execute();

  await db.schema
    .createTable('processes')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('utilization', 'real', (c) => c.notNull())
    .addPrimaryKeyConstraint('processes_pk', ['run_id', 'pid'])
    .execute();

  await db.schema
    .createTable('routines')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('routine_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('words', 'integer', (c) => c.notNull())
    .addColumn('exec_ns', 'integer', (c) => c.notNull())
    .addColumn('used_at', 'text', (c) => c.notNull())
    .addColumn('boot_variant_id', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('routines_pk', ['run_id', 'routine_id'])
    .execute();

  await db.schema
    .createTable('variants')
    .addColumn('run_id', 'integer', (c) => c.notNull().references('runs.run_id').onDelete('cascade'))
    .addColumn('variant_id', 'integer', (c) => c.notNull())
    .addColumn('routine_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('variants_pk', ['run_id', 'variant_id'])
    .execute();
}

/** Drops what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [...TOPOLOGY].reverse()) await db.schema.dropTable(table).execute();
  await db.schema.dropTable('runs').execute();
}
