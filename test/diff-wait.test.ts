/**
 * Per-vCPU WAIT totals (src/query/wait-distribution.ts) on real traces: the fast path (one range
 * seek per vCPU and attempt) equals a full SQL sum, and when it cannot prove itself complete
 * against the cached metric it falls back to the exact grouped sum.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { recordToTrace } from '../src/app/record-to-trace.js';
import { waitTotalsByCpu } from '../src/query/wait-distribution.js';
import { openTraceDb, type TraceDb } from '../src/trace/trace-db.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

async function recorded(scenario: string): Promise<{ file: string; runId: number }> {
  const file = path.join(tempDir(), 'trace.db');
  const out = await recordToTrace({ scenario, seed: 1, protocol: null, sets: [], label: null, dbPath: file });
  return { file, runId: out.runId as number };
}

/** Per-vCPU WAIT sums by one plain SQL query. */
function sqlTotals(db: TraceDb, runId: number): number[] {
  const vcpus = db.sqlite.prepare('select count(*) from vcpus where run_id = ?').pluck().get(runId) as number;
  const totals = new Array<number>(vcpus).fill(0);
  const rows = db.sqlite.prepare('select cpu, sum(dur_ns) as ns from cpu_intervals where run_id = ? and state = 4 group by cpu')
    .all(runId) as { cpu: number; ns: number }[];
  for (const r of rows) totals[r.cpu] = r.ns;
  return totals;
}

describe('waitTotalsByCpu', () => {
  test.each(['p8-to-p9', 'hung-cpu', 'same-hardware'])('%s: equals the SQL sum per vCPU', async (scenario) => {
    const { file, runId } = await recorded(scenario);
    const db = await openTraceDb(file, 'read');
    expect(Array.from(waitTotalsByCpu(db, runId))).toEqual(sqlTotals(db, runId));
    db.close();
  });

  test('falls back to the exact sum when the windowed sums disagree with the cached metric', async () => {
    const { file, runId } = await recorded('lost-ipi');
    const db = await openTraceDb(file, 'write');
    // A cache that no longer matches: the windowed sums cannot prove they saw every WAIT interval.
    db.sqlite.prepare("update metrics set value = value + 1 where run_id = ? and name = 'cpu_wait_total_ns'").run(runId);
    expect(Array.from(waitTotalsByCpu(db, runId))).toEqual(sqlTotals(db, runId));
    db.close();
  });
});
