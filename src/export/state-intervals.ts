/**
 * A run's vCPU state intervals, streamed vCPU by vCPU in time order: from `cpu_intervals` for a
 * complete run (one range scan of its (run_id, cpu, start_ns) index), or rebuilt from the
 * cpu_state and sched_switch events of a run that never finished (its derived tables are written
 * only when it completes), with the rules of the run analyser: every vCPU starts idle at 0, a
 * state change or a process switch closes the current interval, zero-length intervals are skipped.
 */
import { assert } from '../core/assert.js';
import { CpuState, Ev } from '../format/event-kinds.js';
import type { TraceDb } from '../trace/trace-db.js';

/** One state interval [startNs, endNs) of a vCPU (the streams below may reuse one object: read, don't keep). */
export interface StateInterval {
  readonly cpu: number;
  readonly state: number;
  readonly startNs: number;
  readonly endNs: number;
  /** The process on the vCPU, null when none. */
  readonly pid: number | null;
}

/**
 * A complete run's intervals, ordered by (cpu, start): a range scan of the table's primary key.
 * The same object is refilled at each step (1.4 M intervals on e1080-1920: no allocation per
 * row), so read it before advancing.
 */
export function* storedIntervals(db: TraceDb, runId: number): Generator<StateInterval, void, undefined> {
  const query = db.kysely
    .selectFrom('cpu_intervals')
    .select(['cpu', 'state', 'start_ns', 'end_ns', 'pid'])
    .where('run_id', '=', runId)
    .orderBy('cpu')
    .orderBy('start_ns')
    .compile();
  const rows = db.sqlite.prepare(query.sql).raw(true).iterate(...query.parameters) as IterableIterator<[number, number, number, number, number | null]>;
  const iv = { cpu: 0, state: 0, startNs: 0, endNs: 0, pid: null as number | null };
  for (const row of rows) {
    [iv.cpu, iv.state, iv.startNs, iv.endNs, iv.pid] = row;
    yield iv;
  }
}

/**
 * An unfinished run's intervals rebuilt from its events up to `endNs` (its last event), ordered by
 * (cpu, start). Scans the run's state events once, sorted by SQLite: a rare, slower path.
 */
export function* intervalsFromEvents(
  db: TraceDb, runId: number, vcpus: readonly number[], endNs: number,
): Generator<StateInterval, void, undefined> {
  const query = db.kysely
    .selectFrom('events')
    .select(['cpu', 't_ns', 'kind', 'a', 'b', 'c'])
    .where('run_id', '=', runId)
    .where('kind', 'in', [Ev.CPU_STATE, Ev.SCHED_SWITCH])
    .orderBy('cpu')
    .orderBy('seq')
    .compile();
  const rows = db.sqlite.prepare(query.sql).raw(true)
    .iterate(...query.parameters) as IterableIterator<[number, number, number, number | null, number | null, number | null]>;
  let vcpuIndex = 0;
  let cur = { cpu: -1, state: CpuState.IDLE as number, startNs: 0, pid: null as number | null };
  // Emits the idle [0, end) of vCPUs without a single state event, up to (not including) `cpu`.
  function* idleUpTo(cpu: number): Generator<StateInterval, void, undefined> {
    for (; vcpuIndex < vcpus.length && (vcpus[vcpuIndex] as number) < cpu; vcpuIndex++) {
      if (endNs > 0) yield { cpu: vcpus[vcpuIndex] as number, state: CpuState.IDLE, startNs: 0, endNs, pid: null };
    }
    if (vcpus[vcpuIndex] === cpu) vcpuIndex++;
  }
  for (const [cpu, tNs, kind, a, b, c] of rows) {
    if (cpu !== cur.cpu) {
      if (cur.cpu >= 0 && endNs > cur.startNs) yield { ...cur, endNs };
      assert(cpu > cur.cpu, () => `state events of vCPU ${cpu} come in vCPU order`);
      yield* idleUpTo(cpu);
      cur = { cpu, state: CpuState.IDLE, startNs: 0, pid: null };
    }
    if (tNs > cur.startNs) yield { ...cur, endNs: tNs };
    if (tNs > cur.startNs) cur.startNs = tNs;
    if (kind === Ev.CPU_STATE) {
      cur.state = a ?? CpuState.IDLE;
      cur.pid = c;
    } else {
      cur.pid = b;
    }
  }
  if (cur.cpu >= 0 && endNs > cur.startNs) yield { ...cur, endNs };
  yield* idleUpTo(Number.MAX_SAFE_INTEGER);
}
