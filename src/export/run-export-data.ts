/**
 * Everything an export needs from a run except its state intervals: topology names, the sparse
 * events (migration, detection, protocol, IPIs, patches, faults, violations — found through the
 * `events_sparse` index, never by scanning the run), attempts and the accounting series. All of
 * it is small next to the intervals (thousands of rows on a 1,920-vCPU run), so it is held in memory.
 */
import { sql } from 'kysely';
import { assert } from '../core/assert.js';
import { Ev } from '../format/event-kinds.js';
import type { EventRow } from '../trace/event-rows.js';
import type { RunRecord } from '../trace/runs.js';
import type { AttemptsTable } from '../trace/schema.js';
import { SPARSE_KIND_PREDICATE } from '../trace/schema-generated.js';
import type { TraceDb } from '../trace/trace-db.js';

/** The sparse kinds an export draws. */
export const EXPORTED_SPARSE_KINDS: readonly number[] = [
  Ev.RUN_END, Ev.MIG_BEGIN, Ev.MIG_ROUND, Ev.MIG_PAUSE, Ev.MIG_RESUME, Ev.NOTIFY, Ev.DETECT,
  Ev.ATTEMPT_BEGIN, Ev.IPI_SEND, Ev.IPI_RECV, Ev.IPI_LOST, Ev.ACK_TIMEOUT, Ev.RESEND, Ev.ATTEMPT_ABORT,
  Ev.ATTEMPT_END, Ev.GIVE_UP, Ev.PATCH_BEGIN, Ev.PATCH_END, Ev.PHASE, Ev.VIOLATION, Ev.FAULT,
];

/** One bucket of the accounting series. */
export interface AcctPoint {
  readonly tNs: number;
  readonly error: number;
}

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
  /** Sparse events of {@link EXPORTED_SPARSE_KINDS} by kind, each list in seq order. */
  readonly byKind: ReadonlyMap<number, readonly EventRow[]>;
}

/** The events of `kind` (an empty list when the run has none). */
export function eventsOf(data: RunExportData, kind: number): readonly EventRow[] {
  return data.byKind.get(kind) ?? [];
}

/** Reads a run's export data; call inside a read transaction so it matches the intervals read after it. */
export async function loadRunExportData(db: TraceDb, run: RunRecord): Promise<RunExportData> {
  const runId = run.runId;
  const k = db.kysely;
  const vcpus = (await k.selectFrom('vcpus').select('cpu').where('run_id', '=', runId).orderBy('cpu').execute()).map((r) => r.cpu);
  const hosts = await k.selectFrom('hosts').select(['host_id', 'name']).where('run_id', '=', runId).execute();
  const routines = await k.selectFrom('routines').select(['routine_id', 'name']).where('run_id', '=', runId).execute();
  const variants = await k.selectFrom('variants').select(['variant_id', 'name']).where('run_id', '=', runId).execute();
  const attempts = await k.selectFrom('attempts').selectAll().where('run_id', '=', runId).orderBy('attempt').execute();
  const acct = await k.selectFrom('acct_series').select(['bucket_start_ns as tNs', 'error'])
    .where('run_id', '=', runId).where('error', 'is not', null).orderBy('bucket_start_ns').execute();
  const byKind = sparseEvents(db, runId);
  const endNs = run.endNs ?? lastEventNs(db, runId);
  assert(vcpus.length > 0, () => `run ${runId} has vCPUs`);
  return {
    run, vcpus, endNs,
    hostNames: new Map(hosts.map((h) => [h.host_id, h.name])),
    routineNames: new Map(routines.map((r) => [r.routine_id, r.name])),
    variantNames: new Map(variants.map((v) => [v.variant_id, v.name])),
    attempts: new Map(attempts.map((a) => [a.attempt, a])),
    acct: acct.map((r) => ({ tNs: r.tNs, error: r.error as number })),
    byKind,
  };
}

/** The sparse events of the run in one scan of the sparse-kind index, grouped by kind, each in seq order. */
function sparseEvents(db: TraceDb, runId: number): Map<number, EventRow[]> {
  const query = db.kysely
    .selectFrom('events')
    .select(['seq', 't_ns as tNs', 'kind', 'cpu', 'a', 'b', 'c'])
    .where('run_id', '=', runId)
    .where('kind', 'in', [...EXPORTED_SPARSE_KINDS])
    // Repeating the partial index's predicate lets SQLite use the index; ordering by (kind, seq),
    // not by seq alone, keeps it on the index (by seq it scans the whole run: 0.5 s instead of 30 ms
    // on a 5 M-event run).
    .where(sql.raw<boolean>(SPARSE_KIND_PREDICATE))
    .orderBy('kind')
    .orderBy('seq')
    .compile();
  const byKind = new Map<number, EventRow[]>();
  for (const row of db.sqlite.prepare(query.sql).iterate(...query.parameters) as IterableIterator<EventRow>) {
    const list = byKind.get(row.kind);
    if (list === undefined) byKind.set(row.kind, [row]);
    else list.push(row);
  }
  return byKind;
}

/** Time of the run's last event (0 when it has none): the end of an unfinished run's picture. */
function lastEventNs(db: TraceDb, runId: number): number {
  const query = db.kysely.selectFrom('events').select('t_ns').where('run_id', '=', runId)
    .orderBy('seq', 'desc').limit(1).compile();
  const t = db.sqlite.prepare(query.sql).pluck().get(...query.parameters) as number | undefined;
  return t ?? 0;
}
