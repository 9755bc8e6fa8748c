/**
 * `migpatch sweep` as a library call: plan (and so validate) every run first, then open the trace,
 * create the group, simulate on worker threads and store each run from this thread (the one
 * writer), in combination-index order. Returns the distribution of every metric per cell and every
 * failing seed with the `migpatch record` line that reproduces it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { assert } from '../core/assert.js';
import { InputError } from '../core/errors.js';
import type { TraceLevel } from '../trace/schema.js';
import { DEFAULT_DB_PATH, openTraceDb, type TraceDb } from '../trace/trace-db.js';
import { inWriteTransaction } from '../trace/write-transaction.js';
import { CellSamples, type CellIdentity, type MetricSummary } from './cell-samples.js';
import { recordCommand } from './reproduce.js';
import { simulateRun, type RunJob, type RunOutcome, type SimulationSetup } from './simulate-run.js';
import type { SweepParams } from './sweep-params.js';
import { planSweep, runAt, type SweepCell, type SweepPlan } from './sweep-plan.js';
import { SweepPool, PER_WORKER } from './sweep-pool.js';
import { checkGroupName, defaultGroupName, insertSweep, refuseTakenGroup } from './sweep-store.js';
import { SweepWriter } from './sweep-writer.js';

/** Most worker threads a sweep may start. */
export const MAX_JOBS = 64;

/** What to sweep and where to store it. */
export interface SweepRequest {
  readonly params: SweepParams;
  /** Worker threads. */
  readonly jobs: number;
  /** Group name, or null for `sweep-<n>`. */
  readonly group: string | null;
  readonly dbPath: string;
  /** The command line as typed, stored with the sweep. */
  readonly command: string;
  /** Hears of each run handed back (in order), for a progress bar. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A run that failed (in its cell): unexpected invariant violations, or an error inside the simulation. */
export interface FailingRun extends CellIdentity {
  /** Null when the run failed before it began, so nothing of it could be stored. */
  readonly runId: number | null;
  readonly seed: number;
  readonly kind: 'violations' | 'error';
  /** Violations of a run that completed; null for an error. */
  readonly violations: number | null;
  /** The error, for a run that did not complete. */
  readonly reason: string | null;
  /** The `migpatch record` line that simulates the same run with its full trace. */
  readonly reproduce: string;
}

/** One cell of the sweep: its complete runs' metric distributions. */
export interface CellReport extends CellIdentity {
  readonly runs: number;
  readonly failed: number;
  readonly metrics: readonly MetricSummary[];
}

/** What a sweep did. */
export interface SweepReport {
  readonly group: string;
  readonly db: string;
  readonly scenario: string;
  readonly traceLevel: TraceLevel;
  readonly jobs: number;
  readonly runs: number;
  readonly complete: number;
  readonly failed: number;
  readonly wallMs: number;
  readonly cells: readonly CellReport[];
  readonly failing: readonly FailingRun[];
}

/** The default of `--jobs`: one worker per core. */
export function defaultJobs(): number {
  return Math.max(1, Math.min(MAX_JOBS, os.availableParallelism()));
}

/** Runs the sweep. InputError, with nothing written, for bad input. */
export async function runSweep(req: SweepRequest): Promise<SweepReport> {
  if (!Number.isInteger(req.jobs) || req.jobs < 1 || req.jobs > MAX_JOBS) {
    throw new InputError(`--jobs ${req.jobs}: expected a whole number of worker threads from 1 to ${MAX_JOBS}`);
  }
  if (req.group !== null) checkGroupName(req.group);
  const plan = planSweep(req.params);
  if (req.group !== null) await refuseTakenGroup(req.dbPath, req.group);
  // The default store is created on first use wherever migpatch runs; a path the user gave must exist.
  if (req.dbPath === DEFAULT_DB_PATH) fs.mkdirSync(path.dirname(DEFAULT_DB_PATH), { recursive: true });
  const db = await openTraceDb(req.dbPath, 'write');
  try {
    const group = createGroup(db, req);
    return await sweepInto(db, group, plan, req);
  } finally {
    db.close();
  }
}

function createGroup(db: TraceDb, req: SweepRequest): string {
  return inWriteTransaction(db, () => {
    const group = req.group ?? defaultGroupName(db);
    insertSweep(db, group, req.command, req.params, new Date());
    return group;
  });
}

/** Simulates and stores every run of `plan` under `group`. */
async function sweepInto(db: TraceDb, group: string, plan: SweepPlan, req: SweepRequest): Promise<SweepReport> {
  const started = performance.now();
  const level: TraceLevel = plan.params.events ? 'full' : 'summary';
  const samples = plan.cells.map((c) => new CellSamples(c.protocol, c.grid));
  const failedPerCell = plan.cells.map(() => 0);
  const failing: FailingRun[] = [];
  const cellOf = (index: number): SweepCell => runAt(plan, index).cell;
  const writer = new SweepWriter(db, group, level, (outcome, runId) => {
    const { cell, seed } = runAt(plan, outcome.index);
    const failure = failureOf(outcome);
    if (failure === null && outcome.kind === 'complete') {
      (samples[cell.index] as CellSamples).addRun(outcome.result.metrics);
      return;
    }
    assert(failure !== null, 'a failed outcome is a failure');
    if (outcome.kind === 'failed') failedPerCell[cell.index] = (failedPerCell[cell.index] ?? 0) + 1;
    else (samples[cell.index] as CellSamples).addRun(outcome.result.metrics);
    failing.push({
      runId, seed, protocol: cell.protocol, grid: cell.grid, ...failure,
      reproduce: recordCommand(plan.params, { protocol: cell.protocolOption, point: cell.point, seed }),
    });
  });
  const setup: SimulationSetup = {
    cells: plan.cells.map((c) => c.scenario), swarm: plan.params.swarm, allFaults: plan.params.allFaults,
    keepEvents: plan.params.events, label: group,
  };
  const jobAt = (index: number): RunJob => {
    const { cell, seed } = runAt(plan, index);
    return { index, cell: cell.index, seed };
  };
  let done = 0;
  const onOutcome = (outcome: RunOutcome): void => {
    writer.add({ outcome, gridJson: JSON.stringify(cellOf(outcome.index).grid) });
    req.onProgress?.(++done, plan.runs);
  };
  if (SweepPool.available()) {
    // Full traces are large (a run of e1080-1920 holds millions of events): keep only what the workers hold.
    const window = plan.params.events ? req.jobs * PER_WORKER : req.jobs * PER_WORKER * 16;
    await SweepPool.run(req.jobs, { setup, total: plan.runs, jobAt, window, onOutcome });
  } else {
    for (let index = 0; index < plan.runs; index++) onOutcome(simulateRun(setup, jobAt(index)));
  }
  writer.flush();
  const cells = plan.cells.map((c): CellReport => {
    const s = samples[c.index] as CellSamples;
    return { protocol: c.protocol, grid: c.grid, runs: s.runs, failed: failedPerCell[c.index] ?? 0, metrics: s.summaries() };
  });
  const failed = cells.reduce((n, c) => n + c.failed, 0);
  return {
    group, db: db.path, scenario: plan.params.scenario, traceLevel: level, jobs: req.jobs, runs: plan.runs,
    complete: plan.runs - failed, failed, wallMs: Math.round(performance.now() - started), cells, failing,
  };
}

/** Why an outcome is a failing seed, or null when it is not one. */
function failureOf(outcome: RunOutcome): Pick<FailingRun, 'kind' | 'violations' | 'reason'> | null {
  if (outcome.kind === 'failed') return { kind: 'error', violations: null, reason: outcome.reason };
  const v = outcome.result.violations;
  return v > 0 && !outcome.violationsExpected ? { kind: 'violations', violations: v, reason: null } : null;
}
