/**
 * `migpatch prune`: remove the runs that were interrupted (by SIGINT or SIGTERM, or whose writer
 * died), with all their rows. Complete and failed runs are kept.
 */
import type { Command } from 'commander';
import { ExitCode } from '../../core/exit-code.js';
import { pruneInterruptedRuns } from '../../trace/prune.js';
import { openTraceDb, resolveDbPath } from '../../trace/trace-db.js';
import { printJson } from '../output.js';
import { type Output } from '../../io/output.js';

interface PruneOptions {
  db?: string;
  json?: boolean;
}

/** Registers `prune`. */
export function registerPrune(program: Command, io: Output): void {
  program
    .command('prune')
    .description('remove interrupted runs (stopped by a signal, or whose writer is gone) with all their rows')
    .option('--db <path>', 'trace database (default $MIGPATCH_DB or traces/migpatch.db)')
    .option('--json', 'print JSON')
    .action(async (opts: PruneOptions) => {
      const path = resolveDbPath(opts.db);
      const db = await openTraceDb(path, 'write');
      let removed: number[];
      try {
        removed = await pruneInterruptedRuns(db);
      } finally {
        db.close();
      }
      if (opts.json) printJson(io, { db: path, removed });
      else io.out(removed.length === 0 ? `no interrupted runs in ${path}` : `removed ${removed.length} interrupted run(s) from ${path}: ${removed.join(', ')}`);
      return ExitCode.Ok;
    });
}
