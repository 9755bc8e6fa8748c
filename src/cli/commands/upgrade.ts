/**
 * `migpatch upgrade`: bring a trace written by an older migpatch to this build's schema, in one
 * transaction. Reading commands never upgrade; `record` and `sweep` upgrade a file they write to.
 */
import type { Command } from 'commander';
import { resolveDbPath, upgradeTraceDb } from '../../trace/trace-db.js';
import { printJson } from '../output.js';
import { type Output } from '../../io/output.js';

interface UpgradeOptions {
  db?: string;
  json?: boolean;
}

/** Registers `upgrade`. */
export function registerUpgrade(program: Command, io: Output): void {
  program
    .command('upgrade')
    .description('bring a trace database written by an older migpatch to the current schema (one transaction; keeps every run)')
    .option('--db <path>', 'trace database (default $MIGPATCH_DB or traces/migpatch.db)')
    .option('--json', 'print JSON')
    .action(async (opts: UpgradeOptions) => {
      const r = await upgradeTraceDb(resolveDbPath(opts.db));
      if (opts.json) printJson(io, r);
      else if (r.upgraded) io.out(`upgraded ${r.path} from trace schema ${r.fromVersion} to ${r.toVersion}`);
      else io.out(`${r.path} already has trace schema ${r.toVersion}: nothing to upgrade`);
    });
}
