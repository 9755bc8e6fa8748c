/**
 * A sink that drops events: for runs whose only output is their hash and metrics (sweeps,
 * benchmarks, `replay verify`). It still follows the sink lifecycle and remembers each run's
 * status and totals, so it is checked by the same conformance suite as the stores.
 */
import { RunLifecycle } from './sink-lifecycle.js';
import type { EventBatch, RunMeta, RunResult, TraceSink } from '../format/trace-types.js';
import type { RunStatus } from './schema.js';

/** What a null sink remembers of a run. */
export interface NullRun {
  readonly runId: number;
  readonly status: RunStatus;
  readonly failReason: string | null;
  /** Events seen so far. */
  readonly eventCount: number;
  /** The event-stream hash passed to `finish`; null until then. */
  readonly eventHash: string | null;
}

/** Drops events; keeps one small summary per run. Run ids count from 1. */
export class NullSink implements TraceSink {
  readonly #runs: NullRun[] = [];
  readonly #life = new RunLifecycle();

  /** Every run begun on this sink, in order. */
  get runs(): readonly NullRun[] {
    return this.#runs;
  }

  /** Records the run as 'running'; returns its id. */
  begin(_meta: RunMeta): number {
    const runId = this.#runs.length + 1;
    this.#life.begin(runId);
    this.#runs.push({ runId, status: 'running', failReason: null, eventCount: 0, eventHash: null });
    return runId;
  }

  /** Counts the batch's events and drops them. */
  write(batch: EventBatch): void {
    const runId = this.#life.checkWrite(batch);
    this.#life.wrote(batch);
    this.#update(runId, { eventCount: this.#life.written });
  }

  /** Keeps the hash and marks the run complete. */
  finish(result: RunResult): void {
    const runId = this.#life.checkFinish(result);
    this.#update(runId, { status: 'complete', eventHash: result.eventHash });
    this.#life.end();
  }

  /** Marks the active run failed; a no-op when no run is active. */
  fail(reason: string): void {
    const runId = this.#life.runId;
    if (runId === null) return;
    this.#update(runId, { status: 'failed', failReason: reason });
    this.#life.end();
  }

  #update(runId: number, change: Partial<NullRun>): void {
    const run = this.#runs[runId - 1] as NullRun;
    this.#runs[runId - 1] = { ...run, ...change };
  }
}
