/**
 * Opening the trace database: path resolution, the checks that turn every unusable file into a
 * one-line {@link InputError}, WAL mode, and schema migrations. This module and the migrations are
 * the only places that know SQLite specifics (docs/architecture.md).
 */
import fs from 'node:fs';
import nodePath from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { InputError, InternalError } from '../core/errors.js';
import { EVENT_KINDS } from '../format/event-kinds.js';
import { MIGRATION_NAMES, StaticMigrationProvider } from './migrations.js';
import type { TraceSchema } from './schema.js';

/** Where traces go when neither `--db` nor `MIGPATCH_DB` says otherwise. */
export const DEFAULT_DB_PATH = 'traces/migpatch.db';

/** Environment variable that overrides {@link DEFAULT_DB_PATH}. */
export const DB_ENV_VAR = 'MIGPATCH_DB';

/** Kysely's bookkeeping tables, renamed so that their presence marks a migpatch database. */
const MIGRATION_TABLE = 'migpatch_migration';
const MIGRATION_LOCK_TABLE = 'migpatch_migration_lock';

/** `write` runs migrations and may insert; `read` opens the file read-only and must find it migrated. */
export type OpenMode = 'write' | 'read';

/** An open trace database. */
export interface TraceDb {
  /** The path as given (used in messages), or `:memory:`. */
  readonly path: string;
  readonly mode: OpenMode;
  /** The raw connection, for the hot insert path and for SQL typed at run time. */
  readonly sqlite: Database.Database;
  /** Typed query builder over the same connection. */
  readonly kysely: Kysely<TraceSchema>;
  /** Closes the connection; safe to call twice. */
  close(): void;
}

/**
 * The database path to use: the `--db` option, else `$MIGPATCH_DB` (if non-empty), else
 * {@link DEFAULT_DB_PATH}. An empty `--db` is a usage error.
 */
export function resolveDbPath(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (option !== undefined) {
    if (option.trim() === '') throw new InputError('--db: expected a file path, got an empty string');
    return option;
  }
  const fromEnv = env[DB_ENV_VAR];
  return fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : DEFAULT_DB_PATH;
}

/**
 * Opens (and in `write` mode creates and migrates) the trace database at `path`. Every reason the
 * file cannot be used is an {@link InputError} with a one-line message; nothing is written to a
 * file that is not a migpatch database.
 */
export async function openTraceDb(path: string, mode: OpenMode): Promise<TraceDb> {
  checkPath(path, mode);
  const sqlite = connect(path, mode);
  try {
    if (mode === 'write') {
      // WAL: readers never block the recorder. synchronous=NORMAL is corruption-safe in WAL and
      // drops the fsync per commit; a power cut may lose the last batches of a run, which then
      // stays 'running' and is never mistaken for complete.
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
      // Enabled by default in this build; stated so that another build behaves the same.
      sqlite.pragma('foreign_keys = ON');
    }
    const kysely = new Kysely<TraceSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
    await ensureSchema(path, mode, sqlite, kysely);
    return { path, mode, sqlite, kysely, close: () => closeConnection(sqlite, mode) };
  } catch (e) {
    sqlite.close();
    throw translateSqliteError(e, path);
  }
}

/**
 * Closes the connection. A writer first runs `PRAGMA optimize` (bounded by analysis_limit, about a
 * millisecond): without statistics SQLite sometimes prefers a scan of the run to the sparse-kind
 * index. Then it leaves the file in rollback-journal mode: readers open traces read-only, and a
 * read-only connection to a WAL database creates `-wal` and `-shm` files it cannot remove. WAL is
 * for the recording (readers may watch a run as it is written); the next writer turns it on again.
 * If another connection still has the file open, the switch is skipped (busy_timeout 0: closing
 * never waits). Best effort: closing must not fail, nor hide the error a caller may be handling.
 */
function closeConnection(sqlite: Database.Database, mode: OpenMode): void {
  if (!sqlite.open) return;
  try {
    if (mode === 'write' && !sqlite.inTransaction) {
      sqlite.pragma('analysis_limit = 400');
      sqlite.pragma('optimize');
      sqlite.pragma('busy_timeout = 0');
      sqlite.pragma('journal_mode = DELETE');
    }
  } catch {
    // Statistics and the journal mode are conveniences; a busy or read-only file keeps its own.
  } finally {
    sqlite.close();
  }
}

/** Checks what can be checked before SQLite touches the file. */
function checkPath(path: string, mode: OpenMode): void {
  if (path === ':memory:') return;
  // better-sqlite3 would silently open a private temporary database for ''.
  if (path === '') throw new InputError('trace database path is empty');
  const dir = nodePath.dirname(path);
  if (!fs.existsSync(dir)) {
    throw new InputError(`cannot open trace database ${path}: directory ${dir} does not exist`);
  }
  const stat = fs.statSync(path, { throwIfNoEntry: false });
  if (stat?.isDirectory() === true) {
    throw new InputError(`cannot open trace database ${path}: it is a directory`);
  }
  if (mode === 'read' && stat === undefined) {
    throw new InputError(`no trace database at ${path} (record a run first, or pass --db or set ${DB_ENV_VAR})`);
  }
}

/**
 * How long a writer waits for another process's write transaction (a sweep's parallel jobs share
 * one file) before giving up; a large run's `finish` can hold the lock for seconds.
 */
const BUSY_TIMEOUT_MS = 60_000;

function connect(path: string, mode: OpenMode): Database.Database {
  try {
    return mode === 'read'
      ? new Database(path, { readonly: true, fileMustExist: true })
      : new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (e) {
    throw translateSqliteError(e, path);
  }
}

/** What a database holds, as far as migpatch cares. */
type SchemaState =
  | { readonly kind: 'empty' }
  | { readonly kind: 'foreign'; readonly tables: readonly string[] }
  | { readonly kind: 'migpatch'; readonly executed: readonly string[] };

/** Reads the schema. This is also the first read, so it is where SQLITE_NOTADB surfaces. */
function inspectSchema(sqlite: Database.Database): SchemaState {
  const names = sqlite
    .prepare("select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite\\_%' escape '\\'")
    .pluck()
    .all() as string[];
  if (!names.includes(MIGRATION_TABLE)) {
    return names.length === 0 ? { kind: 'empty' } : { kind: 'foreign', tables: names.sort() };
  }
  const executed = sqlite.prepare(`select name from ${MIGRATION_TABLE} order by name`).pluck().all() as string[];
  return { kind: 'migpatch', executed };
}

/** Refuses foreign and newer databases; returns the migrations still to run. */
function pendingMigrations(path: string, state: SchemaState): readonly string[] {
  if (state.kind === 'foreign') {
    const shown = state.tables.slice(0, 5).join(', ') + (state.tables.length > 5 ? ', ...' : '');
    throw new InputError(`${path} is an SQLite database but not a migpatch trace (tables: ${shown}); refusing to use it`);
  }
  const executed = state.kind === 'migpatch' ? state.executed : [];
  const unknown = executed.filter((name) => !MIGRATION_NAMES.includes(name));
  if (unknown.length > 0) {
    throw new InputError(`${path} was written by a newer migpatch (unknown schema migration ${unknown.join(', ')}); upgrade migpatch to use it`);
  }
  return MIGRATION_NAMES.filter((name) => !executed.includes(name));
}

async function ensureSchema(
  path: string, mode: OpenMode, sqlite: Database.Database, kysely: Kysely<TraceSchema>,
): Promise<void> {
  const state = inspectSchema(sqlite);
  const pending = pendingMigrations(path, state);
  if (mode === 'read') {
    if (state.kind === 'empty') throw new InputError(`${path} holds no migpatch trace yet (record a run first)`);
    if (pending.length > 0) {
      throw new InputError(`${path} has an older trace schema (missing ${pending.join(', ')}); open it once with a recording command to upgrade it`);
    }
    return;
  }
  if (pending.length > 0) await migrate(path, sqlite, kysely);
  checkLookupsMatchCode(sqlite);
}

/**
 * Runs the pending migrations atomically. Kysely does not wrap SQLite migrations in a transaction
 * (its adapter reports no transactional DDL), but SQLite's DDL is transactional: a raw
 * BEGIN IMMEDIATE around the migrator makes the upgrade all-or-nothing and serialises two processes
 * that open the same new file at once (the second waits, then finds nothing to do).
 */
async function migrate(path: string, sqlite: Database.Database, kysely: Kysely<TraceSchema>): Promise<void> {
  sqlite.exec('BEGIN IMMEDIATE');
  try {
    pendingMigrations(path, inspectSchema(sqlite)); // re-check under the lock
    const migrator = new Migrator({
      db: kysely,
      provider: new StaticMigrationProvider(),
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'setup';
      throw migrationError(error, failed);
    }
    sqlite.exec('COMMIT');
  } catch (e) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw e;
  }
}

function migrationError(error: unknown, migration: string): unknown {
  // SQLite errors (read-only file, disk full, locked) are the user's environment, translated later.
  if (error instanceof Database.SqliteError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new InternalError(`schema migration ${migration} failed: ${message}`);
}

/**
 * Lookup tables and views are generated from EVENT_KINDS by migrations. If the code's list changed
 * without a migration that refreshes them, old databases would silently lack the new kinds: fail
 * loudly instead, since that is a migpatch bug.
 */
function checkLookupsMatchCode(sqlite: Database.Database): void {
  const rows = sqlite.prepare('select code, name from event_kinds order by code').all() as { code: number; name: string }[];
  const same = rows.length === EVENT_KINDS.length
    && rows.every((r, i) => r.code === EVENT_KINDS[i]?.code && r.name === EVENT_KINDS[i]?.name);
  if (!same) throw new InternalError('event_kinds in the database differ from EVENT_KINDS: add a migration that refreshes them');
}

/** SQLite result codes that describe the user's file or environment, with how to say so. */
const SQLITE_USER_ERRORS: Readonly<Record<string, string>> = {
  SQLITE_NOTADB: 'is not an SQLite database',
  SQLITE_CORRUPT: 'is damaged (database disk image is malformed)',
  SQLITE_CANTOPEN: 'cannot be opened',
  SQLITE_READONLY: 'is read-only',
  SQLITE_PERM: 'cannot be written (permission denied)',
  SQLITE_AUTH: 'cannot be accessed (not authorised)',
  SQLITE_BUSY: 'is locked by another process',
  SQLITE_FULL: 'cannot grow: the disk is full',
  SQLITE_IOERR: 'cannot be read or written (I/O error)',
};

/**
 * Turns an SQLite error about the file into an {@link InputError} naming it; anything else is
 * returned unchanged. Matches extended codes by their primary prefix (SQLITE_READONLY_DBMOVED...).
 */
export function translateSqliteError(e: unknown, path: string): unknown {
  if (e instanceof InputError || !(e instanceof Database.SqliteError)) return e;
  const primary = Object.keys(SQLITE_USER_ERRORS).find((code) => e.code === code || e.code.startsWith(`${code}_`));
  return primary === undefined ? e : new InputError(`trace database ${path} ${SQLITE_USER_ERRORS[primary]}`);
}
