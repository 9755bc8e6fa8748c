/**
 * `migpatch replay timeline RUN [--from NS] [--to NS] [--cpu N] [--kind K]` as a library call: a
 * run's events, one readable entry each, codes turned into names (the kind's documented column
 * names, states, messages, phases, and the run's routine, variant and host names). Entries are
 * generated while the events are read, so a run of millions of events never sits in memory.
 */
import { InputError } from '../core/errors.js';
import { describeEvent } from '../query/describe-event.js';
import { EVENT_KINDS, Ev } from '../format/event-kinds.js';
import type { EventRow } from '../trace/event-rows.js';
import { filteredEvents, type EventFilter } from '../trace/read-replay.js';
import { seqAtTime } from '../trace/runs.js';
import type { RunStatus } from '../trace/schema.js';
import type { TraceDb } from '../trace/trace-db.js';
import { getEventsRun } from './replay-run.js';
import { readTopology, routineName, variantName, type RunTopology } from './run-topology.js';

/** What `replay timeline` was asked for. Times are inclusive: `fromNs <= t_ns <= toNs`. */
export interface TimelineRequest {
  readonly run: string;
  readonly fromNs?: number;
  readonly toNs?: number;
  /** Only events whose `cpu` column is this vCPU. */
  readonly cpu?: number;
  /** Only events of this kind (its name, as in `event_kinds`). */
  readonly kind?: string;
  readonly partial: boolean;
}

/** One event, readable. `args` are the kind's columns other than `cpu`, by their documented names. */
export interface TimelineEntry {
  readonly seq: number;
  readonly tNs: number;
  readonly kind: string;
  readonly cpu: number | null;
  readonly args: Readonly<Record<string, string | number | null>>;
}

/** A timeline being read. Iterate `entries` before the database is closed, and only once. */
export interface Timeline {
  readonly runId: number;
  readonly status: RunStatus;
  readonly entries: Generator<TimelineEntry, void, undefined>;
}

/** The code of an event kind's name; an unknown name is an input error listing the valid ones. */
export function eventKindCode(name: string): number {
  const info = EVENT_KINDS.find((k) => k.name === name);
  if (info !== undefined) return info.code;
  throw new InputError(`--kind '${name}': unknown event kind; valid kinds: ${EVENT_KINDS.map((k) => k.name).join(', ')}`);
}

/** Opens the timeline of `req.run`, checking every filter first (input errors, nothing read). */
export async function openTimeline(db: TraceDb, req: TimelineRequest): Promise<Timeline> {
  const kind = req.kind === undefined ? undefined : eventKindCode(req.kind);
  if (req.fromNs !== undefined && req.toNs !== undefined && req.fromNs > req.toNs) {
    throw new InputError(`--from ${req.fromNs} is after --to ${req.toNs}`);
  }
  const run = await getEventsRun(db, req.run, req.partial);
  const topology = await readTopology(db, run.runId);
  if (req.cpu !== undefined && req.cpu >= topology.vcpus) {
    throw new InputError(`--cpu ${req.cpu}: run ${run.runId} has vCPUs 0 to ${topology.vcpus - 1}`);
  }
  const filter: EventFilter = {
    fromSeq: req.fromNs === undefined ? 0 : seqAtTime(db, run.runId, req.fromNs),
    ...(req.toNs === undefined ? {} : { toSeq: seqAtTime(db, run.runId, req.toNs + 1) }),
    ...(req.cpu === undefined ? {} : { cpu: req.cpu }),
    ...(kind === undefined ? {} : { kind }),
  };
  return { runId: run.runId, status: run.status, entries: entriesOf(filteredEvents(db, run.runId, filter), topology) };
}

function* entriesOf(rows: Iterable<EventRow>, topology: RunTopology): Generator<TimelineEntry, void, undefined> {
  for (const row of rows) yield timelineEntry(row, topology);
}

/** Decodes one event for the timeline, naming the run's routines, variants and hosts. */
export function timelineEntry(row: EventRow, topology: RunTopology): TimelineEntry {
  const { kind, fields } = describeEvent(row);
  const args: Record<string, string | number | null> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'cpu') continue;
    args[name] = nameOf(row.kind, name, value, topology);
  }
  return { seq: row.seq, tNs: row.tNs, kind, cpu: row.cpu, args };
}

function nameOf(kind: number, column: string, value: string | number | null, topology: RunTopology): string | number | null {
  if (typeof value !== 'number') {
    // The scheduler's null pid means the vCPU goes (or was) idle.
    return value === null && kind === Ev.SCHED_SWITCH ? 'idle' : value;
  }
  if (column === 'routine') return routineName(topology, value);
  if (column === 'variant') return variantName(topology, value);
  if (column === 'host') return topology.hosts[value]?.name ?? value;
  return value;
}

/** Width of the time column: room for a run of 100,000 s in ns. */
const TIME_WIDTH = 13;

/** One line: `   1195098398 ns  cpu 0   ipi_send      dst=3 msg=MSG1 attempt=1`. */
export function timelineLine(e: TimelineEntry): string {
  const cpu = e.cpu === null ? '-' : String(e.cpu);
  const args = Object.entries(e.args).map(([k, v]) => `${k}=${v === null ? '-' : String(v)}`).join(' ');
  return `${String(e.tNs).padStart(TIME_WIDTH)} ns  cpu ${cpu.padEnd(4)}${e.kind.padEnd(14)}${args}`.trimEnd();
}
