/**
 * Shared by the commands that read traces: open the database read-only for one command. Their
 * `--out` files are planned and written by `src/io/out-file.ts`.
 */
import { openTraceDb, resolveDbPath, type TraceDb } from '../trace/trace-db.js';

/** Opens the trace read-only for the duration of `fn` (`optionName` names the option in messages); reading commands never modify the file. */
export async function withTrace<T>(
  dbOption: string | undefined, fn: (db: TraceDb) => Promise<T> | T, optionName = '--db',
): Promise<T> {
  const db = await openTraceDb(resolveDbPath(dbOption, process.env, optionName), 'read');
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
