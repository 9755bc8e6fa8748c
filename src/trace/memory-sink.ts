/**
 * A sink that keeps every run in memory: for tests, and for replaying a run without a database.
 * It follows the same lifecycle as the SQLite sink (see `sink-lifecycle.ts`).
 */
import { assert } from '../core/assert.js';
import { EventColumns } from './event-rows.js';
import { RunLifecycle } from './sink-lifecycle.js';
import type { EventBatch, RunMeta, RunResult, TraceSink } from '../format/trace-types.js';
import type { RunStatus } from './schema.js';

/** A run as the memory sink holds it. */
export interface MemoryRun {
  readonly runId: number;
  readonly meta: RunMeta;
  readonly createdAt: string;
  readonly status: RunStatus;
  readonly failReason: string | null;
  /** Every event written, in columns (NaN where unused) and as rows via `rows()`. */
  readonly events: EventColumns;
  /** The result passed to `finish`; null until then. */
  readonly result: RunResult | null;
}

interface MutableRun {
  runId: number;
  meta: RunMeta;
  createdAt: string;
  status: RunStatus;
  failReason: string | null;
  events: EventColumns;
  result: RunResult | null;
}

/** Options of {@link MemorySink}. */
export interface MemorySinkOptions {
  /** Clock for `createdAt`. */
  readonly now?: () => Date;
}

/** Keeps runs in arrays; run ids count from 1. */
export class MemorySink implements TraceSink {
  readonly #runs: MutableRun[] = [];
  readonly #life = new RunLifecycle();
  readonly #now: () => Date;

  /** An empty memory sink. */
  constructor(options: MemorySinkOptions = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  /** Every run begun on this sink, in order. */
  get runs(): readonly MemoryRun[] {
    return this.#runs;
  }

  /** Run `runId`, or undefined. */
  run(runId: number): MemoryRun | undefined {
    return this.#runs[runId - 1];
  }

  /** Records the run as 'running'; returns its id. */
  begin(meta: RunMeta): number {
    const runId = this.#runs.length + 1;
    this.#life.begin(runId);
    this.#runs.push({
      runId, meta, createdAt: this.#now().toISOString(), status: 'running', failReason: null,
      events: new EventColumns(), result: null,
    });
    return runId;
  }

  /** Copies the batch (the producer reuses its arrays). */
  write(batch: EventBatch): void {
    this.#active(this.#life.checkWrite(batch)).events.append(batch);
    this.#life.wrote(batch);
  }

  /** Keeps the result and marks the run complete. */
  finish(result: RunResult): void {
    const run = this.#active(this.#life.checkFinish(result));
    run.result = result;
    run.status = 'complete';
    this.#life.end();
  }

  /** Marks the active run failed; a no-op when no run is active. */
  fail(reason: string): void {
    const runId = this.#life.runId;
    if (runId === null) return;
    const run = this.#active(runId);
    run.status = 'failed';
    run.failReason = reason;
    this.#life.end();
  }

  #active(runId: number): MutableRun {
    const run = this.#runs[runId - 1];
    assert(run !== undefined && run.status === 'running', () => `run ${runId} is active`);
    return run;
  }
}
