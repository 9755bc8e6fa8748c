/**
 * The data of the report's accounting chart: truth and charged time per time bucket
 * (`acct_series`, written when the run finished, so this is one short range read however long the
 * run), the accounting windows and the migration, and the zoom that makes a short stale window
 * readable next to the whole run.
 */
import { readAcctSeries } from '../trace/read-report.js';
import type { TraceDb } from '../trace/trace-db.js';
import type { MigrationFacts, WindowFacts } from './run-facts.js';

/** Accounting per bucket, in columns. `error` is NaN where a bucket holds no truth. */
export interface AcctBuckets {
  readonly count: number;
  readonly startNs: Float64Array;
  readonly endNs: Float64Array;
  readonly truthNs: Float64Array;
  readonly chargedNs: Float64Array;
}

/** A time range a chart panel shows. */
export interface TimeRange {
  readonly fromNs: number;
  readonly toNs: number;
}

/** Everything the accounting chart draws. */
export interface AccountingData {
  readonly runEndNs: number;
  readonly buckets: AcctBuckets;
  readonly windows: readonly WindowFacts[];
  readonly migration: MigrationFacts | null;
  /** A close-up of downtime and stale window, when they are too short to see in the whole run. */
  readonly zoom: TimeRange | null;
}

/** The zoom is worth a panel only when it is at most this share of the run. */
const ZOOM_MAX_SHARE = 0.25;

/** Loads the accounting series of a complete run. */
export function loadAccounting(
  db: TraceDb, runId: number, runEndNs: number, windows: readonly WindowFacts[], migration: MigrationFacts | null,
): AccountingData {
  const rows = readAcctSeries(db, runId);
  const buckets: AcctBuckets = {
    count: rows.length,
    startNs: Float64Array.from(rows, (r) => r[0]),
    endNs: Float64Array.from(rows, (r) => r[0] + r[1]),
    truthNs: Float64Array.from(rows, (r) => r[2]),
    chargedNs: Float64Array.from(rows, (r) => r[3]),
  };
  const bucketNs = rows[0]?.[1] ?? 0;
  return { runEndNs, buckets, windows, migration, zoom: zoomRange(runEndNs, bucketNs, windows, migration) };
}

/** From a little before the pause to a little after the stale window ends; null if not needed. */
function zoomRange(
  runEndNs: number, bucketNs: number, windows: readonly WindowFacts[], migration: MigrationFacts | null,
): TimeRange | null {
  const stale = windows.find((w) => w.window === 'stale');
  const from = migration?.pauseNs ?? stale?.beginNs ?? null;
  const to = stale?.endNs ?? migration?.resumeNs ?? null;
  if (from === null || to === null || !(to > from)) return null;
  const pad = Math.max(5 * bucketNs, Math.round((to - from) * 0.4));
  const range = { fromNs: Math.max(0, from - pad), toNs: Math.min(runEndNs, to + pad) };
  return range.toNs - range.fromNs <= runEndNs * ZOOM_MAX_SHARE ? range : null;
}
