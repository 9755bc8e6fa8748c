/**
 * The user's own SQL (`migpatch query`): one statement, checked before it runs — exactly one
 * statement, one that SQLite itself reports as read-only and that returns rows — so a write is
 * refused with a clear message instead of failing half-way. The caller opens the trace read-only
 * (`openTraceDb(..., 'read')`), which refuses any write SQLite would let through. Rows are streamed,
 * integers exactly (as bigint), so a query over millions of events never builds its result in
 * memory. How an SQL error is worded for the user (hints) is the caller's: see `explain` below.
 */
import Database from 'better-sqlite3';
import { InputError } from '../core/errors.js';
import type { TraceDb } from './trace-db.js';

/** One value of a result row: INTEGER as bigint (exact beyond 2^53), REAL, TEXT, BLOB or NULL. */
export type QueryCell = bigint | number | string | Uint8Array | null;

/** A checked statement, ready to stream its rows. */
export interface ReadOnlyQuery {
  /** Column names in result order (present even when no row matches). */
  readonly columns: readonly string[];
  /** Runs the statement; each row is an array in column order. Finish or break before another query. */
  rows(): Generator<QueryCell[], void, undefined>;
}

/** Words an error SQLite raised for `sqlText` (while preparing or running it) as one line. */
export type SqlErrorExplainer = (e: Error) => string;

/**
 * Prepares the user's `sqlText` on `db` and checks it is one statement that reads: anything else
 * is an {@link InputError} (exit 2) that says why; SQLite's own errors are worded by `explain`.
 * Nothing has run yet.
 */
export function prepareUserQuery(db: TraceDb, sqlText: string, explain: SqlErrorExplainer): ReadOnlyQuery {
  let stmt: Database.Statement;
  try {
    stmt = db.sqlite.prepare(sqlText);
  } catch (e) {
    throw prepareError(e, sqlText, explain);
  }
  if (!stmt.readonly && !isJournalModeRead(sqlText)) {
    throw new InputError(
      `query only reads: this ${leadingKeyword(sqlText)} statement would modify the database and is refused; ` +
        'the trace was not changed',
    );
  }
  // ATTACH, DETACH, BEGIN and PRAGMA x = y count as read-only for SQLite (they change the
  // connection, not the file) but return no rows: they have no use in a one-statement query.
  if (!stmt.reader) {
    throw new InputError(
      `query runs a statement that returns rows (SELECT, WITH, VALUES, EXPLAIN or a PRAGMA that reads); ` +
        `this ${leadingKeyword(sqlText)} statement returns none`,
    );
  }
  const columns = stmt.columns().map((c) => c.name);
  stmt.raw(true).safeIntegers(true);
  return {
    columns,
    rows: function* rows() {
      try {
        yield* stmt.iterate() as IterableIterator<QueryCell[]>;
      } catch (e) {
        throw e instanceof Database.SqliteError ? new InputError(explain(e)) : e;
      }
    },
  };
}

/**
 * SQLite marks `PRAGMA journal_mode` as a write even without a value, since the same pragma sets
 * the mode; asked bare it only reads (and the connection is read-only regardless).
 */
function isJournalModeRead(sqlText: string): boolean {
  return /^\s*PRAGMA\s+(?:"?\w+"?\s*\.\s*)?"?journal_mode"?\s*;?\s*$/i.test(withoutComments(sqlText));
}

/** better-sqlite3 reports "not exactly one statement" as a RangeError, SQL errors as SqliteError. */
function prepareError(e: unknown, sqlText: string, explain: SqlErrorExplainer): unknown {
  if (e instanceof Database.SqliteError) return new InputError(explain(e));
  if (e instanceof RangeError && /more than one statement/.test(e.message)) {
    return new InputError('query takes exactly one SQL statement; this text holds more than one (run them one at a time)');
  }
  if (e instanceof RangeError && /no statements/.test(e.message)) {
    return new InputError('query needs an SQL statement, e.g. migpatch query "select * from runs"');
  }
  return e;
}

/** The statement's first keyword, upper-cased, for messages (`INSERT`, `WITH`, ...). */
export function leadingKeyword(sqlText: string): string {
  return /^[A-Za-z]+/.exec(withoutComments(sqlText))?.[0]?.toUpperCase() ?? 'SQL';
}

/** The text from its first token on: leading whitespace and comments skipped. */
function withoutComments(sqlText: string): string {
  // Bounded by the text's length since each step consumes input.
  let rest = sqlText;
  for (let step = 0; step <= sqlText.length; step++) {
    const trimmed = rest.replace(/^\s+/, '');
    if (trimmed.startsWith('--')) {
      const eol = trimmed.indexOf('\n');
      rest = eol < 0 ? '' : trimmed.slice(eol + 1);
    } else if (trimmed.startsWith('/*')) {
      const close = trimmed.indexOf('*/');
      rest = close < 0 ? '' : trimmed.slice(close + 2);
    } else {
      return trimmed;
    }
  }
  return rest;
}
