/**
 * Resolving the `RUN` of a replay command: complete runs only, unless `--partial` asks to look at
 * what a running, interrupted or failed run has recorded so far.
 */
import { InputError } from '../core/errors.js';
import { getRun, requireComplete, type RunRecord } from '../trace/runs.js';
import type { TraceDb } from '../trace/trace-db.js';

/** Run `ref`; refuses an unfinished run unless `partial`, saying how to look at it anyway. */
export async function getReplayRun(db: TraceDb, ref: string, partial: boolean): Promise<RunRecord> {
  const run = await getRun(db, ref);
  if (partial) return run;
  try {
    return requireComplete(run);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(`${e.message}; pass --partial to replay the events it recorded`);
  }
}
