/**
 * A stored run read chunk by chunk, for finding where two event streams part: the chunk hashes
 * recorded in `event_chunks`, and the rows of one chunk of {@link EVENT_HASH_CHUNK} events (a range
 * of the events' primary key), so only the first differing chunk is ever read row by row.
 */
import { EVENT_HASH_CHUNK } from '../format/event-hash.js';
import type { EventRow } from './event-rows.js';
import { allRows } from './sync-query.js';
import type { TraceDb } from './trace-db.js';

/** A run's chunk hashes in order, as recorded. */
export function readChunkHashes(db: TraceDb, runId: number): string[] {
  return allRows(db, db.kysely.selectFrom('event_chunks').select('hash').where('run_id', '=', runId).orderBy('chunk'))
    .map((r) => r.hash);
}

/** The rows of chunk `chunk` of a stored run, in seq order. */
export function readChunkRows(db: TraceDb, runId: number, chunk: number): EventRow[] {
  const first = chunk * EVENT_HASH_CHUNK;
  return allRows(db, db.kysely.selectFrom('events').select(['seq', 't_ns as tNs', 'kind', 'cpu', 'a', 'b', 'c'])
    .where('run_id', '=', runId).where('seq', '>=', first).where('seq', '<', first + EVENT_HASH_CHUNK).orderBy('seq'));
}
