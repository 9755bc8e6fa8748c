/**
 * Re-simulating a recorded run without storing it: once for its chunk hashes only (the event log
 * hashes every event anyway, so this costs the simulation and nothing more), and, when a chunk
 * differs, again to keep that one chunk's rows and stop as soon as it is complete.
 */
import { assert } from '../core/assert.js';
import { batchRows } from '../query/divergence.js';
import type { Scenario } from '../scenario/scenario.js';
import { EVENT_HASH_CHUNK } from '../format/event-hash.js';
import type { EventObserver } from '../format/trace-types.js';
import { EventLog, type EventLogTotals } from '../sim/event-log.js';
import { Simulation } from '../sim/simulator.js';
import type { EventRow } from '../trace/event-rows.js';
import type { EventBatch } from '../format/trace-types.js';

/** Simulates `scenario` with `seed` to its end; returns the event count and hashes. */
export function simulateHashes(scenario: Scenario, seed: number): EventLogTotals {
  const log = new EventLog(null, []);
  new Simulation(scenario, seed, log).run();
  return log.finish();
}

/** Keeps the rows of one chunk out of the batches it observes. */
class ChunkCollector implements EventObserver {
  readonly rows: EventRow[] = [];
  readonly #first: number;
  readonly #end: number;
  /** Events observed so far. */
  seen = 0;

  constructor(chunk: number) {
    this.#first = chunk * EVENT_HASH_CHUNK;
    this.#end = this.#first + EVENT_HASH_CHUNK;
  }

  get complete(): boolean {
    return this.seen >= this.#end;
  }

  observe(batch: EventBatch): void {
    const from = Math.max(0, this.#first - batch.firstSeq);
    const to = Math.min(batch.count, this.#end - batch.firstSeq);
    for (const row of batchRows(batch, from, Math.max(from, to))) this.rows.push(row);
    this.seen = batch.firstSeq + batch.count;
  }
}

/** Slices of simulated time per re-simulation: the stop check runs this many times at most. */
const TIME_STEPS = 1024;

/**
 * The rows of chunk `chunk` of the re-simulation, in their stored form. Simulates in slices of
 * time and stops once the chunk is complete, so an early divergence costs an early stop.
 */
export function simulateChunkRows(scenario: Scenario, seed: number, chunk: number): EventRow[] {
  assert(Number.isSafeInteger(chunk) && chunk >= 0, 'chunk index');
  const collector = new ChunkCollector(chunk);
  const log = new EventLog(null, [collector]);
  const sim = new Simulation(scenario, seed, log);
  const stepNs = Math.max(1, Math.ceil(scenario.run.durationNs / TIME_STEPS));
  for (let step = 1; step <= TIME_STEPS + 1 && !sim.ended && !collector.complete; step++) {
    sim.runUntil(step * stepNs);
  }
  assert(sim.ended || collector.complete, 'the re-simulation reached the chunk or its end');
  if (!collector.complete) log.finish(); // the run ended first: flush its last, partial batch
  assert(collector.rows.length <= EVENT_HASH_CHUNK, 'at most one chunk of rows');
  return collector.rows;
}
