/**
 * `migpatch diff` as a library call: what differs between two complete runs, whatever their
 * scenarios, protocols or sizes. Scenario changes as JSON paths, metrics side by side with
 * verdicts, the first divergent event when both share a seed (common random numbers make that
 * meaningful: docs/model.md, "Time and randomness"), and each run's per-vCPU WAIT distribution.
 */
import { InputError } from '../core/errors.js';
import { getMetrics, getRun, requireComplete, type CompleteRun, type RunRecord } from '../trace/runs.js';
import type { TraceDb } from '../trace/trace-db.js';
import { describeEvent, type DescribedEvent } from './describe-event.js';
import { findStoredDivergence } from './divergence.js';
import { jsonDiff, type JsonChange } from './json-diff.js';
import { compareMetrics, type MetricComparison } from './metric-compare.js';
import { waitDistribution, type WaitDistribution } from './wait-distribution.js';

/** Identity of one side of a diff. */
export interface DiffSide {
  readonly runId: number;
  readonly db: string;
  readonly label: string | null;
  readonly scenario: string;
  readonly seed: number;
  readonly protocol: string;
  readonly toolVersion: string;
  readonly eventCount: number;
  readonly eventHash: string;
  readonly endNs: number;
}

/**
 * How the two event streams relate. `not-compared` when the seeds differ: every random draw
 * differs then, and a first divergent event would say nothing.
 */
export type EventComparison =
  | { readonly status: 'not-compared'; readonly reason: string }
  | { readonly status: 'identical'; readonly eventHash: string }
  | {
    readonly status: 'diverged';
    readonly seq: number;
    /** Time of the earlier of the two events at `seq` (one side may have ended). */
    readonly tNs: number;
    readonly a: DescribedEvent | null;
    readonly b: DescribedEvent | null;
  };

/** Everything `migpatch diff` shows. */
export interface RunDiff {
  readonly a: DiffSide;
  readonly b: DiffSide;
  readonly scenario: readonly JsonChange[];
  readonly metrics: readonly MetricComparison[];
  readonly events: EventComparison;
  readonly wait: { readonly a: WaitDistribution; readonly b: WaitDistribution };
}

/** Where one run of a diff is: its database and its `RUN` argument (an id or `last`). */
export interface RunLocation {
  readonly db: TraceDb;
  readonly ref: string;
}

/** Diffs run `a.ref` (old) against `b.ref` (new); both must be complete (InputError otherwise). */
export async function diffRuns(a: RunLocation, b: RunLocation): Promise<RunDiff> {
  const runA = requireComplete(await getRun(a.db, a.ref));
  const runB = requireComplete(await getRun(b.db, b.ref));
  const [metricsA, metricsB] = [await getMetrics(a.db, runA.runId), await getMetrics(b.db, runB.runId)];
  return {
    a: side(a.db, runA),
    b: side(b.db, runB),
    scenario: jsonDiff(JSON.parse(runA.scenarioJson) as unknown, JSON.parse(runB.scenarioJson) as unknown),
    metrics: compareMetrics(metricsA, metricsB),
    events: compareEvents(a.db, runA, b.db, runB),
    wait: { a: waitDistribution(a.db, runA.runId), b: waitDistribution(b.db, runB.runId) },
  };
}

function side(db: TraceDb, run: CompleteRun<RunRecord>): DiffSide {
  return {
    runId: run.runId, db: db.path, label: run.label, scenario: run.scenarioName, seed: run.seed,
    protocol: run.protocol, toolVersion: run.toolVersion, eventCount: run.eventCount, eventHash: run.eventHash,
    endNs: run.endNs,
  };
}

function compareEvents(dbA: TraceDb, runA: CompleteRun, dbB: TraceDb, runB: CompleteRun): EventComparison {
  if (runA.seed !== runB.seed) {
    return { status: 'not-compared', reason: `seeds differ (${runA.seed} vs ${runB.seed}): every random draw differs` };
  }
  if (runA.eventHash === runB.eventHash && runA.eventCount === runB.eventCount) {
    return { status: 'identical', eventHash: runA.eventHash };
  }
  const found = findStoredDivergence(dbA, runA.runId, dbB, runB.runId);
  // Equal chunk hashes under different stream hashes: a trace was altered after recording.
  if (found === null) {
    throw new InputError(`runs ${runA.runId} and ${runB.runId} have different event hashes but identical chunk hashes: a trace was altered after recording`);
  }
  const ea = found.a === null ? null : describeEvent(found.a);
  const eb = found.b === null ? null : describeEvent(found.b);
  const times = [ea?.tNs, eb?.tNs].filter((t): t is number => t !== undefined);
  return { status: 'diverged', seq: found.seq, tNs: Math.min(...times), a: ea, b: eb };
}
