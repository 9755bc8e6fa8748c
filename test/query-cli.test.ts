/**
 * `migpatch query` as a user runs it: the built binary in a separate process, on a real trace
 * recorded into a temporary folder. Covers the three formats, headers without rows, exact big
 * integers, RFC 4180 quoting, the hints on SQL errors, the table cap, and the read-only contract:
 * every kind of write is refused with exit 2 and leaves the files byte-identical.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migpatch, type CliResult } from './fixtures/cli.js';

let dir = '';
const DB = 'trace.db';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-query-'));
  const r = migpatch(['record', '--db', DB], dir);
  if (r.code !== 0) throw new Error(`record failed: ${r.stderr}`);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const query = (sql: string, ...args: string[]): CliResult => migpatch(['query', sql, '--db', DB, ...args], dir);

/** A usage or input error: exit 2, one line on stderr starting `migpatch: `, no stack trace. */
function expectRefused(r: CliResult, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^migpatch: [^\n]+\n$/); // one line: no stack trace
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe('');
}

/** SHA-256 of each of the database's files, 'absent' for a missing one. */
function digests(db: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const suffix of ['', '-wal', '-shm']) {
    const file = path.join(dir, db + suffix);
    out[db + suffix] = fs.existsSync(file) ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') : 'absent';
  }
  return out;
}

describe('query output', () => {
  test('a table with the column headers and one line per row', () => {
    const r = query('select run_id, scenario_name, status from runs');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ run_id │ scenario_name │ status\s+│/);
    expect(r.stdout).toMatch(/│ 1\s+│ p8-to-p9\s+│ complete │/);
  });

  test('headers are shown even when no row matches, in every format', () => {
    const sql = 'select run_id, seq, t_ns from events where 0';
    const table = query(sql);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ run_id │ seq │ t_ns │/);
    expect(table.stdout.trim().split('\n')).toHaveLength(3); // top border, header, bottom border
    expect(query(sql, '--format', 'csv').stdout).toBe('run_id,seq,t_ns\r\n');
    expect(query(sql, '--format', 'json').stdout).toBe('[]\n');
  });

  test('CSV follows RFC 4180: CRLF, quoted commas, doubled quotes, embedded newlines; NULL is empty', () => {
    const r = query(`select 'a,b' as "x,y", 'say "hi"' as q, 'line1' || char(10) || 'line2' as nl, null as n, 2.5 as r`, '--format', 'csv');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('"x,y",q,nl,n,r\r\n"a,b","say ""hi""","line1\nline2",,2.5\r\n');
  });

  test('integers beyond 2^53 are printed exactly in every format', () => {
    const sql = 'select 9223372036854775807 as big, 9007199254740993 as odd';
    expect(query(sql, '--format', 'csv').stdout).toBe('big,odd\r\n9223372036854775807,9007199254740993\r\n');
    expect(query(sql, '--format', 'json').stdout).toContain('"big":9223372036854775807,"odd":9007199254740993');
    expect(query(sql).stdout).toContain('9223372036854775807');
  });

  test('JSON is an array of row objects; repeated column names get a suffix', () => {
    const r = query('select run_id, run_id, scenario_name, x\'00ff\' as blob from runs', '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ run_id: 1, run_id_2: 1, scenario_name: 'p8-to-p9', blob: "x'00ff'" }]);
  });

  test('CSV and JSON stream every row of a large result; the same rows in both', () => {
    const sql = 'select seq, t_ns, kind from events where run_id = 1 order by seq';
    const count = Number(query('select count(*) from events where run_id = 1', '--format', 'csv').stdout.split('\r\n')[1]);
    expect(count).toBeGreaterThan(5000);
    const csv = query(sql, '--format', 'csv');
    const lines = csv.stdout.split('\r\n');
    expect(lines).toHaveLength(count + 2); // header, rows, and the empty string after the last CRLF
    const json = JSON.parse(query(sql, '--format', 'json').stdout) as { seq: number; t_ns: number; kind: number }[];
    expect(json).toHaveLength(count);
    expect(lines[count]).toBe(`${json[count - 1]!.seq},${json[count - 1]!.t_ns},${json[count - 1]!.kind}`);
  });

  test('a table is capped: more rows than --max-rows is refused with a pointer to csv or json', () => {
    expect(query('select seq from events limit 5', '--max-rows', '5').code).toBe(0);
    expectRefused(query('select seq from events limit 6', '--max-rows', '5'), /more than 5 rows.*--format csv/);
    expectRefused(query('select * from events'), /more than 1000 rows, too many for a table/);
  });

  test('percentile and median are available (used by docs/queries.md)', () => {
    const r = query('with recursive s(v) as (select 1 union all select v + 1 from s where v < 11) ' +
      'select median(v) as m, percentile(v, 90) as p90 from s', '--format', 'csv');
    expect(r.stdout).toBe('m,p90\r\n6,10\r\n');
  });
});

describe('SQL errors: SQLite\'s message, a hint, exit 2', () => {
  test('double quotes are identifiers here: the hint says to use single quotes', () => {
    const r = query('select * from runs where scenario_name = "p8-to-p9"');
    expectRefused(r, /no such column: "p8-to-p9"/);
    expect(r.stderr).toMatch(/hint: .*single quotes: 'p8-to-p9'/);
  });

  test('an unknown table: the closest name and the list of tables and views', () => {
    const r = query('select * from event');
    expectRefused(r, /no such table: event; hint: did you mean events\?/);
    expect(r.stderr).toMatch(/cpu_intervals, .*ipi, .*ev_<kind>/);
  });

  test('an unknown column: the closest name and the columns of the tables in the query', () => {
    expectRefused(query('select tns from events'), /no such column: tns; hint: did you mean t_ns\? columns: events\(run_id, seq, t_ns/);
  });

  test('an unknown function, an ambiguous column, a syntax error', () => {
    expectRefused(query('select medain(t_ns) from events'), /no such function: medain; hint: did you mean median\?/);
    expectRefused(query('select run_id from runs r join hosts h on h.run_id = r.run_id'), /ambiguous column name: run_id; hint: .*qualify/);
    expectRefused(query('selec 1'), /near "selec": syntax error/);
  });

  test('exactly one statement', () => {
    expectRefused(query('select 1; select 2'), /exactly one SQL statement/);
    expectRefused(query('  -- nothing'), /needs an SQL statement/);
    expect(query('select 1; -- trailing comment').code).toBe(0);
  });

  test('an unknown format is a usage error', () => {
    expectRefused(query('select 1', '--format', 'xml'), /--format.*'xml' is invalid.*table, csv, json/);
  });
});

describe('read-only: a write is refused and the files stay byte-identical', () => {
  const writes: [string, RegExp][] = [
    ["insert into runs (label) values ('x')", /INSERT statement would modify/],
    ["update runs set label = 'x'", /UPDATE statement would modify/],
    ['delete from events', /DELETE statement would modify/],
    ["replace into metrics (run_id, name, ord, unit, better) values (1, 'x', 0, 'ns', 'lower')", /REPLACE statement would modify/],
    ['create table t (a)', /CREATE statement would modify/],
    ['create temp table t (a)', /CREATE statement would modify/],
    ['drop table runs', /DROP statement would modify/],
    ['create index i on events (t_ns)', /CREATE statement would modify/],
    ['with x as (select 1) insert into runs (label) select * from x', /WITH statement would modify/],
    ["attach 'other.db' as o", /ATTACH statement returns none/],
    ["vacuum into 'copy.db'", /VACUUM statement would modify/],
    ['vacuum', /VACUUM statement would modify/],
    ['pragma user_version = 7', /PRAGMA statement would modify/],
    ['pragma journal_mode = delete', /PRAGMA statement would modify/],
    ['pragma foreign_keys = off', /PRAGMA statement returns none/],
    ['analyze', /ANALYZE statement would modify/],
    ['begin immediate', /BEGIN statement would modify|BEGIN statement returns none/],
    ['/* sneaky */ delete from runs', /DELETE statement would modify/],
  ];

  test.each(writes)('%s', (sql, message) => {
    // A read first, so that the WAL index files SQLite creates on a read-only open exist (see the next test).
    expect(query('select count(*) from runs').code).toBe(0);
    const before = digests(DB);
    expectRefused(query(sql), message);
    expect(digests(DB)).toEqual(before);
    expect(fs.existsSync(path.join(dir, 'copy.db'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'other.db'))).toBe(false);
    const runs = new Database(path.join(dir, DB), { readonly: true });
    try {
      expect(runs.prepare('select count(*) from runs where label is null').pluck().get()).toBe(1);
    } finally {
      runs.close();
    }
  });

  test('a fresh database file is byte-identical after queries and refused writes', () => {
    const fresh = path.join(dir, 'fresh.db');
    fs.copyFileSync(path.join(dir, DB), fresh);
    const before = digests('fresh.db')['fresh.db'];
    expect(migpatch(['query', 'select count(*) from events', '--db', 'fresh.db'], dir).code).toBe(0);
    expect(migpatch(['query', 'delete from events', '--db', 'fresh.db'], dir).code).toBe(2);
    expect(digests('fresh.db')['fresh.db']).toBe(before);
  });

  // A read-only connection to a WAL database would create -wal and -shm files it cannot remove;
  // the recorder leaves traces in rollback-journal mode when it closes them (trace-db.ts).
  test('a read-only open creates no -wal or -shm file', () => {
    const fresh = path.join(dir, 'untouched.db');
    fs.copyFileSync(path.join(dir, DB), fresh);
    expect(migpatch(['query', 'select 1', '--db', 'untouched.db'], dir).code).toBe(0);
    expect(digests('untouched.db')).toEqual({ 'untouched.db': expect.any(String), 'untouched.db-wal': 'absent', 'untouched.db-shm': 'absent' });
  });
});

describe('bad databases: one line, exit 2, nothing created or modified', () => {
  test('a missing file is not created', () => {
    expectRefused(migpatch(['query', 'select 1', '--db', 'missing.db'], dir), /no trace database at missing\.db/);
    expect(fs.existsSync(path.join(dir, 'missing.db'))).toBe(false);
  });

  test('an empty SQLite database and a foreign one are refused and left as they were', () => {
    const empty = path.join(dir, 'empty.db');
    new Database(empty).close();
    const foreign = path.join(dir, 'foreign.db');
    const f = new Database(foreign);
    f.exec('create table notes (body text)');
    f.close();
    const before = [digests('empty.db'), digests('foreign.db')];
    expectRefused(migpatch(['query', 'select 1', '--db', 'empty.db'], dir), /empty\.db holds no migpatch trace/);
    expectRefused(migpatch(['query', 'select * from notes', '--db', 'foreign.db'], dir), /foreign\.db is an SQLite database but not a migpatch trace/);
    expect([digests('empty.db'), digests('foreign.db')]).toEqual(before);
  });

  test('a text file is not an SQLite database', () => {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a database\n'.repeat(100));
    expectRefused(migpatch(['query', 'select 1', '--db', 'notes.txt'], dir), /notes\.txt is not an SQLite database/);
  });
});
