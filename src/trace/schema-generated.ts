/**
 * The schema objects that follow from the code's own lists (`src/format/event-kinds.ts`, derived in
 * `src/format/event-schema.ts`): the rows of the lookup tables that name codes, and one view per
 * event kind that names its columns. The migrations hold frozen literal copies of them (a migration
 * never imports live code); the drift test checks that the latest schema agrees with what is
 * derived here, so a change to the lists without a migration that follows it fails a test instead
 * of silently diverging.
 */
import type { EventKindInfo } from '../format/event-kinds.js';
import { eventViewName, eventViewSelectSql } from '../format/event-schema.js';

// The rows and view texts are derived in src/format (event-schema.ts); re-exported for the store.
export {
  eventViewColumns, eventViewName, isSparseKind, LOOKUP_TABLES, SPARSE_KIND_PREDICATE, type LookupTable,
} from '../format/event-schema.js';

/**
 * The statement that creates a kind's view, as `sqlite_master` stores the one the migrations froze
 * (SQLite writes the leading keywords in capitals): the drift test
 * (test/migrations-frozen.test.ts) compares it with `sqlite_master`, so a change to a kind's columns
 * without a migration that recreates its view fails there. Identifiers and codes come from the
 * code, never from users.
 */
export function eventViewSql(info: EventKindInfo): string {
  return `CREATE VIEW "${eventViewName(info)}" as ${eventViewSelectSql(info)}`;
}
