/**
 * Everything an export needs from a run except its state intervals: topology names, the sparse
 * events (migration, detection, protocol, IPIs, patches, faults, violations — found through the
 * `events_sparse` index, never by scanning the run), attempts and the accounting series. All of
 * it is small next to the intervals (thousands of rows on a 1,920-vCPU run), so it is held in memory.
 */
import { assert } from '../core/assert.js';
import { decodeEvent, type DecodedEvent } from '../format/event-codec.js';
import { Ev } from '../format/event-kinds.js';
import {
  lastEventNs, readAcctErrors, readAttemptRows, readRunNames, readSparseEvents, type AcctErrorPoint,
} from '../trace/read-export.js';
import type { RunRecord } from '../trace/runs.js';
import type { AttemptsTable } from '../trace/schema.js';
import type { TraceDb } from '../trace/trace-db.js';

/** The sparse kinds an export draws. */
export const EXPORTED_SPARSE_KINDS: readonly number[] = [
  Ev.RUN_END, Ev.MIG_BEGIN, Ev.MIG_ROUND, Ev.MIG_PAUSE, Ev.MIG_RESUME, Ev.NOTIFY, Ev.DETECT,
  Ev.ATTEMPT_BEGIN, Ev.IPI_SEND, Ev.IPI_RECV, Ev.IPI_LOST, Ev.ACK_TIMEOUT, Ev.RESEND, Ev.ATTEMPT_ABORT,
  Ev.ATTEMPT_END, Ev.GIVE_UP, Ev.PATCH_BEGIN, Ev.PATCH_END, Ev.PHASE, Ev.VIOLATION, Ev.FAULT,
];

/** One bucket of the accounting series. */
export type AcctPoint = AcctErrorPoint;

/** A kind's name, as in the decoded events. */
export type KindName = Exclude<DecodedEvent['kind'], 'unknown'>;

/** The decoded events of the kind named `K`. */
export type EventOf<K extends KindName> = Extract<DecodedEvent, { readonly kind: K }>;

/** What an export reads besides intervals. */
export interface RunExportData {
  readonly run: RunRecord;
  /** vCPU ids, ascending. */
  readonly vcpus: readonly number[];
  /** End of the run: its recorded end, or for an unfinished run the time of its last event. */
  readonly endNs: number;
  readonly hostNames: ReadonlyMap<number, string>;
  readonly routineNames: ReadonlyMap<number, string>;
  readonly variantNames: ReadonlyMap<number, string>;
  /** Rows of the attempts table by attempt (empty for an unfinished run). */
  readonly attempts: ReadonlyMap<number, AttemptsTable>;
  /** Buckets with a defined error, in time order (empty for an unfinished run). */
  readonly acct: readonly AcctPoint[];
  /** Sparse events of {@link EXPORTED_SPARSE_KINDS}, decoded, by kind name, each list in seq order. */
  readonly byKind: ReadonlyMap<string, readonly DecodedEvent[]>;
}

/** The events of the kind named `kind` (an empty list when the run has none). */
export function eventsOf<K extends KindName>(data: RunExportData, kind: K): readonly EventOf<K>[] {
  return (data.byKind.get(kind) ?? []) as readonly EventOf<K>[];
}

/** Reads a run's export data; call inside a read snapshot so it matches the intervals read after it. */
export async function loadRunExportData(db: TraceDb, run: RunRecord): Promise<RunExportData> {
  const runId = run.runId;
  const names = await readRunNames(db, runId);
  const attempts = await readAttemptRows(db, runId);
  const acct = await readAcctErrors(db, runId);
  const byKind = new Map<string, DecodedEvent[]>();
  for (const row of readSparseEvents(db, runId, EXPORTED_SPARSE_KINDS)) {
    const e = decodeEvent(row);
    const list = byKind.get(e.kind);
    if (list === undefined) byKind.set(e.kind, [e]);
    else list.push(e);
  }
  const endNs = run.endNs ?? lastEventNs(db, runId);
  assert(names.vcpus.length > 0, () => `run ${runId} has vCPUs`);
  return {
    run, vcpus: names.vcpus, endNs,
    hostNames: new Map(names.hosts.map((h) => [h.id, h.name])),
    routineNames: new Map(names.routines.map((r) => [r.id, r.name])),
    variantNames: new Map(names.variants.map((v) => [v.id, v.name])),
    attempts: new Map<number, AttemptsTable>(attempts.map((a) => [a.attempt, a])),
    acct,
    byKind,
  };
}
