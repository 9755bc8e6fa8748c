/**
 * The sink of a sweep worker: it writes nothing anywhere, but keeps what the writing thread needs
 * to store the run (its metadata, result or failure, and with `--events` its events packed for
 * transfer). It follows the common lifecycle, so the simulation is held to the same contract as
 * when it records into SQLite directly.
 */
import { RunLifecycle } from '../trace/sink-lifecycle.js';
import type { EventBatch, RunMeta, RunResult, TraceSink } from '../format/trace-types.js';
import { packEvents, type PackedEvents } from './packed-events.js';

/** Keeps one run at a time. */
export class CollectingSink implements TraceSink {
  readonly #keepEvents: boolean;
  readonly #life = new RunLifecycle();
  #meta: RunMeta | null = null;
  #result: RunResult | null = null;
  #failReason: string | null = null;
  #events: PackedEvents[] = [];

  /** A sink that keeps the events too when `keepEvents`. */
  constructor(keepEvents: boolean) {
    this.#keepEvents = keepEvents;
  }

  /** The run's metadata, once begun. */
  get meta(): RunMeta | null {
    return this.#meta;
  }

  /** The result given to `finish`, or null. */
  get result(): RunResult | null {
    return this.#result;
  }

  /** The reason given to `fail`, or null. */
  get failReason(): string | null {
    return this.#failReason;
  }

  /** The events written so far, packed (empty unless the sink keeps events). */
  get events(): readonly PackedEvents[] {
    return this.#events;
  }

  /** Keeps the metadata; the run id is always 1 (the writing thread assigns the real one). */
  begin(meta: RunMeta): number {
    this.#life.begin(1);
    this.#meta = meta;
    this.#result = null;
    this.#failReason = null;
    this.#events = [];
    return 1;
  }

  /** Packs the batch when keeping events; counts it either way. */
  write(batch: EventBatch): void {
    this.#life.checkWrite(batch);
    if (this.#keepEvents && batch.count > 0) this.#events.push(packEvents(batch));
    this.#life.wrote(batch);
  }

  /** Keeps the result. */
  finish(result: RunResult): void {
    this.#life.checkFinish(result);
    this.#result = result;
    this.#life.end();
  }

  /** Keeps the reason; a no-op without an active run. */
  fail(reason: string): void {
    if (this.#life.runId === null) return;
    this.#failReason = reason;
    this.#life.end();
  }
}
