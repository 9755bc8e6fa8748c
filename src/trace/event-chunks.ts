/**
 * A stored run read chunk by chunk, for finding where two event streams part: the chunk hashes
 * recorded in `event_chunks`, and the rows of one chunk of {@link EVENT_HASH_CHUNK} events (a range
 * of the events' primary key), so only the first differing chunk is ever read row by row.
 */
import { EVENT_HASH_CHUNK } from '../format/event-hash.js';
import type { EventRow } from './event-rows.js';
import type { TraceDb } from './trace-db.js';

/** A run's chunk hashes in order, as recorded. */
export function readChunkHashes(db: TraceDb, runId: number): string[] {
  return db.sqlite.prepare('select hash from event_chunks where run_id = ? order by chunk').pluck().all(runId) as string[];
}

/** The rows of chunk `chunk` of a stored run, in seq order. */
export function readChunkRows(db: TraceDb, runId: number, chunk: number): EventRow[] {
  const first = chunk * EVENT_HASH_CHUNK;
  return db.sqlite
    .prepare(`select seq, t_ns as tNs, kind, cpu, a, b, c from events
      where run_id = ? and seq >= ? and seq < ? order by seq`)
    .all(runId, first, first + EVENT_HASH_CHUNK) as EventRow[];
}
