/**
 * The failing runs of a stored sweep group — runs that failed, or completed with invariant
 * violations their scenario does not expect — each with the `migpatch record` line that records it
 * in full. Found by SQL over `runs` (the scenario says whether violations are expected).
 */
import { readFailingRuns } from '../trace/sweep-store.js';
import type { TraceDb } from '../trace/trace-db.js';
import type { CellIdentity } from './cell-samples.js';
import { recordLineFor } from './full-trace.js';

/** A failing run of a group (in its cell). */
export interface GroupFailure extends CellIdentity {
  readonly runId: number;
  readonly seed: number;
  /** Violations of a complete run; null for a run that failed. */
  readonly violations: number | null;
  /** Why a failed run failed. */
  readonly reason: string | null;
  readonly reproduce: string;
}

/** The failing runs of a group, at most `limit` of them, and how many there are in all. */
export function groupFailures(db: TraceDb, group: string, limit: number): { readonly total: number; readonly runs: GroupFailure[] } {
  const { total, rows } = readFailingRuns(db, group, limit);
  return {
    total,
    runs: rows.map((r) => ({
      runId: r.runId, seed: r.seed, protocol: r.protocol,
      grid: r.gridJson === null ? {} : (JSON.parse(r.gridJson) as Record<string, unknown>),
      violations: r.status === 'complete' ? r.violations : null,
      reason: r.status === 'failed' ? r.failReason : null,
      reproduce: recordLineFor(db, r),
    })),
  };
}
