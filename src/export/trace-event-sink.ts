/**
 * Writes the events of one Chrome trace file in order: the container's head, event lines with
 * their separators, the flow points, the tail; and counts what was written, for the export's summary.
 *
 * Flow points are held back and written last, sorted by time with every start (`s`) before a finish
 * (`f`) at the same instant: tracks are written one after the other, so an ACK's finish on vCPU 0's
 * track would otherwise come before its start on the target's, and DevTools, which reads flows in
 * file order, drops such a flow. Perfetto sorts what it imports, so the order costs it nothing.
 */
import { assert } from '../core/assert.js';
import type { ChunkedWriter } from '../io/chunked-writer.js';
import { EVENT_SEPARATOR, TRACE_HEAD, TRACE_TAIL } from './chrome-trace-format.js';

/** Event phases migpatch writes. */
export type WrittenPhase = 'X' | 's' | 'f' | 'C' | 'M';

/** How many events of each phase a trace holds. */
export type PhaseCounts = Record<WrittenPhase, number>;

/** Most flow points one export holds back: one per IPI send and one per delivery. */
const MAX_FLOW_POINTS = 20_000_000;

/** A flow point held back until the slices are written. */
interface HeldFlow {
  readonly tNs: number;
  readonly phase: 's' | 'f';
  readonly text: string;
}

/** Event lines into a {@link ChunkedWriter}, between the container's head and tail. */
export class TraceEventSink {
  readonly #out: ChunkedWriter;
  readonly #flows: HeldFlow[] = [];
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

  /** Holds back a flow point (its JSON text) to be written with the others when the trace closes. */
  flow(phase: 's' | 'f', tNs: number, text: string): void {
    assert(!this.#closed, 'no flow after the trace is closed');
    assert(this.#flows.length < MAX_FLOW_POINTS, () => `more than ${MAX_FLOW_POINTS} flow points`);
    this.#flows.push({ tNs, phase, text });
  }

  /** True when the writer wants the caller to await {@link drain}. */
  get blocked(): boolean {
    return this.#out.blocked;
  }

  /** Waits for the output to take more. */
  drain(): Promise<void> {
    return this.#out.drain();
  }

  /** Writes the flow points (starts before finishes, in time order), then the tail; the caller then ends the writer. */
  close(): void {
    assert(!this.#closed, 'trace closed twice');
    // Stable sort: ties keep the order the tracks gave them.
    this.#flows.sort((x, y) => x.tNs - y.tNs || (x.phase === y.phase ? 0 : x.phase === 's' ? -1 : 1));
    for (const f of this.#flows) this.event(f.phase, f.text);
    this.#flows.length = 0;
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
