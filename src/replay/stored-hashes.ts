/**
 * The event-stream hash of the events a trace holds now (not the hashes recorded with the run):
 * what `replay verify` compares the re-simulation with, so an event changed after recording shows.
 */
import { StreamHasher } from '../format/event-hash.js';
import { scanEventBatches } from '../trace/read-replay.js';
import type { TraceDb } from '../trace/trace-db.js';

/** Event count, run hash and chunk hashes of a run's stored events. */
export interface StoredHashes {
  readonly count: number;
  readonly eventHash: string;
  readonly chunkHashes: readonly string[];
}

/**
 * Hashes every event stored for run `runId`, in seq order, chunk by chunk (by position: a missing
 * or extra row shifts every later event, and so changes the hashes from its chunk on).
 */
export function hashStoredEvents(db: TraceDb, runId: number): StoredHashes {
  const hasher = new StreamHasher();
  scanEventBatches(db, runId, 0, Number.MAX_SAFE_INTEGER, (batch) => hasher.add(batch));
  const eventHash = hasher.finish();
  return { count: hasher.count, eventHash, chunkHashes: hasher.chunkHashes };
}
