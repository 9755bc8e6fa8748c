/**
 * `migpatch replay verify RUN` as a library call: re-simulate a run from its recorded scenario,
 * seed and tool version, and compare the event streams.
 *
 * Three hash lists meet here, each a list of chunk hashes (`src/format/event-hash.ts`):
 * - replayed: the re-simulation's (computed while simulating, nothing stored);
 * - stored: those of the events in the trace, re-hashed as they are read;
 * - recorded: `event_chunks`, written when the run was recorded.
 * The event streams compared are the stored and the replayed ones: comparing with the recorded
 * hashes alone would miss events changed after recording, which is exactly what a damaged or edited
 * trace is. Only the first differing chunk is compared row by row (`src/query/divergence.ts`).
 * The recorded hashes then tell which side moved: stored ≠ recorded means the trace was changed
 * after recording; replayed ≠ recorded means the model no longer reproduces the run.
 *
 * A summary run (a sweep's) stored no events: only the replayed and recorded hashes meet, which
 * still says whether the model reproduces the run, but not at which event it stops doing so.
 */
import { assert } from '../core/assert.js';
import { InputError } from '../core/errors.js';
import {
  divergentColumns, findDivergence, firstDivergentChunk, storedChunkHashes, storedChunkRows, type Divergence, type EventColumn,
} from '../query/divergence.js';
import { EVENT_HASH_CHUNK } from '../format/event-hash.js';
import { eventKindInfo } from '../format/event-kinds.js';
import type { EventRow } from '../trace/event-rows.js';
import { getRun, requireComplete } from '../trace/runs.js';
import type { TraceDb } from '../trace/trace-db.js';
import { recordLineFor } from '../sweep/full-trace.js';
import type { TraceLevel } from '../trace/schema.js';
import { TOOL_VERSION } from '../version.js';
import { recordedScenario } from './recorded-scenario.js';
import { simulateChunkRows, simulateHashes } from './resimulate.js';
import { hashStoredEvents } from './stored-hashes.js';

/** What `replay verify` was asked for. */
export interface VerifyRequest {
  readonly run: string;
  /** Compare even when the run was recorded by another tool version. */
  readonly force: boolean;
}

/** One column of the first divergent event: its documented name for each side's kind, and both values. */
export interface ColumnDifference {
  /** Stored column: t_ns, kind, cpu, a, b or c. */
  readonly column: string;
  /** Name of the column for the trace event's kind (e.g. `charged_ns`); null when unused or absent. */
  readonly traceName: string | null;
  readonly replayedName: string | null;
  readonly trace: number | string | null;
  readonly replayed: number | string | null;
}

/** The first event at which the stored and replayed streams differ. */
export interface VerifyDivergence {
  readonly seq: number;
  /** Time of the trace's event (of the replayed one when the trace has ended). */
  readonly tNs: number;
  readonly chunk: number;
  /** Both events column by column, in stored order; `differs` marks the columns that differ. */
  readonly columns: readonly (ColumnDifference & { readonly differs: boolean })[];
  /** The trace's and the re-simulation's events as rows (null where a stream has ended). */
  readonly trace: EventRow | null;
  readonly replayed: EventRow | null;
}

/** The outcome of a verification. */
export interface VerifyReport {
  readonly runId: number;
  readonly scenario: string;
  readonly seed: number;
  readonly protocol: string;
  readonly recordedToolVersion: string;
  readonly toolVersion: string;
  /** `summary`: the trace holds no events, so only the recorded and replayed hashes were compared. */
  readonly traceLevel: TraceLevel;
  /** True when every check passed: the replayed stream is the trace's, which is what was recorded. */
  readonly identical: boolean;
  /**
   * Event counts and hashes: written when the run was recorded, of the events now in the trace
   * (null for a summary run), replayed.
   */
  readonly events: { readonly recorded: number; readonly trace: number | null; readonly replayed: number };
  readonly eventHash: { readonly recorded: string; readonly trace: string | null; readonly replayed: string };
  /** First chunk whose stored events differ from the hash recorded for it (-1: none): the trace was changed. */
  readonly firstAlteredChunk: number;
  /** First chunk whose replayed hash differs from the recorded one (-1: none): the model changed. */
  readonly firstModelChunk: number;
  readonly divergence: VerifyDivergence | null;
  /** One sentence saying what the comparison found. */
  readonly verdict: string;
}

const COLUMN_SQL: Readonly<Record<EventColumn, string>> = { tNs: 't_ns', kind: 'kind', cpu: 'cpu', a: 'a', b: 'b', c: 'c' };

function columnName(row: EventRow | null, column: EventColumn): string | null {
  if (row === null) return null;
  if (column === 'tNs' || column === 'kind') return COLUMN_SQL[column];
  const info = eventKindInfo(row.kind);
  return info === undefined ? column : info[column];
}

function columnValue(row: EventRow | null, column: EventColumn): number | string | null {
  if (row === null) return null;
  if (column === 'kind') return eventKindInfo(row.kind)?.name ?? row.kind;
  return row[column];
}

/** The divergence with each column named after each side's kind. */
function describeDivergence(d: Divergence): VerifyDivergence {
  const differing = new Set(divergentColumns(d));
  const columns = (['tNs', 'kind', 'cpu', 'a', 'b', 'c'] as const).map((col) => ({
    column: COLUMN_SQL[col],
    traceName: columnName(d.a, col),
    replayedName: columnName(d.b, col),
    trace: columnValue(d.a, col),
    replayed: columnValue(d.b, col),
    differs: differing.has(col),
  }));
  const tNs = d.a?.tNs ?? d.b?.tNs;
  assert(tNs !== undefined, 'a divergence has an event on one side at least');
  return { seq: d.seq, tNs, chunk: Math.floor(d.seq / EVENT_HASH_CHUNK), columns, trace: d.a, replayed: d.b };
}

function verdictOf(r: Omit<VerifyReport, 'verdict'>): string {
  if (r.identical) return `identical: the re-simulation reproduces all ${r.events.replayed} events`;
  if (r.divergence === null && r.firstAlteredChunk >= 0) {
    return `the trace's and the re-simulation's events are identical, but the hashes recorded with the run (event_chunks) differ from them from chunk ${r.firstAlteredChunk}`;
  }
  const where = r.divergence === null ? '' : ` at seq ${r.divergence.seq}`;
  if (r.firstAlteredChunk >= 0 && r.firstModelChunk < 0) {
    return `the trace was changed after it was recorded (its events no longer match their recorded hashes from chunk ${r.firstAlteredChunk}); the re-simulation matches the recording and differs from the trace${where}`;
  }
  if (r.firstAlteredChunk >= 0) {
    return `the trace was changed after it was recorded (from chunk ${r.firstAlteredChunk}) and the re-simulation differs from the recording too (from chunk ${r.firstModelChunk})${where}`;
  }
  if (r.divergence !== null) return `the re-simulation diverges from the trace${where}`;
  return 'the events are identical but the run\'s recorded totals (event count or hash) do not match them';
}

/**
 * Verifies `req.run`. Input errors: unknown or unfinished run, another tool version without
 * `force`, a recorded scenario that no longer validates.
 */
export async function verifyRun(db: TraceDb, req: VerifyRequest): Promise<VerifyReport> {
  // Only a complete run has a hash to verify against; verify has no --partial, so no hint names it.
  const run = requireComplete(await getRun(db, req.run));
  assert(run.status === 'complete' && run.eventCount !== null && run.eventHash !== null, 'a complete run has totals');
  if (run.toolVersion !== TOOL_VERSION && !req.force) {
    throw new InputError(`run ${run.runId} was recorded by migpatch ${run.toolVersion}, this is ${TOOL_VERSION}: `
      + 'the model may differ, so a divergence would mean nothing; pass --force to compare anyway');
  }
  const scenario = recordedScenario(run);
  const replayed = simulateHashes(scenario, run.seed);
  const recordedChunks = storedChunkHashes(db, run.runId);
  const identity = {
    runId: run.runId, scenario: run.scenarioName, seed: run.seed, protocol: run.protocol,
    recordedToolVersion: run.toolVersion, toolVersion: TOOL_VERSION, traceLevel: run.traceLevel,
  };
  if (run.traceLevel === 'summary') {
    const firstModelChunk = firstDivergentChunk(replayed.chunkHashes, recordedChunks);
    const identical = firstModelChunk < 0 && replayed.eventCount === run.eventCount && replayed.eventHash === run.eventHash;
    const verdict = identical
      ? `identical: the re-simulation reproduces the recorded event count, event hash and all ${recordedChunks.length} chunk hashes (a summary run: no events were stored to compare row by row)`
      : `the re-simulation differs from the recording${firstModelChunk < 0 ? ' (event count or hash)' : ` from chunk ${firstModelChunk}`}; `
        + `this summary run stored no events to show where: record it with its full trace with: ${recordLineFor(db, run)}`;
    return {
      ...identity, identical,
      events: { recorded: run.eventCount, trace: null, replayed: replayed.eventCount },
      eventHash: { recorded: run.eventHash, trace: null, replayed: replayed.eventHash },
      firstAlteredChunk: -1, firstModelChunk, divergence: null, verdict,
    };
  }
  const stored = hashStoredEvents(db, run.runId);
  const divergence = findDivergence(
    { chunkHashes: stored.chunkHashes, chunkRows: (chunk) => storedChunkRows(db, run.runId, chunk) },
    { chunkHashes: replayed.chunkHashes, chunkRows: (chunk) => simulateChunkRows(scenario, run.seed, chunk) },
  );
  const firstAlteredChunk = firstDivergentChunk(stored.chunkHashes, recordedChunks);
  const totalsMatch = stored.count === run.eventCount && stored.eventHash === run.eventHash;
  const report = {
    ...identity,
    identical: divergence === null && firstAlteredChunk < 0 && totalsMatch,
    events: { recorded: run.eventCount, trace: stored.count, replayed: replayed.eventCount },
    eventHash: { recorded: run.eventHash, trace: stored.eventHash, replayed: replayed.eventHash },
    firstAlteredChunk,
    firstModelChunk: firstDivergentChunk(replayed.chunkHashes, recordedChunks),
    divergence: divergence === null ? null : describeDivergence(divergence),
  };
  return { ...report, verdict: verdictOf(report) };
}
