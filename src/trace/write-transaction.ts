/**
 * One write transaction on a trace, for callers outside src/trace that group several store calls
 * (a sweep's row and its name check; a batch of a sweep's runs). It begins IMMEDIATE, so a second
 * writer is refused at the start rather than half-way, and SQLite errors a user can cause (a busy
 * or read-only file, a full disk) become one-line input errors.
 */
import { translateSqliteError, type TraceDb } from './trace-db.js';

/** Runs `fn` in one IMMEDIATE transaction on `db`: all of its writes commit, or none. */
export function inWriteTransaction<T>(db: TraceDb, fn: () => T): T {
  try {
    return db.sqlite.transaction(fn).immediate();
  } catch (e) {
    throw translateSqliteError(e, db.path);
  }
}
