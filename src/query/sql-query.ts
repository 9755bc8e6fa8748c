/**
 * `migpatch query`: one read-only SQL statement on the trace database, run by the trace store
 * (src/trace/user-query.ts: checked to be one statement that reads, rows streamed, integers exact)
 * with SQL errors worded for the user (./sql-error-hints.ts).
 */
import { leadingKeyword, prepareUserQuery, type QueryCell, type ReadOnlyQuery } from '../trace/user-query.js';
import type { TraceDb } from '../trace/trace-db.js';
import { sqlErrorMessage } from './sql-error-hints.js';

export { leadingKeyword, type QueryCell, type ReadOnlyQuery };

/**
 * Prepares `sqlText` on `db` and checks it is one statement that reads: anything else is an
 * input error (exit 2) that says why, with a hint where one helps. Nothing has run yet.
 */
export function prepareQuery(db: TraceDb, sqlText: string): ReadOnlyQuery {
  return prepareUserQuery(db, sqlText, (e) => sqlErrorMessage(e, db, sqlText));
}
