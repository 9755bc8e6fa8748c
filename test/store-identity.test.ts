/**
 * File identity, checked before anything is written: a file of another application, a newer
 * schema, an inconsistent migration table or a damaged file is refused with exit 2 and a one-line
 * message naming the path and the reason, and stays byte-identical (no WAL switch, no journal, no
 * migration, same mtime). A v0.1.0 file is recognised as schema 8.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/core/errors.js';
import { ExitCode } from '../src/core/exit-code.js';
import { checkIntegrity, MIGPATCH_APPLICATION_ID } from '../src/trace/file-identity.js';
import { MIGRATION_NAMES, SCHEMA_VERSION } from '../src/trace/migrations.js';
import { SqliteSink } from '../src/trace/sqlite-sink.js';
import { openTraceDb, upgradeTraceDb, type OpenMode } from '../src/trace/trace-db.js';
import { migpatch } from './fixtures/cli.js';
import { batchesOf, fakeEvents, fakeMeta, fakeResult } from './fixtures/fake-run.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

/** The bytes, mtime and sibling files (journals) of a file, to show nothing touched it. */
interface Snapshot {
  readonly bytes: Buffer;
  readonly mtimeMs: number;
  readonly siblings: readonly string[];
}

function snapshot(file: string): Snapshot {
  return {
    bytes: fs.readFileSync(file),
    mtimeMs: fs.statSync(file).mtimeMs,
    siblings: fs.readdirSync(path.dirname(file)).sort(),
  };
}

function expectUntouched(file: string, before: Snapshot): void {
  const after = snapshot(file);
  expect(after.bytes.equals(before.bytes), 'same bytes').toBe(true);
  expect(after.mtimeMs).toBe(before.mtimeMs);
  expect(after.siblings).toEqual(before.siblings);
}

/** Expects every way of opening `file` to be refused with `message`, leaving it untouched. */
async function expectRefused(file: string, message: RegExp, modes: readonly OpenMode[] = ['write', 'read']): Promise<void> {
  const before = snapshot(file);
  for (const mode of modes) {
    const error: unknown = await openTraceDb(file, mode).then(() => null, (e: unknown) => e);
    expect(error, mode).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(message);
    expect((error as InputError).message).toContain(file);
    expect((error as InputError).message).not.toContain('\n');
    expect((error as InputError).exitCode).toBe(ExitCode.Usage);
    expectUntouched(file, before);
  }
  const upgrade: unknown = await upgradeTraceDb(file).then(() => null, (e: unknown) => e);
  expect(upgrade).toBeInstanceOf(InputError);
  expectUntouched(file, before);
}

/** `migpatch record --db file` as a user types it: exit 2, one line naming the file, nothing written. */
function expectRecordRefused(file: string, message: RegExp): void {
  const before = snapshot(file);
  const r = migpatch(['record', '--db', file], path.dirname(file));
  expect(r.code).toBe(ExitCode.Usage);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd()).toMatch(message);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/ at .*\.js:\d+/);
  expectUntouched(file, before);
}

/** A database made by `build` in a fresh file, in rollback-journal mode like a closed trace. */
function makeDb(build: (db: Database.Database) => void): string {
  const file = path.join(tempDir(), 'trace.db');
  const db = new Database(file);
  build(db);
  db.close();
  return file;
}

async function recordFakeRun(file: string): Promise<void> {
  const db = await openTraceDb(file, 'write');
  const sink = new SqliteSink(db);
  const events = fakeEvents(2000);
  sink.begin(fakeMeta());
  for (const batch of batchesOf(events, 256)) sink.write(batch);
  sink.finish(fakeResult(events));
  db.close();
}

/** Kysely's migration table, as migpatch's migrator creates it, listing `names`. */
function migrationTable(db: Database.Database, names: readonly string[]): void {
  db.exec('create table migpatch_migration (name varchar(255) not null primary key, timestamp varchar(255) not null)');
  const insert = db.prepare("insert into migpatch_migration values (?, '2026-01-01T00:00:00.000Z')");
  for (const name of names) insert.run(name);
}

describe('file identity', () => {
  it('stamps a new trace with migpatch\'s application_id and the schema version', async () => {
    const file = path.join(tempDir(), 'trace.db');
    (await openTraceDb(file, 'write')).close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('application_id', { simple: true })).toBe(MIGPATCH_APPLICATION_ID);
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('delete');
    raw.close();
  });

  it('refuses a file of another application (foreign application_id)', async () => {
    const file = makeDb((db) => {
      db.pragma('application_id = 305419896');
      db.exec('create table runs (id integer primary key)');
    });
    await expectRefused(file, /belongs to another application \(application_id 0x12345678, migpatch's is 0x4d475054\); refusing/);
    expectRecordRefused(file, /^migpatch: trace database .*trace\.db belongs to another application/);
  });

  it('refuses another application\'s tables, even one named events, without switching it to WAL', async () => {
    const file = makeDb((db) => {
      db.exec('create table events (id integer primary key, what text)');
      db.prepare('insert into events (what) values (?)').run('birthday');
    });
    await expectRefused(file, /is an SQLite database but not a migpatch trace \(tables: events\); refusing/);
    expectRecordRefused(file, /not a migpatch trace \(tables: events\)/);
    const before = snapshot(file);
    const sweep = migpatch(['sweep', '--db', file, '--scenario', 'p8-to-p9', '--seeds', '1..2', '--jobs', '1'], path.dirname(file));
    expect(sweep.code).toBe(ExitCode.Usage);
    expect(sweep.stderr.trimEnd()).toMatch(/^migpatch: .*trace\.db is an SQLite database but not a migpatch trace/);
    expectUntouched(file, before);
  });

  it('refuses a migpatch_migration table of another schema (it used to exit 70: table "runs" already exists)', async () => {
    const file = makeDb((db) => {
      migrationTable(db, []);
      db.exec('create table runs (id integer primary key)');
    });
    await expectRefused(file, /has an inconsistent migpatch_migration table \(it lists no migration\); refusing/);
    expectRecordRefused(file, /inconsistent migpatch_migration table/);
  });

  it('refuses a migration table with a gap', async () => {
    const file = makeDb((db) => migrationTable(db, MIGRATION_NAMES.filter((n) => n !== '0004-derived').slice(0, 7)));
    await expectRefused(file, /inconsistent migpatch_migration table \(missing 0004-derived\)/);
  });

  it('refuses a newer schema, by user_version or by an unknown migration', async () => {
    const newer = makeDb((db) => {
      migrationTable(db, MIGRATION_NAMES);
      db.pragma(`application_id = ${MIGPATCH_APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    });
    await expectRefused(newer, new RegExp(`written by a newer migpatch \\(schema ${SCHEMA_VERSION + 1}, this build knows up to ${SCHEMA_VERSION}\\)`));
    expectRecordRefused(newer, /newer migpatch/);
    const unknown = makeDb((db) => migrationTable(db, [...MIGRATION_NAMES, '9000-future']));
    await expectRefused(unknown, /newer migpatch \(unknown schema migration 9000-future\)/);
  });

  it('refuses a header that contradicts the migration table', async () => {
    const file = makeDb((db) => {
      migrationTable(db, MIGRATION_NAMES.slice(0, 8));
      db.pragma('user_version = 5');
    });
    await expectRefused(file, /inconsistent header \(application_id 0x00000000, user_version 5\) for schema 8/);
    const stampedEmpty = makeDb((db) => db.pragma(`application_id = ${MIGPATCH_APPLICATION_ID}`));
    await expectRefused(stampedEmpty, /has a migpatch header but no tables/);
  });

  it('refuses a damaged trace before writing (quick_check), and a truncated one', async () => {
    const file = path.join(tempDir(), 'trace.db');
    await recordFakeRun(file);
    const raw = new Database(file, { readonly: true });
    const root = raw.prepare("select rootpage from sqlite_master where name = 'events'").pluck().get() as number;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    // Scribble over the b-tree page that holds the events: the schema still reads, the data does not.
    const bytes = fs.readFileSync(file);
    bytes.fill(0xa5, (root - 1) * pageSize, root * pageSize);
    fs.writeFileSync(file, bytes);
    await expectRefused(file, /is damaged \(quick_check: .+\); refusing/, ['write']);
    expectRecordRefused(file, /is damaged/);
    // Above the size bound a writer skips quick_check (it reads every page); upgrade never does.
    const check = new Database(file, { readonly: true });
    expect(() => checkIntegrity(check, file, 0)).not.toThrow();
    expect(() => checkIntegrity(check, file, Number.POSITIVE_INFINITY)).toThrow(/is damaged/);
    check.close();

    const truncated = path.join(tempDir(), 'trace.db');
    await recordFakeRun(truncated);
    fs.truncateSync(truncated, fs.statSync(truncated).size - 3 * pageSize);
    await expectRefused(truncated, /is damaged \(truncated: its header counts \d+ pages of 4096 bytes, the file has \d+ bytes\)/, ['write']);
  });

  it('refuses a file that is not a database without letting SQLite open it', async () => {
    const file = path.join(tempDir(), 'notes.db');
    fs.writeFileSync(file, 'SQLite is great, but this is a text file\n'.repeat(200));
    await expectRefused(file, /trace database .*notes\.db is not an SQLite database$/);
    expectRecordRefused(file, /notes\.db is not an SQLite database$/);
  });

  it('initialises an empty file, and recognises a v0.1.0 file (application_id 0, user_version 0) as schema 8', async () => {
    const empty = path.join(tempDir(), 'trace.db');
    fs.writeFileSync(empty, '');
    const db = await openTraceDb(empty, 'write');
    expect(db.schemaVersion).toBe(SCHEMA_VERSION);
    db.close();

    const old = path.join(tempDir(), 'old.db');
    fs.copyFileSync('test/fixtures/traces/v0.1.0.db', old);
    const before = snapshot(old);
    const read = await openTraceDb(old, 'read');
    expect(read.schemaVersion).toBe(8);
    read.close();
    expectUntouched(old, before);
  });
});
