/**
 * `sweep --resume` and `--allow-partial` turned down when they do not apply: the built binary,
 * real SQLite files. Each refusal is one line, exit 2, and leaves the file byte-identical. Groups
 * without a recorded plan (files written before schema 10) are taken as whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { migpatch } from './fixtures/cli.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

const SWEEP = ['sweep', '--scenario', 'p8-to-p9', '--set', 'guest.vcpus=8', '--seeds', '1..12', '--jobs', '1', '--group', 'g'];

/** A folder with `trace.db` holding a whole 12-run group `g`. */
function sweptDir(): { dir: string; db: string } {
  const dir = tempDir();
  const db = path.join(dir, 'trace.db');
  const r = migpatch([...SWEEP, '--db', db], dir);
  expect(r.code, r.stderr).toBe(0);
  return { dir, db };
}

/** Expects exit 2 with one line naming `needle`, nothing on stdout, and `db` unchanged. */
function expectRefused(args: readonly string[], dir: string, db: string, needle: string): void {
  const before = fs.readFileSync(db);
  const r = migpatch(args, dir);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(needle);
  expect(r.stderr).not.toContain('    at ');
  expect(fs.readFileSync(db).equals(before)).toBe(true);
}

function write(db: string, sql: string): void {
  const h = new Database(db);
  try {
    h.exec(sql);
  } finally {
    h.close();
  }
}

describe('sweep --resume refusals', () => {
  test('a complete group, an unknown group, another version (unless --force), options of a new sweep', () => {
    const { dir, db } = sweptDir();
    const h = new Database(db, { readonly: true });
    expect(h.prepare("select planned_runs from sweeps where group_name = 'g'").pluck().get()).toBe(12);
    h.close();
    expectRefused(['sweep', '--resume', 'g', '--db', db], dir, db, 'sweep group g in ' + db + ' is complete (12 of 12 planned runs stored): nothing to resume');
    expectRefused(['sweep', '--resume', 'nope', '--db', db], dir, db, "no sweep group 'nope'");
    expectRefused(['sweep', '--resume', 'g', '--seeds', '1..3', '--db', db], dir, db, '--resume g re-runs the group\'s stored sweep: drop --seeds');
    expectRefused(['sweep', '--resume', 'g', '--group', 'h', '--events', '--db', db], dir, db, 'drop --group, --events');
    expectRefused(['sweep', '--seeds', '1..3', '--db', db], dir, db, '--scenario <name|file> is required (or --resume GROUP)');
    expectRefused(['sweep', '--scenario', 'p8-to-p9', '--db', db], dir, db, '--seeds <A..B> is required');
    expectRefused([...SWEEP.slice(0, -2), '--group', 'h', '--force', '--db', db], dir, db, '--force applies to --resume');
    expectRefused(['report', '1', '--allow-partial', '--db', db], dir, db, '--allow-partial applies to group reports');
    expectRefused(['diff', '1', '2', '--allow-partial', '--db', db], dir, db, '--allow-partial applies to group comparisons');

    // A group swept by another build would not give the same runs: refused unless --force.
    write(db, "update sweeps set tool_version = '0.0.1-other' where group_name = 'g'");
    expectRefused(['sweep', '--resume', 'g', '--db', db], dir, db, 'was swept by migpatch 0.0.1-other');
    expectRefused(['sweep', '--resume', 'g', '--force', '--db', db], dir, db, 'is complete');
  });

  test('a missing --db file is refused and not created', () => {
    const dir = tempDir();
    const r = migpatch(['sweep', '--resume', 'g', '--db', 'absent.db'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--db absent.db: no such trace database');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a group with no recorded plan (as written before schema 10) is whole to every reader', () => {
    const { dir, db } = sweptDir();
    // A group of an older file: no planned_runs, and here fewer runs than its seeds.
    write(db, `pragma foreign_keys = off; update sweeps set planned_runs = null;
      delete from runs where run_id = (select max(run_id) from runs)`);
    const report = migpatch(['report', '--group', 'g', '--db', db], dir);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).not.toContain('incomplete');
    const runs = migpatch(['runs', '--db', db, '--json'], dir);
    expect(runs.stderr).toBe('');
    expect((JSON.parse(runs.stdout) as { incompleteGroup: string | null }[]).every((r) => r.incompleteGroup === null)).toBe(true);
    // Resume still knows the plan from the parameters: it adds the missing run and records the plan.
    const resumed = migpatch(['sweep', '--resume', 'g', '--db', db, '--json'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as { runs: number; plannedRuns: number }).runs).toBe(1);
    const h = new Database(db, { readonly: true });
    expect(h.prepare("select planned_runs from sweeps where group_name = 'g'").pluck().get()).toBe(12);
    expect(h.prepare("select count(*) from runs where group_name = 'g' and status = 'complete'").pluck().get()).toBe(12);
    h.close();
  });

  test('a group of a real schema-9 file is whole, before and after upgrade', () => {
    const dir = tempDir();
    const db = path.join(dir, 'old.db');
    fs.copyFileSync(path.resolve('test/fixtures/traces/schema-9.db'), db);
    for (const step of ['as written', 'upgraded']) {
      if (step === 'upgraded') expect(migpatch(['upgrade', '--db', db], dir).code).toBe(0);
      const report = migpatch(['report', '--group', 'sweep-1', '--db', db], dir);
      expect(report.code, `${step}: ${report.stderr}`).toBe(0);
      expect(report.stdout).not.toContain('incomplete');
      const runs = migpatch(['runs', '--db', db], dir);
      expect(runs.code).toBe(0);
      expect(runs.stderr, step).toBe('');
    }
  });
});
