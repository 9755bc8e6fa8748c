/**
 * Writes the events of one Chrome trace file in order: the container's head, event lines with
 * their separators, the tail; and counts what was written, for the export's summary.
 */
import { assert } from '../core/assert.js';
import type { ChunkedWriter } from '../io/chunked-writer.js';
import { EVENT_SEPARATOR, TRACE_HEAD, TRACE_TAIL } from './chrome-trace-format.js';

/** Event phases migpatch writes. */
export type WrittenPhase = 'X' | 's' | 'f' | 'C' | 'M';

/** How many events of each phase a trace holds. */
export type PhaseCounts = Record<WrittenPhase, number>;

/** Event lines into a {@link ChunkedWriter}, between the container's head and tail. */
export class TraceEventSink {
  readonly #out: ChunkedWriter;
  readonly #counts: PhaseCounts = { X: 0, s: 0, f: 0, C: 0, M: 0 };
  #events = 0;
  #closed = false;

  constructor(out: ChunkedWriter) {
    this.#out = out;
    out.write(TRACE_HEAD);
  }

  /** Appends one event (its JSON text, as built by chrome-trace-format). */
  event(phase: WrittenPhase, text: string): void {
    assert(!this.#closed, 'no event after the trace is closed');
    this.#out.write(this.#events === 0 ? text : EVENT_SEPARATOR + text);
    this.#events++;
    this.#counts[phase]++;
  }

  /** True when the writer wants the caller to await {@link drain}. */
  get blocked(): boolean {
    return this.#out.blocked;
  }

  /** Waits for the output to take more. */
  drain(): Promise<void> {
    return this.#out.drain();
  }

  /** Writes the tail; the caller then ends the writer. */
  close(): void {
    assert(!this.#closed, 'trace closed twice');
    this.#closed = true;
    this.#out.write(TRACE_TAIL);
  }

  /** Events written so far, by phase. */
  get counts(): Readonly<PhaseCounts> {
    return this.#counts;
  }

  /** Events written so far. */
  get events(): number {
    return this.#events;
  }
}
