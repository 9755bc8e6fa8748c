/**
 * The facts of one complete run that a report states and its charts are placed by: hosts, guest
 * size, protocol attempts, accounting windows, the migration's rounds and pause, violations. All
 * come from small tables or from sparse event kinds (the `events_sparse` index), never from a scan
 * of the run's events.
 */
import { describeEvent, type DescribedEvent } from '../query/describe-event.js';
import type { EventRow } from '../trace/event-rows.js';
import { Ev } from '../format/event-kinds.js';
import type { HostRow } from '../format/trace-types.js';
import type { TraceDb } from '../trace/trace-db.js';

/** A host of the run, as recorded (source first). */
export type HostFacts = Omit<HostRow, 'hostId'>;

/** A protocol attempt (the `attempts` table); null where the step did not happen. */
export interface AttemptFacts {
  readonly attempt: number;
  readonly initiator: number;
  readonly targets: number;
  readonly beginNs: number | null;
  readonly firstMsg1Ns: number | null;
  readonly lastAckNs: number | null;
  readonly acks: number;
  readonly resends: number;
  readonly timeouts: number;
  readonly patchBeginNs: number | null;
  readonly syncEndNs: number | null;
  readonly msg2Ns: number | null;
  readonly lastResumeNs: number | null;
  readonly endNs: number | null;
  readonly outcome: 'patched' | 'aborted' | 'unfinished';
}

/** An accounting window (`acct_windows`). */
export interface WindowFacts {
  readonly window: 'before' | 'stale' | 'after';
  readonly beginNs: number | null;
  readonly endNs: number | null;
  readonly samples: number;
  readonly error: number | null;
}

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
  const q = db.sqlite;
  const hosts = q.prepare(`select role, name, processor, pvr, sockets, chips_per_socket as chipsPerSocket,
      cores_per_chip as coresPerChip, smt, threads, numa_nodes as numaNodes, numa_generation as numaGeneration, purr,
      timebase_hz as timebaseHz from hosts where run_id = ? order by host_id`).all(runId) as HostFacts[];
  const attempts = q.prepare(`select attempt, initiator, targets, begin_ns as beginNs, first_msg1_ns as firstMsg1Ns,
      last_ack_ns as lastAckNs, acks, resends, timeouts, patch_begin_ns as patchBeginNs, sync_end_ns as syncEndNs,
      msg2_ns as msg2Ns, last_resume_ns as lastResumeNs, end_ns as endNs, outcome
      from attempts where run_id = ? order by attempt`).all(runId) as AttemptFacts[];
  const windows = q.prepare(`select window, begin_ns as beginNs, end_ns as endNs, samples, error
      from acct_windows where run_id = ? order by coalesce(begin_ns, 0)`).all(runId) as WindowFacts[];
  const violationRows = q.prepare(`select seq, t_ns as tNs, ${Ev.VIOLATION} as kind, cpu, invariant as a, detail as b, value as c
      from ev_violation where run_id = ? order by seq limit ${MAX_VIOLATIONS_SHOWN}`).all(runId) as EventRow[];
  return {
    hosts,
    vcpus: q.prepare('select count(*) from vcpus where run_id = ?').pluck().get(runId) as number,
    processes: q.prepare('select count(*) from processes where run_id = ?').pluck().get(runId) as number,
    attempts,
    windows,
    migration: loadMigration(db, runId),
    gaveUp: (q.prepare('select count(*) from ev_give_up where run_id = ?').pluck().get(runId) as number) > 0,
    violations: violationRows.map(describeEvent),
  };
}

function loadMigration(db: TraceDb, runId: number): MigrationFacts | null {
  const q = db.sqlite;
  const begin = q.prepare('select t_ns as tNs, memory_bytes as memory, bandwidth_bytes_per_sec as bw from ev_mig_begin where run_id = ? order by seq limit 1')
    .get(runId) as { tNs: number; memory: number; bw: number } | undefined;
  if (begin === undefined) return null;
  const ends = q.prepare('select round, t_ns as tNs, bytes_sent as bytesSent, dirty_bytes as dirtyBytes from ev_mig_round where run_id = ? order by seq')
    .all(runId) as Omit<RoundFacts, 'startNs'>[];
  // A round starts when the previous one ended (the first when the migration began).
  const rounds = ends.map((r, i) => ({ ...r, startNs: i === 0 ? begin.tNs : (ends[i - 1] as { tNs: number }).tNs }));
  const pause = q.prepare('select t_ns as tNs, remaining_bytes as remaining, downtime_ns as downtime from ev_mig_pause where run_id = ? order by seq limit 1')
    .get(runId) as { tNs: number; remaining: number; downtime: number } | undefined;
  const resume = q.prepare('select t_ns as tNs from ev_mig_resume where run_id = ? order by seq limit 1').pluck()
    .get(runId) as number | undefined;
  return {
    beginNs: begin.tNs, memoryBytes: begin.memory, bandwidthBytesPerSec: begin.bw, rounds,
    pauseNs: pause?.tNs ?? null, remainingBytes: pause?.remaining ?? null,
    resumeNs: resume ?? null, downtimeNs: resume === undefined || pause === undefined ? null : resume - pause.tNs,
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
