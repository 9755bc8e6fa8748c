/**
 * Every metric of docs/model.md ("Metrics") recomputed with SQL from the recorded events alone (the
 * `ev_*` views). The `metrics` table is a cache written by the recorder; this is the independent
 * second computation that the tests compare it with on every built-in scenario. Each query
 * takes the run id as `@run` and returns one row with one column, `value` (NULL when undefined).
 *
 * Windows and attempt ranges are cut by `seq`, as the analyser cuts them (see run-analyzer.ts).
 * Codes (attempt outcome, vCPU state) are interpolated from the named constants of
 * src/format/event-kinds.ts, never written as bare numbers.
 */
import { assert } from '../core/assert.js';
import { CpuState, Outcome } from '../format/event-kinds.js';
import { METRICS } from '../format/metric-defs.js';
import type { MetricRow } from '../format/trace-types.js';
import type { TraceDb } from './trace-db.js';

// Named pieces reused by several metrics. All are scalar subqueries over one run.
const RESUME_SEQ = `(select min(seq) from ev_mig_resume where run_id = @run)`;
const RESUME_T = `(select min(t_ns) from ev_mig_resume where run_id = @run)`;
const PAUSE_SEQ = `(select min(seq) from ev_mig_pause where run_id = @run)`;
const END_T = `(select t_ns from ev_run_end where run_id = @run)`;
const PATCH_PLANNED = `exists (select 1 from ev_detect where run_id = @run and patches > 0 and seq > ${RESUME_SEQ})`;
const SYNC_SEQ = `(select min(seq) from ev_sync where run_id = @run and seq > ${RESUME_SEQ})`;
const SYNC_T = `(select t_ns from ev_sync where run_id = @run and seq = ${SYNC_SEQ})`;
// The attempt that patched, where its range of events begins, and where the next attempt begins.
const PATCHED = `(select attempt from ev_attempt_end where run_id = @run and outcome = ${Outcome.PATCHED} order by seq limit 1)`;
const PATCHED_BEGIN_SEQ = `(select seq from ev_attempt_begin where run_id = @run and attempt = ${PATCHED})`;
const NEXT_BEGIN_SEQ = `coalesce((select min(seq) from ev_attempt_begin where run_id = @run and seq > ${PATCHED_BEGIN_SEQ}), 9e18)`;
const PATCHED_BEGIN_T = `(select t_ns from ev_attempt_begin where run_id = @run and attempt = ${PATCHED})`;
const IN_PATCHED = `run_id = @run and seq > ${PATCHED_BEGIN_SEQ} and seq < ${NEXT_BEGIN_SEQ}`;
const FIRST_WRITE_T = `(select min(t_ns) from ev_patch_begin where ${IN_PATCHED})`;
const LAST_SYNC_T = `(select max(t_ns) from ev_sync where ${IN_PATCHED})`;
const LAST_RESUME_T = `(select max(t_ns) from ev_cpu_state where run_id = @run and prev_state = ${CpuState.WAIT}
  and seq > ${PATCHED_BEGIN_SEQ} and seq < ${NEXT_BEGIN_SEQ})`;
// Time each vCPU spent in WAIT: each WAIT entry lasts until the vCPU's next state change.
const WAIT_PER_CPU = `(select cpu, sum(t_next - t_ns) as wait_ns from (
    select cpu, state, t_ns, lead(t_ns, 1, ${END_T}) over (partition by cpu order by seq) as t_next
    from ev_cpu_state where run_id = @run) where state = ${CpuState.WAIT} group by cpu)`;

/** SQL returning the sums of one accounting window, selected by a predicate on `seq`. */
function windowError(seqPredicate: string): string {
  return `select case when sum(truth_ns) > 0 then (sum(charged_ns) - sum(truth_ns)) / sum(truth_ns) end as value
    from ev_acct where run_id = @run and ${seqPredicate}`;
}

/** One query per metric, keyed by metric name. */
export const METRIC_SQL: Readonly<Record<string, string>> = {
  quiesce_ns: `select ${LAST_RESUME_T} - ${PATCHED_BEGIN_T} as value`,
  rendezvous_ns: `select ${FIRST_WRITE_T} - ${PATCHED_BEGIN_T} as value`,
  patch_ns: `select ${LAST_SYNC_T} - ${FIRST_WRITE_T} as value`,
  release_ns: `select ${LAST_RESUME_T} - ${LAST_SYNC_T} as value`,
  cpu_wait_total_ns: `select coalesce(sum(wait_ns), 0) as value from ${WAIT_PER_CPU}`,
  cpu_wait_max_ns: `select coalesce(max(wait_ns), 0) as value from ${WAIT_PER_CPU}`,
  detection_latency_ns: `select (select min(t_ns) from ev_detect where run_id = @run and seq > ${RESUME_SEQ}) - ${RESUME_T} as value`,
  stale_window_ns: `select case when ${PATCH_PLANNED} then coalesce(${SYNC_T}, ${END_T}) - ${RESUME_T} end as value`,
  migration_total_ns: `select ${RESUME_T} - (select min(t_ns) from ev_mig_begin where run_id = @run) as value`,
  downtime_ns: `select downtime_ns as value from ev_mig_resume where run_id = @run order by seq limit 1`,
  precopy_rounds: `select count(*) as value from ev_mig_round where run_id = @run`,
  accounting_error_before: windowError(`seq < coalesce(${PAUSE_SEQ}, 9e18)`),
  accounting_error_stale: `select case when ${PATCH_PLANNED} then (${windowError(
    `seq > ${RESUME_SEQ} and seq < coalesce(${SYNC_SEQ}, 9e18)`)}) end as value`,
  accounting_error_after: `select case when ${RESUME_SEQ} is null then null
      when ${PATCH_PLANNED} then (${windowError(`seq > ${SYNC_SEQ}`)})
      else (${windowError(`seq > ${RESUME_SEQ}`)}) end as value`,
  attempts: `select count(*) as value from ev_attempt_begin where run_id = @run`,
  resends: `select coalesce(sum(count), 0) as value from ev_resend where run_id = @run`,
  aborts: `select count(*) as value from ev_attempt_abort where run_id = @run`,
  violations: `select count(*) as value from ev_violation where run_id = @run`,
};

/** Recomputes every metric of a run from its events, in display order. */
export function recomputeMetrics(db: TraceDb, runId: number): MetricRow[] {
  return METRICS.map((m) => {
    const query = METRIC_SQL[m.name];
    assert(query !== undefined, () => `SQL for metric ${m.name}`);
    const value = db.sqlite.prepare(query).pluck().get({ run: runId }) as number | null | undefined;
    return { name: m.name, value: value ?? null, unit: m.unit, better: m.better };
  });
}
