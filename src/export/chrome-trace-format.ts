/**
 * The text of Chrome Trace Event JSON as the Perfetto UI imports it (REFERENCES.md): the container,
 * and one line per event for the few phases migpatch writes — `X` complete slices, `s`/`f` flow
 * events, `C` counters and `M` metadata (process_name, thread_name). Times are written from integer
 * nanoseconds as microseconds with exactly three fraction digits (`1195098.398`), never through
 * float formatting, so no exponent or binary residue can appear and nanosecond precision is kept.
 */
import { assert } from '../core/assert.js';

/** First line of a trace file; events follow one per line. */
export const TRACE_HEAD = '{"traceEvents":[\n';

/** Last line of a trace file. */
export const TRACE_TAIL = '\n],"displayTimeUnit":"ns"}\n';

/** Separator between two event lines. */
export const EVENT_SEPARATOR = ',\n';

/** The metadata names the Perfetto UI imports; the only ones migpatch writes. */
export const METADATA_NAMES = ['process_name', 'thread_name'] as const;

/** `000` .. `999`, so a fraction is a lookup, not a padStart per event. */
const FRACTIONS: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Nanoseconds (a non-negative safe integer) as microseconds with three fraction digits: 1195098398 -> `1195098.398`. */
export function usText(ns: number): string {
  // The message is built only on failure: this runs twice per event.
  if (!(Number.isSafeInteger(ns) && ns >= 0)) assert(false, () => `time ${ns} ns is a non-negative integer`);
  const us = Math.floor(ns / 1000);
  return `${us}.${FRACTIONS[ns - us * 1000] as string}`;
}

/** A JSON string literal. */
export function jsonString(text: string): string {
  return JSON.stringify(text);
}

/**
 * A number for a counter or an argument: integers as digits, other values with at most `digits`
 * fraction digits and trailing zeros removed (`3.000000000000032` -> `3`), never in exponent form.
 */
export function decimalText(value: number, digits = 9): string {
  assert(Number.isFinite(value) && Math.abs(value) < 1e21, () => `counter value ${value} is finite and below 1e21`);
  if (Number.isInteger(value)) return String(value + 0);
  const fixed = value.toFixed(digits).replace(/\.?0+$/, '');
  return fixed === '-0' ? '0' : fixed;
}

/** Where an event is drawn: a process and one of its threads (a track). */
export interface TrackId {
  readonly pid: number;
  readonly tid: number;
}

/** An `X` complete slice; `nameJson` and `argsJson` are JSON text (argsJson may be null). */
export function sliceEvent(track: TrackId, startNs: number, durNs: number, nameJson: string, argsJson: string | null): string {
  const args = argsJson === null ? '' : `,"args":${argsJson}`;
  return `{"ph":"X","pid":${track.pid},"tid":${track.tid},"ts":${usText(startNs)},"dur":${usText(durNs)},"name":${nameJson}${args}}`;
}

/**
 * A flow event: `s` starts at the slice enclosing `tNs` on the sender's track, `f` (bound with
 * `"bp":"e"` to its enclosing slice) finishes on the receiver's. The id is a number, as Perfetto
 * requires. No `cat`: DevTools binds a flow point only to a slice with the same ts, pid, tid and
 * cat, and migpatch's slices have none.
 */
export function flowEvent(track: TrackId, phase: 's' | 'f', tNs: number, id: number, nameJson: string): string {
  assert(Number.isSafeInteger(id) && id >= 0, () => `flow id ${id} is a non-negative integer`);
  const bind = phase === 'f' ? ',"bp":"e"' : '';
  return `{"ph":"${phase}","pid":${track.pid},"tid":${track.tid},"ts":${usText(tNs)},"id":${id},"name":${nameJson}${bind}}`;
}

/** A `C` counter sample: one numeric series `key` of the counter `nameJson` (a track per process and name). */
export function counterEvent(track: TrackId, tNs: number, nameJson: string, key: string, value: number): string {
  return `{"ph":"C","pid":${track.pid},"tid":${track.tid},"ts":${usText(tNs)},"name":${nameJson},"args":{${jsonString(key)}:${decimalText(value)}}}`;
}

/** An `M` event naming a process. */
export function processNameEvent(pid: number, name: string): string {
  return `{"ph":"M","pid":${pid},"name":"process_name","args":{"name":${jsonString(name)}}}`;
}

/** An `M` event naming a thread (a track). */
export function threadNameEvent(track: TrackId, name: string): string {
  return `{"ph":"M","pid":${track.pid},"tid":${track.tid},"name":"thread_name","args":{"name":${jsonString(name)}}}`;
}
