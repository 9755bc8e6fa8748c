/**
 * The event-stream hash of the events a trace holds now (not the hashes recorded with the run):
 * what `replay verify` compares the re-simulation with, so an event changed after recording shows.
 */
import { EVENT_BATCH_SIZE } from '../sim/event-log.js';
import { StreamHasher } from '../sim/event-hash.js';
import type { EventBatch } from '../trace/sink.js';
import type { TraceDb } from '../trace/trace-db.js';
import { scanStoredEvents } from './stored-event-scan.js';

/** A reusable column batch, filled row by row. */
class FillBatch implements EventBatch {
  firstSeq = 0;
  count = 0;
  readonly tNs = new Float64Array(EVENT_BATCH_SIZE);
  readonly kind = new Float64Array(EVENT_BATCH_SIZE);
  readonly cpu = new Float64Array(EVENT_BATCH_SIZE);
  readonly a = new Float64Array(EVENT_BATCH_SIZE);
  readonly b = new Float64Array(EVENT_BATCH_SIZE);
  readonly c = new Float64Array(EVENT_BATCH_SIZE);
}

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
  const batch = new FillBatch();
  const flush = (): void => {
    hasher.add(batch);
    batch.firstSeq += batch.count;
    batch.count = 0;
  };
  scanStoredEvents(db, runId, 0, Number.MAX_SAFE_INTEGER, (tNs, kind, cpu, a, b, c) => {
    const i = batch.count;
    batch.tNs[i] = tNs;
    batch.kind[i] = kind;
    batch.cpu[i] = cpu;
    batch.a[i] = a;
    batch.b[i] = b;
    batch.c[i] = c;
    batch.count = i + 1;
    if (batch.count === EVENT_BATCH_SIZE) flush();
  });
  if (batch.count > 0) flush();
  const eventHash = hasher.finish();
  return { count: hasher.count, eventHash, chunkHashes: hasher.chunkHashes };
}
