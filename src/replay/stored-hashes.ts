/**
 * The event-stream hash of the events a trace holds now (not the hashes recorded with the run):
 * what `replay verify` compares the re-simulation with, so an event changed after recording shows.
 */
import { StreamHasher } from '../format/event-hash.js';
import { ColumnBatch, EVENT_BATCH_SIZE } from '../format/column-batch.js';
import type { TraceDb } from '../trace/trace-db.js';
import { scanStoredEvents } from './stored-event-scan.js';

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
  const batch = new ColumnBatch(EVENT_BATCH_SIZE);
  const flush = (): void => {
    hasher.add(batch);
    batch.advance();
  };
  scanStoredEvents(db, runId, 0, Number.MAX_SAFE_INTEGER, (tNs, kind, cpu, a, b, c) => {
    if (batch.push(tNs, kind, cpu, a, b, c)) flush();
  });
  if (batch.count > 0) flush();
  const eventHash = hasher.finish();
  return { count: hasher.count, eventHash, chunkHashes: hasher.chunkHashes };
}
