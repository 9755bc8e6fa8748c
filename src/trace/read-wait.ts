/**
 * What the per-vCPU WAIT distribution of `diff` reads: the run's vCPUs and attempt spans, WAIT time
 * of one vCPU inside a span (one range seek on the (run_id, cpu, start_ns) key of `cpu_intervals`),
 * the cached `cpu_wait_total_ns` metric to check the windowed sums against, and the exact grouped
 * totals when they disagree. WAIT is the state code {@link CpuState.WAIT}.
 */
import { CpuState } from '../format/event-kinds.js';
import { firstRow } from './sync-query.js';
import type { TraceDb } from './trace-db.js';

/** An attempt from its start to the later of its end and its last target's resume (0 if neither). */
export interface AttemptSpanRow {
  readonly beginNs: number;
  readonly endNs: number;
}

/** The spans of the attempts of run `runId` that began, in attempt order. */
export function readAttemptSpans(db: TraceDb, runId: number): AttemptSpanRow[] {
  return db.sqlite.prepare(`select begin_ns as beginNs, max(coalesce(end_ns, 0), coalesce(last_resume_ns, 0)) as endNs
    from attempts where run_id = ? and begin_ns is not null order by attempt`).all(runId) as AttemptSpanRow[];
}

/** The end of run `runId` (null while it runs or when there is no such run). */
export function readRunEndNs(db: TraceDb, runId: number): number | null {
  return firstRow(db, db.kysely.selectFrom('runs').select('end_ns').where('run_id', '=', runId))?.end_ns ?? null;
}

/**
 * A reader of the WAIT time of one vCPU of run `runId` in intervals that begin within
 * `[fromNs, toNs]`, prepared once for many vCPUs and spans.
 */
export function waitInSpanReader(db: TraceDb, runId: number): (cpu: number, fromNs: number, toNs: number) => number {
  const stmt = db.sqlite.prepare(`select coalesce(sum(dur_ns), 0) from cpu_intervals
    where run_id = ? and cpu = ? and start_ns >= ? and start_ns <= ? and state = ${CpuState.WAIT}`).pluck();
  return (cpu, fromNs, toNs) => stmt.get(runId, cpu, fromNs, toNs) as number;
}

/** The stored value of metric `name` of run `runId`: null when undefined, undefined when absent. */
export function readStoredMetric(db: TraceDb, runId: number, name: string): number | null | undefined {
  return firstRow(db, db.kysely.selectFrom('metrics').select('value').where('run_id', '=', runId).where('name', '=', name))?.value;
}

/** WAIT time per vCPU of run `runId`, in one grouped pass over its intervals (vCPUs that never waited are absent). */
export function readWaitTotals(db: TraceDb, runId: number): { readonly cpu: number; readonly ns: number }[] {
  return db.sqlite.prepare(`select cpu, sum(dur_ns) as ns from cpu_intervals
    where run_id = ? and state = ${CpuState.WAIT} group by cpu`).all(runId) as { cpu: number; ns: number }[];
}
