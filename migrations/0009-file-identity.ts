/**
 * File identity: `PRAGMA application_id` marks the file as a migpatch trace (0x4D475054, "MGPT" in
 * ASCII) and `PRAGMA user_version` holds its schema version (9, the number of this migration).
 * Both live in the database header, so a file is recognised (or refused) before anything is
 * written to it. Every later migration sets `user_version` to its own number.
 */
import { sql, type Kysely } from 'kysely';

/** Stamps the file as a migpatch trace of schema 9. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`pragma application_id = 1296519252`.execute(db);
  await sql`pragma user_version = 9`.execute(db);
}

/** Removes the stamp: the file is again what release 0.1.0 wrote (schema 8, unstamped). */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`pragma user_version = 0`.execute(db);
  await sql`pragma application_id = 0`.execute(db);
}
