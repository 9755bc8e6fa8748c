/**
 * Lookup rows for codes added after schema 10: the fault kind `steal` (the hypervisor deschedules a
 * vCPU of a shared-processor partition) and the characteristic bits of the security-mitigation
 * flush types firmware reports (`l1d_flush`, `entry_flush`, `stf_barrier`). Sets schema version 11.
 */
import { sql, type Kysely } from 'kysely';

/** Adds the rows and stamps schema 11. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`insert into "fault_kinds" ("code", "name") values (10, 'steal')`.execute(db);
  await sql`insert into "characteristics" ("bit", "name") values (9, 'l1d_flush'), (10, 'entry_flush'), (11, 'stf_barrier')`
    .execute(db);
  await sql`pragma user_version = 11`.execute(db);
}

/** Removes the rows: the file is again of schema 10. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from "fault_kinds" where "code" = 10`.execute(db);
  await sql`delete from "characteristics" where "bit" in (9, 10, 11)`.execute(db);
  await sql`pragma user_version = 10`.execute(db);
}
