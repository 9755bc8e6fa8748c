/**
 * Lookup tables that name the codes stored in events (kinds, vCPU states, messages, outcomes,
 * invariants, violation details, fault kinds, detection sources, characteristic bits), filled
 * from `src/sim/event-kinds.ts`. A later migration that follows a change to those lists calls
 * `refreshLookupRows` again.
 */
import type { Kysely } from 'kysely';
import { createLookupTables, LOOKUP_TABLES, refreshLookupRows } from '../src/trace/schema-generated.js';

/** Creates and fills the lookup tables. */
export async function up(db: Kysely<any>): Promise<void> {
  await createLookupTables(db);
  await refreshLookupRows(db);
}

/** Drops what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of LOOKUP_TABLES) await db.schema.dropTable(t.table).execute();
  await db.schema.dropTable('event_kinds').execute();
}
