/**
 * One vCPU's track: its state intervals (streamed in time order) merged with its planned
 * annotations (sorted), so that every slice is written after the slice that encloses it.
 */
import { CPU_STATE_NAMES } from '../format/event-kinds.js';
import { jsonString, type TrackId } from './chrome-trace-format.js';
import { compareSlices, writePlanned, type PlannedSlice } from './planned-slice.js';
import type { StateInterval } from './state-intervals.js';
import type { TraceEventSink } from './trace-event-sink.js';
import { TrackWriter } from './track-writer.js';

/** State names as JSON text, indexed by state code (looked up once per interval, the hot path). */
const STATE_NAME_JSON: readonly string[] = CPU_STATE_NAMES.map(jsonString);

/** Writes one vCPU's track. */
export class VcpuTrack {
  readonly #writer: TrackWriter;
  readonly #marks: readonly PlannedSlice[];
  #next = 0;

  constructor(sink: TraceEventSink, track: TrackId, annotations: readonly PlannedSlice[]) {
    this.#writer = new TrackWriter(sink, track);
    this.#marks = [...annotations].sort(compareSlices);
  }

  /** Adds the next state interval (intervals come in time order); zero-length ones are dropped. */
  interval(iv: StateInterval): void {
    if (iv.endNs <= iv.startNs) return;
    // Annotations that start earlier, or at the same time but last longer, enclose or precede it.
    for (; this.#next < this.#marks.length; this.#next++) {
      const mark = this.#marks[this.#next] as PlannedSlice;
      if (compareSlices(mark, iv) >= 0) break;
      writePlanned(this.#writer, mark);
    }
    const name = STATE_NAME_JSON[iv.state] ?? jsonString(`state ${iv.state}`);
    this.#writer.slice(iv.startNs, iv.endNs, name, iv.pid === null ? null : `{"process":${iv.pid}}`);
  }

  /** Writes the annotations after the last interval; returns how many slices were clipped on this track. */
  finish(): number {
    for (; this.#next < this.#marks.length; this.#next++) writePlanned(this.#writer, this.#marks[this.#next] as PlannedSlice);
    return this.#writer.clipped;
  }
}
