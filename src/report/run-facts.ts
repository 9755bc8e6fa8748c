/**
 * The facts of one complete run that a report states and its charts are placed by: hosts, guest
 * size, protocol attempts, accounting windows, the migration's rounds and pause, violations. All
 * come from small tables or from sparse event kinds (the `events_sparse` index), never from a scan
 * of the run's events.
 */
import { describeEvent, type DescribedEvent } from '../query/describe-event.js';
import {
  countProcesses, countVcpus, gaveUp, readAttempts, readHosts, readMigrationEvents, readViolations, readWindows,
  type AttemptFacts, type HostFacts, type WindowFacts,
} from '../trace/read-report.js';
import type { TraceDb } from '../trace/trace-db.js';

export type { AttemptFacts, HostFacts, WindowFacts };

/** A pre-copy round: it ended at `tNs`. */
export interface RoundFacts {
  readonly round: number;
  readonly startNs: number;
  readonly tNs: number;
  readonly bytesSent: number;
  readonly dirtyBytes: number;
}

/** The live migration, when the run had one. */
export interface MigrationFacts {
  readonly beginNs: number;
  readonly memoryBytes: number;
  readonly bandwidthBytesPerSec: number;
  readonly rounds: readonly RoundFacts[];
  readonly pauseNs: number | null;
  readonly remainingBytes: number | null;
  readonly resumeNs: number | null;
  readonly downtimeNs: number | null;
}

/** Everything a report states about a run besides its metrics. */
export interface RunFacts {
  readonly hosts: readonly HostFacts[];
  readonly vcpus: number;
  readonly processes: number;
  readonly attempts: readonly AttemptFacts[];
  readonly windows: readonly WindowFacts[];
  readonly migration: MigrationFacts | null;
  readonly gaveUp: boolean;
  /** Violations in time order, at most {@link MAX_VIOLATIONS_SHOWN}. */
  readonly violations: readonly DescribedEvent[];
}

/** A run with thousands of violations (the unsafe baseline) is summarised, not listed. */
export const MAX_VIOLATIONS_SHOWN = 20;

/** Loads the facts of run `runId` (complete). */
export function loadRunFacts(db: TraceDb, runId: number): RunFacts {
  return {
    hosts: readHosts(db, runId),
    vcpus: countVcpus(db, runId),
    processes: countProcesses(db, runId),
    attempts: readAttempts(db, runId),
    windows: readWindows(db, runId),
    migration: loadMigration(db, runId),
    gaveUp: gaveUp(db, runId),
    violations: readViolations(db, runId, MAX_VIOLATIONS_SHOWN).map(describeEvent),
  };
}

function loadMigration(db: TraceDb, runId: number): MigrationFacts | null {
  const { begin, roundEnds: ends, pause, resumeNs } = readMigrationEvents(db, runId);
  if (begin === null) return null;
  // A round starts when the previous one ended (the first when the migration began).
  const rounds = ends.map((r, i) => ({ ...r, startNs: i === 0 ? begin.tNs : (ends[i - 1] as { tNs: number }).tNs }));
  return {
    beginNs: begin.tNs, memoryBytes: begin.memoryBytes, bandwidthBytesPerSec: begin.bandwidthBytesPerSec, rounds,
    pauseNs: pause?.tNs ?? null, remainingBytes: pause?.remainingBytes ?? null,
    resumeNs, downtimeNs: resumeNs === null || pause === null ? null : resumeNs - pause.tNs,
  };
}

/** What became of the patch: the one-word answer a reader looks for first. */
export type RunOutcome = 'patched' | 'aborted' | 'gave up' | 'nothing to patch' | 'unfinished';

/** The run's outcome from its attempts (see {@link RunOutcome}). */
export function runOutcome(facts: Pick<RunFacts, 'attempts' | 'gaveUp'>): RunOutcome {
  if (facts.attempts.some((a) => a.outcome === 'patched')) return 'patched';
  if (facts.gaveUp) return 'gave up';
  if (facts.attempts.length === 0) return 'nothing to patch';
  return facts.attempts.some((a) => a.outcome === 'unfinished') ? 'unfinished' : 'aborted';
}
