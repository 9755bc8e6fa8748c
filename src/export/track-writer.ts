/**
 * One track (pid, tid) of a Chrome trace, written in time order with slices that nest and never
 * partly overlap: the Perfetto UI drops overlapping non-nested `X` slices on a thread. Slices must
 * come in (start ascending, end descending) order; a slice that would end after the slice that
 * encloses it is clipped to that slice's end and counted, so the guarantee holds by construction
 * whatever the data (the tests' checker then verifies it from the file).
 */
import { assert } from '../core/assert.js';
import { flowEvent, sliceEvent, type TrackId } from './chrome-trace-format.js';
import type { TraceEventSink } from './trace-event-sink.js';

/** A track's open slices never get deeper than this in migpatch's exports (state > patch > marker). */
const MAX_DEPTH = 16;

/** Writes the slices and flow points of one track. */
export class TrackWriter {
  readonly #sink: TraceEventSink;
  readonly #track: TrackId;
  /** End times of the enclosing slices, innermost last. */
  readonly #open: number[] = [];
  #lastNs = 0;
  #clipped = 0;

  constructor(sink: TraceEventSink, track: TrackId) {
    this.#sink = sink;
    this.#track = track;
  }

  /** Adds the slice [startNs, endNs]; zero-length slices are points (markers, flow anchors). */
  slice(startNs: number, endNs: number, nameJson: string, argsJson: string | null): void {
    // Messages are built only on failure: this is the per-interval hot path.
    if (endNs < startNs) assert(false, () => `slice ends (${endNs}) before it starts (${startNs})`);
    this.#advance(startNs);
    // Close the slices that end before or where this one starts: touching is not overlapping, and
    // a point [t, t] encloses nothing.
    while (this.#open.length > 0 && (this.#open[this.#open.length - 1] as number) <= startNs) {
      this.#open.pop();
    }
    const parentEnd = this.#open[this.#open.length - 1];
    let end = endNs;
    if (parentEnd !== undefined && end > parentEnd) {
      end = parentEnd;
      this.#clipped++;
    }
    if (this.#open.length >= MAX_DEPTH) assert(false, () => `track ${this.#track.pid}/${this.#track.tid} nests deeper than ${MAX_DEPTH}`);
    this.#open.push(end);
    this.#sink.event('X', sliceEvent(this.#track, startNs, end - startNs, nameJson, argsJson));
  }

  /**
   * A flow point at `tNs`, anchored on the slice just written there (a point marker starting at
   * `tNs`). The sink writes flow points after every slice, in time order (see TraceEventSink).
   */
  flow(phase: 's' | 'f', tNs: number, id: number, nameJson: string): void {
    this.#advance(tNs);
    this.#sink.flow(phase, tNs, flowEvent(this.#track, phase, tNs, id, nameJson));
  }

  /** Slices clipped so far to keep nesting. */
  get clipped(): number {
    return this.#clipped;
  }

  #advance(tNs: number): void {
    if (tNs < this.#lastNs) assert(false, () => `track ${this.#track.pid}/${this.#track.tid}: time goes back from ${this.#lastNs} to ${tNs}`);
    this.#lastNs = tNs;
  }
}
