/**
 * Kysely-built queries run synchronously. Kysely types a query against the schema (a renamed
 * column fails to compile), but executes through promises; report, sweep and query code reads a
 * trace synchronously, so the compiled SQL and parameters run on the same connection through
 * better-sqlite3, exactly as Kysely would send them.
 */
import type { Compilable } from 'kysely';
import type { TraceDb } from './trace-db.js';

/** Every row of `query`, in its order. */
export function allRows<O>(db: TraceDb, query: Compilable<O>): O[] {
  const compiled = query.compile();
  return db.sqlite.prepare(compiled.sql).all(...compiled.parameters) as O[];
}

/** The first row of `query`, or undefined when there is none. */
export function firstRow<O>(db: TraceDb, query: Compilable<O>): O | undefined {
  const compiled = query.compile();
  return db.sqlite.prepare(compiled.sql).get(...compiled.parameters) as O | undefined;
}

/** Runs a writing `query` (insert, update, delete); returns the rowid of the last row it inserted. */
export function runWrite(db: TraceDb, query: Compilable<unknown>): number {
  const compiled = query.compile();
  return Number(db.sqlite.prepare(compiled.sql).run(...compiled.parameters).lastInsertRowid);
}
