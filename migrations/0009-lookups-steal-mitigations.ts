/**
 * Refreshes the lookup rows after the fault kind `steal` (hypervisor steal) and the
 * security-mitigation characteristic bits (`l1d_flush`, `entry_flush`, `stf_barrier`) were added.
 */
import type { Kysely } from 'kysely';
import { refreshLookupRows } from '../src/trace/schema-generated.js';

/** Rewrites every lookup table from the code's lists. */
export async function up(db: Kysely<any>): Promise<void> {
  await refreshLookupRows(db);
}

/** Nothing to undo: the old rows are a subset of the new ones. */
export async function down(_db: Kysely<any>): Promise<void> {
  // Rows of codes unknown to older code are harmless: they are only ever joined by code.
}
