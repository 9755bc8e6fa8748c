/**
 * How long each vCPU of a run spent in WAIT (parked by the protocol: docs/model.md, "Protocols"), summarised as
 * p50 / p95 / max over vCPUs. vCPUs that never waited (the initiator, offline ones) count as 0.
 *
 * The per-vCPU totals come from `cpu_intervals` (state 4) through its (run_id, cpu, start_ns) index:
 * one range seek per vCPU and protocol attempt, because a WAIT interval begins while an attempt
 * runs. A vCPU can still enter WAIT after its attempt ended (it handles a MSG1 late, after an
 * abort), so the windowed sums are checked against the run's cached `cpu_wait_total_ns`; if they
 * disagree, one grouped pass over the run's intervals gives the exact totals.
 */
import { assert } from '../core/assert.js';
import { quantileOfSorted, sortedCopy } from '../core/quantile.js';
import { countVcpus } from '../trace/read-report.js';
import { readAttemptSpans, readRunEndNs, readStoredMetric, readWaitTotals, waitInSpanReader } from '../trace/read-wait.js';
import type { TraceDb } from '../trace/trace-db.js';

/** The distribution of per-vCPU WAIT time of one run, in ns. */
export interface WaitDistribution {
  readonly vcpus: number;
  /** vCPUs with any WAIT time. */
  readonly waited: number;
  readonly p50Ns: number;
  readonly p95Ns: number;
  readonly maxNs: number;
  readonly totalNs: number;
}

/** An attempt's span: WAIT intervals of the attempt begin inside it. */
interface Span {
  readonly from: number;
  readonly to: number;
}

/**
 * Summarises per-vCPU totals (one entry per vCPU, zeros included). Quantiles are interpolated
 * (type 7, src/core/quantile.ts) like every other command's; an empty run gives zeros.
 */
export function summariseWaits(totals: readonly number[]): WaitDistribution {
  const sorted = sortedCopy(totals);
  const q = (p: number): number => (sorted.length === 0 ? 0 : quantileOfSorted(sorted, p));
  return {
    vcpus: sorted.length,
    waited: sorted.filter((v) => v > 0).length,
    p50Ns: q(0.5),
    p95Ns: q(0.95),
    maxNs: sorted.length === 0 ? 0 : (sorted[sorted.length - 1] as number),
    totalNs: sorted.reduce((s, v) => s + v, 0),
  };
}

/** Per-vCPU WAIT totals of a complete run, indexed by vCPU (vCPUs are numbered 0..n-1). */
export function waitTotalsByCpu(db: TraceDb, runId: number): Float64Array {
  const vcpus = countVcpus(db, runId);
  const spans = attemptSpans(db, runId);
  const totals = new Float64Array(vcpus);
  if (spans.length === 0) return totals; // no attempt, no MSG1: nobody was ever asked to wait
  const inSpan = waitInSpanReader(db, runId);
  for (let cpu = 0; cpu < vcpus; cpu++) {
    let sum = 0;
    for (const span of spans) sum += inSpan(cpu, span.from, span.to);
    totals[cpu] = sum;
  }
  const cached = readStoredMetric(db, runId, 'cpu_wait_total_ns');
  const windowed = totals.reduce((s, v) => s + v, 0);
  if (cached !== null && cached !== undefined && Math.abs(cached - windowed) < 0.5) return totals;
  return exactTotals(db, runId, vcpus);
}

/** The run's per-vCPU WAIT distribution. */
export function waitDistribution(db: TraceDb, runId: number): WaitDistribution {
  return summariseWaits(Array.from(waitTotalsByCpu(db, runId)));
}

/** Each attempt from its start to the later of its end and its last target's resume. */
function attemptSpans(db: TraceDb, runId: number): Span[] {
  const rows = readAttemptSpans(db, runId);
  const end = readRunEndNs(db, runId);
  // An attempt still open at the end of the run ends with it.
  return rows.map((r) => ({ from: r.beginNs, to: r.endNs > r.beginNs ? r.endNs : (end ?? r.beginNs) }));
}

/** One pass over the run's WAIT intervals: exact, used only when the windowed sums miss some. */
function exactTotals(db: TraceDb, runId: number, vcpus: number): Float64Array {
  const totals = new Float64Array(vcpus);
  for (const r of readWaitTotals(db, runId)) {
    assert(r.cpu >= 0 && r.cpu < vcpus, () => `interval of vCPU ${r.cpu} outside 0..${vcpus - 1}`);
    totals[r.cpu] = r.ns;
  }
  return totals;
}
