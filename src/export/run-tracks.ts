/**
 * The tracks of a run that are not vCPUs: protocol attempts (with the initiator's resends,
 * timeouts, aborts and give-up as points), protocol phases, the migration (pre-copy rounds,
 * stop-and-copy pause, resume) and one track per rewritten routine; and the counters: accounting
 * error per bucket and the migration's dirty bytes per round. Each list is planned here and sorted
 * when written.
 */
import { OUTCOME_NAMES, PHASE_NAMES } from '../format/event-kinds.js';
import { planned, type PlannedSlice } from './planned-slice.js';
import { eventsOf, type EventOf, type RunExportData } from './run-export-data.js';
import { nameOf } from './vcpu-annotations.js';

/** Phases that are states of rest, drawn as points rather than as slices lasting until the next phase. */
const RESTING_PHASES = new Set(['idle', 'done', 'gave-up']);

/** One counter sample. */
export interface CounterPoint {
  readonly tNs: number;
  readonly value: number;
}

/** Protocol attempts, from attempt_begin to attempt_end (or the end of the trace), with the initiator's steps. */
export function planAttempts(data: RunExportData): PlannedSlice[] {
  const ends = new Map(eventsOf(data, 'attempt_end').map((e) => [e.attempt, e]));
  const slices: PlannedSlice[] = eventsOf(data, 'attempt_begin').map((begin) => {
    const end = ends.get(begin.attempt);
    const outcome = end === undefined ? 'unfinished' : nameOf(OUTCOME_NAMES, end.outcome);
    const row = begin.attempt === null ? undefined : data.attempts.get(begin.attempt);
    const args = row === undefined
      ? { initiator: begin.cpu ?? -1, targets: begin.targets ?? 0, outcome }
      : { initiator: row.initiator, targets: row.targets, outcome, acks: row.acks, resends: row.resends, timeouts: row.timeouts };
    return planned(begin.tNs, end?.tNs ?? data.endNs, `attempt ${begin.attempt}: ${outcome}`, args);
  });
  for (const e of eventsOf(data, 'resend')) slices.push(planned(e.tNs, e.tNs, `resend MSG1 (round ${e.round})`, { attempt: e.attempt ?? 0, count: e.count ?? 0 }));
  for (const e of eventsOf(data, 'ack_timeout')) slices.push(planned(e.tNs, e.tNs, `ack timeout: ${e.missing} missing`, { attempt: e.attempt ?? 0 }));
  for (const e of eventsOf(data, 'attempt_abort')) slices.push(planned(e.tNs, e.tNs, `abort: ${e.acked} acknowledged`, { attempt: e.attempt ?? 0 }));
  for (const e of eventsOf(data, 'give_up')) slices.push(planned(e.tNs, e.tNs, `give up after ${e.attempts} attempts`, null));
  return slices;
}

/** Protocol phases: each active phase lasts until the next phase event (or the end of the trace). */
export function planPhases(data: RunExportData): PlannedSlice[] {
  const phases = eventsOf(data, 'phase');
  return phases.map((e, i) => {
    const name = nameOf(PHASE_NAMES, e.phase);
    const args = { attempt: e.attempt ?? 0 };
    if (RESTING_PHASES.has(name)) return planned(e.tNs, e.tNs, name, args);
    return planned(e.tNs, phases[i + 1]?.tNs ?? data.endNs, name, args);
  });
}

/**
 * Migration: pre-copy rounds back to back from mig_begin, the pause (stop-and-copy and downtime),
 * the resume. Events are folded in seq order, so a run with several migrations gets each one.
 */
export function planMigration(data: RunExportData): PlannedSlice[] {
  type MigrationEvent = EventOf<'mig_begin' | 'mig_round' | 'mig_pause' | 'mig_resume'>;
  const events: MigrationEvent[] = [
    ...eventsOf(data, 'mig_begin'), ...eventsOf(data, 'mig_round'), ...eventsOf(data, 'mig_pause'), ...eventsOf(data, 'mig_resume'),
  ].sort((x, y) => x.seq - y.seq);
  const slices: PlannedSlice[] = [];
  let roundStart: number | null = null;
  let pause: EventOf<'mig_pause'> | null = null;
  const closePause = (endNs: number): void => {
    if (pause === null) return;
    slices.push(planned(pause.tNs, endNs, 'paused (stop-and-copy, downtime)', { remaining_bytes: pause.remainingBytes ?? 0, downtime_ns: pause.downtimeNs ?? 0 }));
    pause = null;
  };
  for (const e of events) {
    if (e.kind === 'mig_begin') {
      roundStart = e.tNs;
    } else if (e.kind === 'mig_round') {
      if (roundStart === null) continue;
      const label = e.round === 1 ? 'pre-copy round 1 (full copy)' : `pre-copy round ${e.round}`;
      slices.push(planned(roundStart, e.tNs, label, { bytes_sent: e.bytesSent ?? 0, dirty_bytes: e.dirtyBytes ?? 0 }));
      roundStart = e.tNs;
    } else if (e.kind === 'mig_pause') {
      closePause(e.tNs);
      pause = e;
      roundStart = null;
    } else {
      closePause(e.tNs);
      const host = data.hostNames.get(e.host ?? -1) ?? `host ${e.host}`;
      slices.push(planned(e.tNs, e.tNs, `resumed on ${host}`, { downtime_ns: e.downtimeNs ?? 0 }));
    }
  }
  closePause(data.endNs);
  return slices;
}

/** Accounting error (Σ charged − Σ truth) / Σ truth per bucket of acct_series, at each bucket's start. */
export function accountingErrorCounter(data: RunExportData): CounterPoint[] {
  return data.acct.map((p) => ({ tNs: p.tNs, value: p.error }));
}

/** Bytes dirtied during each pre-copy round (what the next round must send), and 0 at each resume. */
export function dirtyBytesCounter(data: RunExportData): CounterPoint[] {
  return [
    ...eventsOf(data, 'mig_round').map((e) => ({ tNs: e.tNs, value: e.dirtyBytes ?? 0 })),
    ...eventsOf(data, 'mig_resume').map((e) => ({ tNs: e.tNs, value: 0 })),
  ];
}

/**
 * Each routine rewrite, begin to end, on the routine's own track: a routine is rewritten by one
 * modifier at a time, so its slices never overlap, while rewrites of two routines may (int3-poke
 * interleaves them) and one rewrite may span several states of the modifier. A rewrite never
 * finished lasts until the end of the trace.
 */
export function planRoutineRewrites(data: RunExportData): Map<number, PlannedSlice[]> {
  const events = [...eventsOf(data, 'patch_begin'), ...eventsOf(data, 'patch_end')].sort((x, y) => x.seq - y.seq);
  const open = new Map<number, EventOf<'patch_begin'>>();
  const byRoutine = new Map<number, PlannedSlice[]>();
  const add = (begin: EventOf<'patch_begin'>, endNs: number, suffix: string): void => {
    const routine = begin.routine ?? -1;
    const variant = data.variantNames.get(begin.variant ?? -1) ?? `variant ${begin.variant}`;
    const slice = planned(begin.tNs, endNs, `rewrite to ${variant}${suffix}`, { modifier: begin.cpu ?? -1, words: begin.words ?? 0 });
    const list = byRoutine.get(routine);
    if (list === undefined) byRoutine.set(routine, [slice]);
    else list.push(slice);
  };
  for (const e of events) {
    const routine = e.routine ?? -1;
    if (e.kind === 'patch_begin') {
      const previous = open.get(routine);
      if (previous !== undefined) add(previous, e.tNs, ' (interrupted)');
      open.set(routine, e);
      continue;
    }
    const begin = open.get(routine);
    if (begin === undefined) continue;
    open.delete(routine);
    add(begin, e.tNs, '');
  }
  for (const begin of open.values()) add(begin, data.endNs, ' (unfinished)');
  return byRoutine;
}
