/**
 * The data of the report's timeline: which time window to show, one lane per vCPU (or per group of
 * vCPUs on large guests), what fraction of each pixel column each lane spent in each state, the IPI
 * marks and the protocol's phase lines.
 *
 * The window is the protocol's: from a little before the first attempt's first MSG1 to a little
 * after the last target resumed; for a run with no attempt, the migration's pause and resume. Each
 * vCPU's intervals in it are read with one range seek on the (run_id, cpu, start_ns) key, so a
 * 1,920-vCPU run costs 1,920 short seeks, never a scan of its millions of intervals.
 */
import { assert } from '../core/assert.js';
import { CPU_STATE_NAMES, Msg, MSG_NAMES } from '../format/event-kinds.js';
import { intervalReader, readAckTimeouts, readIpiMarks, type IpiMarkKind } from '../trace/read-report.js';
import type { TraceDb } from '../trace/trace-db.js';
import type { AttemptFacts, RunFacts } from './run-facts.js';

/** Pixel columns of the plot: the raster's resolution. */
export const TIMELINE_COLUMNS = 1000;

/** Guests up to this many vCPUs get one lane each; larger ones are grouped. */
export const MAX_SINGLE_LANES = 64;

/** Grouped guests get about this many lanes at most. */
const MAX_GROUP_LANES = 128;

/** Number of vCPU state codes (CPU_STATE_NAMES). */
export const STATE_COUNT = CPU_STATE_NAMES.length;

/** The time window shown, and why it was chosen. */
export interface TimelineWindow {
  readonly fromNs: number;
  readonly toNs: number;
  readonly basis: 'protocol' | 'migration';
}

/** A lane: one vCPU, or consecutive vCPUs `firstCpu .. firstCpu + cpus - 1`. */
export interface Lane {
  readonly firstCpu: number;
  readonly cpus: number;
  readonly label: string;
}

/** What happened to an IPI: it left its sender, reached its target, or was lost on the way. */
export type MarkKind = IpiMarkKind;

/** An IPI mark on a lane. */
export interface TimelineMark {
  readonly lane: number;
  readonly tNs: number;
  readonly msg: number;
  readonly kind: MarkKind;
}

/** A vertical line at a protocol step (MSG1 sent, all ACKs, patch, MSG2, resumed, abort...). */
export interface PhaseLine {
  readonly tNs: number;
  readonly label: string;
}

/** Everything the timeline draws. */
export interface TimelineData {
  readonly window: TimelineWindow;
  readonly columns: number;
  readonly lanes: readonly Lane[];
  readonly grouped: boolean;
  /** Fraction in [0, 1] of lane l's capacity in column c spent in state s at `(l * columns + c) * STATE_COUNT + s`. */
  readonly occupancy: Float32Array;
  readonly marks: readonly TimelineMark[];
  readonly phases: readonly PhaseLine[];
  readonly attempts: readonly AttemptFacts[];
}

/** Margin around the protocol window, as a fraction of its span, so its edges are visible. */
const MARGIN = 0.06;

/** [from, to] widened by {@link MARGIN} on each side (at least 1 µs), within the run. */
function withMargin(from: number, to: number, runEndNs: number, basis: TimelineWindow['basis']): TimelineWindow {
  const margin = Math.max(1_000, Math.round((to - from) * MARGIN));
  return { fromNs: Math.max(0, from - margin), toNs: Math.min(runEndNs, to + margin), basis };
}

/** The window to show, or null when the run has neither an attempt nor a migration pause. */
export function timelineWindow(facts: RunFacts, runEndNs: number): TimelineWindow | null {
  const spans = facts.attempts.map((a) => attemptSpan(a, runEndNs)).filter((s): s is [number, number] => s !== null);
  if (spans.length > 0) {
    return withMargin(Math.min(...spans.map((s) => s[0])), Math.max(...spans.map((s) => s[1])), runEndNs, 'protocol');
  }
  const m = facts.migration;
  if (m === null || m.pauseNs === null || m.resumeNs === null) return null;
  return withMargin(m.pauseNs, m.resumeNs, runEndNs, 'migration');
}

/** One lane per vCPU up to {@link MAX_SINGLE_LANES}; above, groups of a power-of-two size. */
export function makeLanes(vcpus: number): Lane[] {
  assert(vcpus >= 1, 'a guest has at least one vCPU');
  if (vcpus <= MAX_SINGLE_LANES) {
    return Array.from({ length: vcpus }, (_, cpu) => ({ firstCpu: cpu, cpus: 1, label: `vCPU ${cpu}` }));
  }
  let size = 2;
  while (Math.ceil(vcpus / size) > MAX_GROUP_LANES) size *= 2;
  const lanes: Lane[] = [];
  for (let first = 0; first < vcpus; first += size) {
    const cpus = Math.min(size, vcpus - first);
    lanes.push({ firstCpu: first, cpus, label: `vCPU ${first}–${first + cpus - 1}` });
  }
  return lanes;
}

/** An attempt from its first MSG1 (or start) to its last resume or end (the run's end if open). */
function attemptSpan(a: AttemptFacts, runEndNs: number): [number, number] | null {
  const from = a.firstMsg1Ns ?? a.beginNs;
  const ends = [a.lastResumeNs, a.endNs].filter((t): t is number => t !== null);
  return from === null ? null : [from, ends.length > 0 ? Math.max(...ends) : runEndNs];
}

/** The window of one attempt, with a margin. */
export function attemptWindow(a: AttemptFacts, runEndNs: number): TimelineWindow | null {
  const span = attemptSpan(a, runEndNs);
  return span === null ? null : withMargin(span[0], span[1], runEndNs, 'protocol');
}

/**
 * Close-ups worth drawing besides the whole window: when a run retried, its attempts are short
 * bursts far apart (backoff), so the first and the last attempt get a window of their own.
 */
export function closeUpWindows(facts: RunFacts, whole: TimelineWindow, runEndNs: number): { attempt: AttemptFacts; window: TimelineWindow }[] {
  if (facts.attempts.length < 2) return [];
  const picked = [facts.attempts[0], facts.attempts[facts.attempts.length - 1]].filter((a): a is AttemptFacts => a !== undefined);
  return picked.flatMap((attempt) => {
    const window = attemptWindow(attempt, runEndNs);
    const narrow = window !== null && (window.toNs - window.fromNs) * 5 < whole.toNs - whole.fromNs;
    return narrow ? [{ attempt, window }] : [];
  });
}

/**
 * Loads the timeline of a complete run over `window`. With `detail` false, each attempt gets one
 * line (`#2 aborted`) instead of one per step: in a window spanning retries and their backoff, the
 * steps of one attempt fall on the same pixel (its close-up shows them).
 */
export function loadTimeline(db: TraceDb, runId: number, facts: RunFacts, window: TimelineWindow, detail = true): TimelineData {
  assert(facts.vcpus > 0 && window.toNs > window.fromNs, 'a timeline needs vCPUs and a window');
  const initiators = new Set(facts.attempts.map((a) => a.initiator));
  const lanes = makeLanes(facts.vcpus).map((lane) => {
    const holds = [...initiators].some((cpu) => cpu >= lane.firstCpu && cpu < lane.firstCpu + lane.cpus);
    return holds ? { ...lane, label: `${lane.label} (initiator)` } : lane;
  });
  const laneOf = (cpu: number): number => Math.floor(cpu / (lanes[0] as Lane).cpus);
  return {
    window,
    columns: TIMELINE_COLUMNS,
    lanes,
    grouped: (lanes[0] as Lane).cpus > 1,
    occupancy: rasterise(db, runId, window, lanes),
    marks: loadMarks(db, runId, window, laneOf),
    phases: detail ? phaseLines(db, runId, window, facts.attempts) : attemptLines(window, facts.attempts),
    attempts: facts.attempts,
  };
}

/** Per lane and pixel column, the fraction of time spent in each state. */
function rasterise(db: TraceDb, runId: number, w: TimelineWindow, lanes: readonly Lane[]): Float32Array {
  const columns = TIMELINE_COLUMNS;
  const out = new Float32Array(lanes.length * columns * STATE_COUNT);
  const colNs = (w.toNs - w.fromNs) / columns;
  assert(colNs > 0, 'the window has a positive span');
  const intervals = intervalReader(db, runId, w);
  lanes.forEach((lane, l) => {
    const share = 1 / (colNs * lane.cpus);
    for (let cpu = lane.firstCpu; cpu < lane.firstCpu + lane.cpus; cpu++) {
      for (const [state, start, end] of intervals(cpu)) {
        assert(state >= 0 && state < STATE_COUNT, () => `state ${state} of vCPU ${cpu}`);
        const s = Math.max(start, w.fromNs) - w.fromNs;
        const e = Math.min(end, w.toNs) - w.fromNs;
        if (e <= s) continue;
        const c1 = Math.min(columns - 1, Math.floor(e / colNs));
        for (let c = Math.floor(s / colNs); c <= c1; c++) {
          const overlap = Math.min(e, (c + 1) * colNs) - Math.max(s, c * colNs);
          const at = ((l * columns) + c) * STATE_COUNT + state;
          if (overlap > 0) out[at] = (out[at] as number) + overlap * share;
        }
      }
    }
  });
  return out;
}

/**
 * IPI sends, arrivals and losses in the window (sparse kinds: an index range, not a scan): the
 * seed's MSG1 / ACK / MSG2, and whatever messages other protocols send (SYNC, STOP).
 */
function loadMarks(db: TraceDb, runId: number, w: TimelineWindow, laneOf: (cpu: number) => number): TimelineMark[] {
  const rows = readIpiMarks(db, runId, w);
  return rows
    .filter((r) => r.msg >= Msg.MSG1 && r.msg < MSG_NAMES.length)
    .map((r) => ({ lane: laneOf(r.cpu), tNs: r.tNs, msg: r.msg, kind: r.kind }));
}

/** The protocol's steps inside the window, from the attempts table plus timeouts and resends. */
function phaseLines(db: TraceDb, runId: number, w: TimelineWindow, attempts: readonly AttemptFacts[]): PhaseLine[] {
  const lines: PhaseLine[] = [];
  const add = (t: number | null, label: string): void => {
    if (t !== null && t >= w.fromNs && t <= w.toNs) lines.push({ tNs: t, label });
  };
  const many = attempts.length > 1;
  for (const a of attempts) {
    const n = many ? ` #${a.attempt}` : '';
    add(a.firstMsg1Ns, `MSG1${n}`);
    add(a.lastAckNs, a.acks >= a.targets ? 'all ACKs' : `last ACK (${a.acks}/${a.targets})`);
    add(a.patchBeginNs, 'patch');
    add(a.syncEndNs, 'synced');
    add(a.msg2Ns, a.outcome === 'aborted' ? `abort${n}` : 'MSG2');
    add(a.lastResumeNs, 'all resumed');
  }
  for (const t of readAckTimeouts(db, runId, w)) add(t, 'ACK timeout');
  return mergeSameTime(lines.sort((x, y) => x.tNs - y.tNs));
}

/** One line per attempt, at its first MSG1: `#2 aborted`. */
function attemptLines(w: TimelineWindow, attempts: readonly AttemptFacts[]): PhaseLine[] {
  return attempts.flatMap((a) => {
    const t = a.firstMsg1Ns ?? a.beginNs;
    return t !== null && t >= w.fromNs && t <= w.toNs ? [{ tNs: t, label: `#${a.attempt} ${a.outcome}` }] : [];
  });
}

/** Steps at the same instant (all ACKs = patch begins) become one line: `all ACKs / patch`. */
function mergeSameTime(sorted: readonly PhaseLine[]): PhaseLine[] {
  const out: PhaseLine[] = [];
  for (const line of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.tNs === line.tNs) out[out.length - 1] = { tNs: line.tNs, label: `${last.label} / ${line.label}` };
    else out.push(line);
  }
  return out;
}
