/**
 * A slice decided before it is written: the annotations of a track (markers, patch slices, IPI
 * anchors, protocol and migration steps) are planned from the run's sparse events, sorted, and
 * then merged in time order with the track's state intervals.
 */
import { jsonString } from './chrome-trace-format.js';
import type { TrackWriter } from './track-writer.js';

/** A flow point anchored on a slice: `s` on the sender's side, `f` on the receiver's. */
export interface FlowPoint {
  readonly phase: 's' | 'f';
  /** The send's seq: unique in the run, and a number as Perfetto requires. */
  readonly id: number;
  readonly nameJson: string;
}

/** A slice to write; `startNs === endNs` makes a point marker. */
export interface PlannedSlice {
  readonly startNs: number;
  readonly endNs: number;
  readonly nameJson: string;
  readonly argsJson: string | null;
  readonly flow: FlowPoint | null;
}

/** Argument values of slices: numbers and strings only, so args stay flat and typed. */
export type SliceArgs = Readonly<Record<string, number | string>>;

/** A planned slice from plain values. */
export function planned(
  startNs: number, endNs: number, name: string, args: SliceArgs | null = null, flow: FlowPoint | null = null,
): PlannedSlice {
  return { startNs, endNs, nameJson: jsonString(name), argsJson: args === null ? null : JSON.stringify(args), flow };
}

/**
 * Write order within a track: by start, then longest first, so that an enclosing slice always
 * comes before what it encloses. Array.prototype.sort is stable, so ties keep planning order.
 */
export function compareSlices(x: Pick<PlannedSlice, 'startNs' | 'endNs'>, y: Pick<PlannedSlice, 'startNs' | 'endNs'>): number {
  return x.startNs - y.startNs || y.endNs - x.endNs;
}

/** Writes a planned slice and, right after it, its flow point (which the slice then encloses). */
export function writePlanned(track: TrackWriter, slice: PlannedSlice): void {
  track.slice(slice.startNs, slice.endNs, slice.nameJson, slice.argsJson);
  if (slice.flow !== null) track.flow(slice.flow.phase, slice.startNs, slice.flow.id, slice.flow.nameJson);
}

/** Sorts and writes a whole track of planned slices. */
export function writeTrack(track: TrackWriter, slices: readonly PlannedSlice[]): void {
  for (const slice of [...slices].sort(compareSlices)) writePlanned(track, slice);
}
