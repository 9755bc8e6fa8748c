/**
 * `replay verify`: fresh runs of every built-in scenario verify; a copy of a trace with one event
 * altered fails at that event and column; a changed seed (the model no longer reproduces the trace)
 * fails too; another tool version is refused unless forced. Exit codes and messages come from the
 * built CLI in a separate process, on real SQLite files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordToTrace } from '../src/app/record-to-trace.js';
import { verifyRun, type VerifyReport } from '../src/replay/verify.js';
import { BUILTIN_SCENARIOS } from '../src/scenario/builtins.js';
import { EVENT_HASH_CHUNK } from '../src/format/event-hash.js';
import { Ev } from '../src/format/event-kinds.js';
import { openTraceDb } from '../src/trace/trace-db.js';
import { TOOL_VERSION } from '../src/version.js';
import { migpatch } from './fixtures/cli.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

const digest = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Runs SQL on a trace file outside migpatch (as a user editing a copy would). */
function edit(file: string, sql: string, ...params: (number | string)[]): void {
  const db = new Database(file);
  db.prepare(sql).run(...params);
  db.close();
}

function eventAt(file: string, sql: string): { seq: number; kind: number } {
  const db = new Database(file, { readonly: true });
  const row = db.prepare(sql).get() as { seq: number; kind: number };
  db.close();
  return row;
}

describe('every built-in scenario verifies when freshly recorded', () => {
  // e1080-1920 is verified in replay-e1080.test.ts, on a shortened run.
  const names = BUILTIN_SCENARIOS.map((s) => s.name).filter((n) => n !== 'e1080-1920');

  test.each(names)('%s', async (name) => {
    const dbPath = path.join(tempDir(), 'trace.db');
    await recordToTrace({ scenario: name, seed: 3, protocol: null, sets: [], label: null, dbPath });
    const db = await openTraceDb(dbPath, 'read');
    const report = await verifyRun(db, { run: 'last', force: false });
    db.close();
    expect(report.verdict).toMatch(/^identical/);
    expect(report).toMatchObject({ identical: true, divergence: null, firstAlteredChunk: -1, firstModelChunk: -1 });
    expect(report.events.trace).toBe(report.events.replayed);
    expect(report.eventHash.trace).toBe(report.eventHash.recorded);
  });
});

describe('replay verify on the command line', () => {
  // One recording for the whole block (useTempDirs empties its folders after each test).
  let dir: string;
  let original: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-verify-'));
    original = path.join(dir, 'trace.db');
    expect(migpatch(['record', '--db', original], dir).code).toBe(0);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const copy = (name: string): string => {
    const file = path.join(dir, name);
    fs.copyFileSync(original, file);
    return file;
  };

  test('a fresh run: exit 0, identical, and the file is left byte-identical', () => {
    const file = copy('fresh.db');
    const before = digest(file);
    const r = migpatch(['replay', 'verify', '1', '--db', file], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/identical: the re-simulation reproduces all \d+ events/);
    expect(digest(file)).toBe(before);
  });

  test('an altered acct event: exit 1 at its seq, naming the column (c, charged_ns), both values side by side', () => {
    const file = copy('acct.db');
    const target = eventAt(file, `select seq, kind from events where run_id = 1 and kind = ${Ev.ACCT} and seq > 4000 order by seq limit 1`);
    edit(file, 'update events set c = c + 1 where run_id = 1 and seq = ?', target.seq);
    const r = migpatch(['replay', 'verify', '1', '--db', file], dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`migpatch: run 1 does not verify at seq ${target.seq}, column c (charged_ns)`]);
    expect(r.stdout).toContain(`first divergent event: seq ${target.seq}`);
    expect(r.stdout).toMatch(/c \(charged_ns\)\s*│\s*\d+\s*│\s*\d+\s*│ ≠/);
    expect(r.stdout).toMatch(/the trace was changed after it was recorded/);
    const json = migpatch(['replay', 'verify', '1', '--db', file, '--json'], dir);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as VerifyReport;
    expect(report.identical).toBe(false);
    expect(report.divergence?.seq).toBe(target.seq);
    expect(report.divergence?.columns.filter((c) => c.differs).map((c) => [c.column, c.traceName])).toEqual([['c', 'charged_ns']]);
    const c = report.divergence!.columns.find((x) => x.column === 'c')!;
    expect(Number(c.trace) - Number(c.replayed)).toBe(1);
    expect(report.firstAlteredChunk).toBe(0);
    expect(report.firstModelChunk).toBe(-1);
  });

  test('an altered vCPU of an ipi_send: exit 1, column cpu', () => {
    const file = copy('ipi.db');
    const target = eventAt(file, `select seq, kind from events where run_id = 1 and kind = ${Ev.IPI_SEND} order by seq limit 1 offset 3`);
    edit(file, 'update events set cpu = cpu + 1 where run_id = 1 and seq = ?', target.seq);
    const r = migpatch(['replay', 'verify', '1', '--db', file, '--json'], dir);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as VerifyReport;
    expect(report.divergence?.seq).toBe(target.seq);
    expect(report.divergence?.columns.filter((c) => c.differs).map((c) => c.column)).toEqual(['cpu']);
    expect(report.divergence?.columns.find((c) => c.column === 'kind')).toMatchObject({ trace: 'ipi_send', replayed: 'ipi_send' });
  });

  test('a changed seed: the re-simulation no longer matches the recording (exit 1, model chunk 0)', () => {
    const file = copy('seed.db');
    edit(file, 'update runs set seed = seed + 1 where run_id = 1');
    const r = migpatch(['replay', 'verify', '1', '--db', file, '--json'], dir);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as VerifyReport;
    expect(report).toMatchObject({ identical: false, firstAlteredChunk: -1, firstModelChunk: 0 });
    expect(report.verdict).toMatch(/^the re-simulation diverges from the trace at seq \d+/);
    expect(report.divergence).not.toBeNull();
  });

  test('another tool version: exit 2 without --force, one line, nothing printed; with --force an identical run exits 0', () => {
    const file = copy('version.db');
    edit(file, "update runs set tool_version = '0.0.1' where run_id = 1");
    const before = digest(file);
    const r = migpatch(['replay', 'verify', '1', '--db', file], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      `migpatch: run 1 was recorded by migpatch 0.0.1, this is ${TOOL_VERSION}: the model may differ, so a divergence would mean nothing; pass --force to compare anyway`,
    ]);
    const forced = migpatch(['replay', 'verify', '1', '--db', file, '--force'], dir);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/recorded by migpatch 0\.0\.1, replayed by/);
    expect(forced.stdout).toMatch(/identical/);
    expect(digest(file)).toBe(before);
  });

  test('an unknown run, a run that never finished and a foreign database: exit 2, one line each', () => {
    const unknown = migpatch(['replay', 'verify', '9', '--db', original], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^migpatch: unknown run 9 in .*trace\.db\n$/);
    const file = copy('running.db');
    edit(file, "update runs set status = 'running', event_count = null, event_hash = null, end_ns = null, wall_ms = null, violations = null where run_id = 1");
    const running = migpatch(['replay', 'verify', '1', '--db', file], dir);
    expect(running.code).toBe(2);
    // Its writer (a process that has exited) is gone, so every reader shows the run interrupted.
    expect(running.stderr).toMatch(/^migpatch: run 1 was interrupted and has no results \(its writer \(process \d+ on .+\) is gone\)[^\n]*\n$/);
    const foreign = path.join(dir, 'foreign.db');
    edit(foreign, 'create table t (x)');
    const f = migpatch(['replay', 'verify', '1', '--db', foreign], dir);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/^migpatch: .*not a migpatch trace/);
    for (const r of [unknown, running, f]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('a divergence past the first chunk', () => {
  test('is found in its chunk, by hash, and reported at the right seq', async () => {
    const dbPath = path.join(tempDir(), 'long.db');
    await recordToTrace({ scenario: 'p8-to-p9', seed: 1, protocol: null, sets: ['run.durationNs=30000000000'], label: null, dbPath });
    const seq = EVENT_HASH_CHUNK + 1234;
    edit(dbPath, 'update events set t_ns = t_ns + 1 where run_id = 1 and seq = ?', seq);
    const db = await openTraceDb(dbPath, 'read');
    const report = await verifyRun(db, { run: '1', force: false });
    db.close();
    expect(report.identical).toBe(false);
    expect(report.divergence).toMatchObject({ seq, chunk: 1 });
    expect(report.divergence?.columns.filter((c) => c.differs).map((c) => c.column)).toEqual(['t_ns']);
    expect(report.firstAlteredChunk).toBe(1);
  });
});
