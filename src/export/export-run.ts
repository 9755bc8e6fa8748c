/**
 * Exporting a run named by the user (`RUN`: an id or `last`) to a target: resolves the run,
 * refuses an incomplete one unless asked for a partial export, and streams the trace so that a
 * failure leaves no partial file behind.
 */
import { InputError } from '../core/errors.js';
import { requireFullTrace } from '../sweep/full-trace.js';
import { getRun, requireComplete, type RunRecord } from '../trace/runs.js';
import type { TraceDb } from '../trace/trace-db.js';
import { ChunkedWriter, type ChunkTarget } from '../io/chunked-writer.js';
import { exportChromeTrace, type ChromeExportStats } from './chrome-export.js';

/** Formats of `migpatch export`. */
export const EXPORT_FORMATS = ['chrome'] as const;

/** A format of `migpatch export`. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** An export done. */
export interface ExportResult {
  readonly run: RunRecord;
  readonly stats: ChromeExportStats;
  /** UTF-8 bytes written. */
  readonly bytes: number;
}

/**
 * Writes run `ref` of `db` to the target `openTarget` gives, which is ended on success and aborted
 * on failure. The target is opened only once the run is known to be exportable, so bad input
 * (unknown run, incomplete run without `partial`, summary run) touches no file. An incomplete run
 * is an {@link InputError} unless `partial`; a summary run always is.
 */
export async function exportRun(
  db: TraceDb, ref: string, openTarget: () => ChunkTarget, options: { readonly partial: boolean },
): Promise<ExportResult> {
  const run = await getRun(db, ref);
  requireFullTrace(db, run);
  if (!options.partial) requireExportable(run);
  const out = new ChunkedWriter(openTarget());
  try {
    const stats = await exportChromeTrace(db, run, out, options);
    await out.end();
    return { run, stats, bytes: out.bytes };
  } catch (e) {
    out.abort();
    throw e;
  }
}

function requireExportable(run: RunRecord): void {
  try {
    requireComplete(run);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(`${e.message}; export what it recorded with --partial`);
  }
}
