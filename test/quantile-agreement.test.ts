/**
 * One quantile definition for every command (docs/model.md, "Quantiles"): `diff`'s per-vCPU WAIT
 * p50 / p95, the sweep summary (p50, p95, p99) and the group verdicts' medians all interpolate
 * linearly (Hyndman & Fan type 7), exactly as SQLite's `median()` and `percentile()` do, so every
 * printed figure can be checked with `migpatch query`. Checked on the same samples through the
 * library functions, then end to end through the built CLI on real traces (`npm run build` first).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { median, summarize } from '../src/core/quantile.js';
import { summariseWaits } from '../src/query/wait-distribution.js';
import type { RunDiff } from '../src/query/run-diff.js';
import { migpatchJson } from './fixtures/cli.js';

/** SQLite's own median and percentiles of `values` (the SQLite that better-sqlite3 bundles). */
function sqliteQuantiles(values: readonly number[]): { p50: number; p95: number; p99: number } {
  const db = new Database(':memory:');
  try {
    db.exec('create table s (x real not null)');
    const insert = db.prepare('insert into s (x) values (?)');
    for (const v of values) insert.run(v);
    return db.prepare('select median(x) as p50, percentile(x, 95) as p95, percentile(x, 99) as p99 from s').get() as
      { p50: number; p95: number; p99: number };
  } finally {
    db.close();
  }
}

/** A deterministic sample of `n` values with ties and zeros (a small LCG; no randomness needed). */
function sample(n: number, seed: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(x % 7 === 0 ? 0 : x % 100_000);
  }
  return out;
}

describe('one quantile definition, on the same samples', () => {
  const samples: readonly (readonly number[])[] = [
    [5], [1, 2], [1, 2, 3, 4, 10], [0, 0, 0, 7], sample(16, 1), sample(63, 2), sample(1920, 3),
  ];

  test.each(samples.map((s) => [s.length, s] as const))('n = %i: diff, sweep, verdict and SQLite agree', (_n, values) => {
    const waits = summariseWaits(values); // what `diff` prints per run
    const sweep = summarize(values); // what `sweep` and `report --group` print per cell
    const sql = sqliteQuantiles(values);
    expect(waits.p50Ns).toBe(sweep.p50);
    expect(waits.p95Ns).toBe(sweep.p95);
    expect(median(values)).toBe(sweep.p50); // the group verdicts' medians
    expect(sweep.p50).toBeCloseTo(sql.p50, 6);
    expect(sweep.p95).toBeCloseTo(sql.p95, 6);
    expect(sweep.p99).toBeCloseTo(sql.p99, 6);
  });

  test('it is type 7, not nearest rank: the p95 of 1, 2, 3, 4, 10 is 8.8', () => {
    expect(summarize([1, 2, 3, 4, 10]).p95).toBeCloseTo(8.8, 9);
    expect(summariseWaits([10, 4, 3, 2, 1]).p95Ns).toBeCloseTo(8.8, 9);
    expect(sqliteQuantiles([1, 2, 3, 4, 10]).p95).toBeCloseTo(8.8, 9);
  });
});

describe('end to end: the figures the commands print equal SQLite over the trace', () => {
  let dir: string;
  let runId: number;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env['TMPDIR'] ?? '/tmp'), 'migpatch-quantile-'));
    runId = migpatchJson<{ runId: number }>(['record', '--db', 't.db', '--scenario', 'p8-to-p9', '--seed', '3'], dir).runId;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("diff's WAIT p50 / p95 equal median() / percentile() of the per-vCPU WAIT totals", () => {
    const d = migpatchJson<RunDiff>(['diff', String(runId), String(runId), '--db', 't.db'], dir);
    const db = new Database(path.join(dir, 't.db'), { readonly: true });
    try {
      // Every vCPU counts, those that never waited as 0 (state 4 is WAIT).
      const q = db.prepare(`select median(w) as p50, percentile(w, 95) as p95, count(*) as n from (
          select v.cpu, coalesce(sum(i.dur_ns), 0) as w from vcpus v
          left join cpu_intervals i on i.run_id = v.run_id and i.cpu = v.cpu and i.state = 4
          where v.run_id = ? group by v.cpu)`).get(runId) as { p50: number; p95: number; n: number };
      expect(d.wait.a.vcpus).toBe(q.n);
      expect(d.wait.a.p50Ns).toBeCloseTo(q.p50, 6);
      expect(d.wait.a.p95Ns).toBeCloseTo(q.p95, 6);
      expect(d.wait.a.p95Ns).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  test("sweep's p50 / p95 / p99 per metric equal median() / percentile() over the group's runs", () => {
    interface Summary { readonly p50: number; readonly p95: number; readonly p99: number; readonly n: number }
    interface SweepJson { readonly cells: readonly { readonly metrics: readonly { readonly name: string; readonly summary: Summary | null }[] }[] }
    const s = migpatchJson<SweepJson>(['sweep', '--db', 't.db', '--scenario', 'p8-to-p9', '--seeds', '1..7', '--group', 'g', '--jobs', '1'], dir);
    const db = new Database(path.join(dir, 't.db'), { readonly: true });
    try {
      const q = db.prepare(`select median(m.value) as p50, percentile(m.value, 95) as p95, percentile(m.value, 99) as p99,
          count(m.value) as n from metrics m join runs r using (run_id) where r.group_name = ? and m.name = ?`);
      let checked = 0;
      for (const m of s.cells[0]!.metrics) {
        if (m.summary === null) continue;
        const sql = q.get('g', m.name) as Summary;
        expect(m.summary.n).toBe(sql.n);
        expect(m.summary.p50).toBeCloseTo(sql.p50, 6);
        expect(m.summary.p95).toBeCloseTo(sql.p95, 6);
        expect(m.summary.p99).toBeCloseTo(sql.p99, 6);
        checked++;
      }
      expect(checked).toBeGreaterThan(10);
    } finally {
      db.close();
    }
  });
});
