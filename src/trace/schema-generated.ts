/**
 * What the code must know of the frozen schema to query it well: the predicate of the partial
 * index `events_sparse`, which a query must repeat verbatim for SQLite to use the index. The
 * schema itself (tables, views, lookup rows) is in the frozen migrations; test/migrations-frozen.test.ts
 * checks that its views and lookup rows agree with `src/format/event-kinds.ts`.
 */

/**
 * Dense kinds (scheduling and accounting, emitted on every tick and switch: codes 10-19) make up
 * nearly every row of a run; the others (run, migration, detection, protocol, patch, violation,
 * fault) are sparse. Only sparse kinds are in the secondary index `events_sparse`, because a full
 * (run_id, kind, ...) index halves the insert rate (measured: ~0.65 vs ~1.25 M rows/s) while this
 * partial one costs a few percent. A partial index is used only by a query whose WHERE contains its
 * predicate verbatim, so the views of sparse kinds repeat it. Changing it needs a migration that
 * recreates the index and the views.
 */
export const SPARSE_KIND_PREDICATE = 'kind not between 10 and 19';

/** Whether a kind is in the `events_sparse` index (see {@link SPARSE_KIND_PREDICATE}). */
export function isSparseKind(code: number): boolean {
  return code < 10 || code > 19;
}
