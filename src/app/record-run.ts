/**
 * Records one run: builds the simulation over an event log that feeds the analyser, the replay-state
 * fold (periodic snapshots) and a sink, runs it to the end and hands the derived tables and the
 * snapshots to the sink. This is the only place that times a run with the wall clock (for the
 * `wall_ms` column); the simulation itself never reads it.
 */
import { performance } from 'node:perf_hooks';
import { RunAnalyzer } from '../analysis/run-analyzer.js';
import { STATE_SNAPSHOT_EVERY, StateFolder, stateShape } from '../analysis/state-folder.js';
import { assert } from '../core/assert.js';
import type { Scenario } from '../scenario/scenario.js';
import { EventLog } from '../sim/event-log.js';
import { Simulation } from '../sim/simulator.js';
import type { RunResult, TraceSink } from '../format/trace-types.js';
import { runMeta } from './run-meta.js';

/** What to record. */
export interface RecordRequest {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly label: string | null;
  /** Where events go; null keeps only the hash and the derived tables. */
  readonly sink: TraceSink | null;
}

/** A recorded run. */
export interface RecordedRun {
  /** Run id given by the sink, or null without one. */
  readonly runId: number | null;
  readonly result: RunResult;
  /** Violations are expected by the scenario (unsafe baselines), so they do not fail `record`. */
  readonly violationsExpected: boolean;
}

/** Simulates the request to its end and records it. A failure marks the run failed and rethrows. */
export function recordRun(req: RecordRequest): RecordedRun {
  const started = performance.now();
  const meta = runMeta(req.scenario, req.seed, req.label);
  const runId = req.sink?.begin(meta) ?? null;
  try {
    const analyzer = new RunAnalyzer(req.scenario.guest.vcpus, req.scenario.run.durationNs);
    // Replay-state snapshots only matter where events are kept; a sinkless run skips the fold.
    const folder = req.sink === null ? null : new StateFolder(stateShape(meta), STATE_SNAPSHOT_EVERY);
    const log = new EventLog(req.sink, folder === null ? [analyzer] : [analyzer, folder]);
    const sim = new Simulation(req.scenario, req.seed, log);
    sim.run();
    const totals = log.finish();
    const derived = analyzer.result();
    const violations = derived.metrics.find((m) => m.name === 'violations')?.value ?? 0;
    assert(violations === sim.violations, 'analyser and simulator agree on violations');
    const result: RunResult = {
      ...totals,
      ...derived,
      endNs: req.scenario.run.durationNs,
      wallMs: Math.round(performance.now() - started),
      violations,
      stateSnapshots: folder?.snapshots ?? [],
    };
    req.sink?.finish(result);
    return { runId, result, violationsExpected: req.scenario.run.expectViolations };
  } catch (err) {
    req.sink?.fail(err instanceof Error ? err.message : String(err));
    throw err;
  }
}
