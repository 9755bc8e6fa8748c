/**
 * Summary runs (the default of `migpatch sweep`) keep no events, intervals, accounting series or
 * snapshots. Commands that need them call {@link requireFullTrace}, which refuses such a run with
 * one line that gives the exact `migpatch record` command recording the same run in full.
 */
import { InputError } from '../core/errors.js';
import type { RunRecord } from '../trace/runs.js';
import type { TraceDb } from '../trace/trace-db.js';
import { canonicalValue, type GridPoint, type SetOption } from './grid.js';
import { recordCommand, shellQuote } from './reproduce.js';
import { getSweep } from './sweep-store.js';

/** The fields of a run that say what it keeps and where it comes from. */
export type RunOrigin = Pick<RunRecord, 'runId' | 'seed' | 'protocol' | 'scenarioName' | 'traceLevel' | 'groupName' | 'gridJson'>;

/** The grid point of a run from its stored `grid_json`, or null when no value of the sweep matches. */
function pointOf(sets: readonly SetOption[], gridJson: string | null): GridPoint | null {
  const grid = gridJson === null ? {} : (JSON.parse(gridJson) as Record<string, unknown>);
  const point: number[] = [];
  for (const s of sets) {
    if (s.values.length === 1) {
      point.push(0);
      continue;
    }
    const wanted = JSON.stringify(grid[s.path]);
    const at = s.values.findIndex((v) => JSON.stringify(canonicalValue(v)) === wanted);
    if (at < 0) return null;
    point.push(at);
  }
  return point;
}

/**
 * The `migpatch record` line that records `run` with its full trace: exact for a run of a stored
 * sweep; otherwise the scenario, seed and protocol (which reproduce it unless it had overrides).
 */
export function recordLineFor(db: TraceDb, run: RunOrigin): string {
  if (run.groupName !== null) {
    const sweep = getSweep(db, run.groupName);
    const point = pointOf(sweep.params.sets, run.gridJson);
    if (point !== null) {
      const protocol = sweep.params.protocols === null ? null : run.protocol;
      return recordCommand(sweep.params, { protocol, point, seed: run.seed });
    }
  }
  return ['migpatch', 'record', '--scenario', run.scenarioName, '--seed', String(run.seed), '--protocol', run.protocol].map(shellQuote).join(' ');
}

/** Returns normally for a full trace; InputError naming the record line for a summary run. */
export function requireFullTrace(db: TraceDb, run: RunOrigin): void {
  if (run.traceLevel === 'full') return;
  const group = run.groupName === null ? '' : ` of sweep group ${run.groupName}`;
  throw new InputError(`run ${run.runId} is a summary run${group}: its events were not stored; `
    + `record it with its full trace with: ${recordLineFor(db, run)}`);
}
