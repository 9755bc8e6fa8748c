/**
 * `migpatch record`: simulate a scenario and record it into the trace database.
 */
import type { Command } from 'commander';
import { recordToTrace } from '../../app/record-to-trace.js';
import { DEFAULT_SCENARIO_NAME } from '../../scenario/builtins.js';
import { PROTOCOL_NAMES } from '../../protocol/registry.js';
import { resolveDbPath } from '../../trace/trace-db.js';
import { metricsTable } from '../metrics-table.js';
import { collect, parseSeed } from '../options.js';
import { printJson } from '../output.js';
import { formatNs } from '../../format/value-text.js';
import { type Output } from '../../io/output.js';
import { ExitCode } from '../../core/exit-code.js';

interface RecordOptions {
  scenario: string;
  seed: number;
  protocol?: string;
  set: string[];
  label?: string;
  db?: string;
  json?: boolean;
  swarm?: boolean;
  allFaults?: boolean;
}

/** Registers `record`; exits {@link ExitCode.InvariantViolation} on unexpected invariant violations. */
export function registerRecord(program: Command, io: Output): void {
  program
    .command('record')
    .description('simulate a scenario and record every event into the trace database')
    .option('--scenario <name|file>', 'built-in scenario name or scenario JSON file', DEFAULT_SCENARIO_NAME)
    .option('--seed <n>', 'root seed of the random streams', parseSeed, 1)
    .option('--protocol <name>', `patch protocol (${PROTOCOL_NAMES.join(', ')})`)
    .option('--set <path=value>', 'override a scenario field, e.g. guest.vcpus=64 (repeatable)', collect, [])
    .option('--swarm', 'let the seed draw its own fault mix and protocol parameters (stored with the run)')
    .option('--all-faults', 'with --swarm: enable every fault kind (the seed still draws their parameters)')
    .option('--label <text>', 'label stored with the run')
    .option('--db <path>', 'trace database (default $MIGPATCH_DB or traces/migpatch.db)')
    .option('--json', 'print JSON')
    .action(async (opts: RecordOptions) => {
      const run = await recordToTrace({
        scenario: opts.scenario, seed: opts.seed, protocol: opts.protocol ?? null, sets: opts.set, swarm: opts.swarm === true,
        allFaults: opts.allFaults === true,
        label: opts.label ?? null, dbPath: resolveDbPath(opts.db),
      });
      const r = run.result;
      // The command's own time, end to end (start-up, validation, simulation, storage, close): what
      // the user waited. The run's stored wall_ms covers simulation and insertion only.
      const commandWallMs = Math.round(process.uptime() * 1000);
      const failed = r.violations > 0 && !run.violationsExpected;
      if (opts.json) {
        printJson(io, {
          runId: run.runId, db: run.dbPath, scenario: run.scenario.name, seed: run.seed,
          protocol: run.scenario.protocol.name, status: 'complete', eventCount: r.eventCount,
          eventHash: r.eventHash, endNs: r.endNs, wallMs: r.wallMs, commandWallMs, violations: r.violations,
          violationsExpected: run.violationsExpected, metrics: r.metrics,
        });
      } else {
        io.out(
          `run ${run.runId} recorded in ${run.dbPath}: ${run.scenario.name}, seed ${run.seed}, ` +
            `${run.scenario.protocol.name}; ${r.eventCount} events over ${formatNs(r.endNs)} simulated, ` +
            `${(commandWallMs / 1000).toFixed(2)} s wall, hash ${r.eventHash}`,
        );
        io.out(metricsTable(io, r.metrics));
      }
      if (failed) {
        io.err(
          `migpatch: run ${run.runId} violated invariants ${r.violations} time(s); ` +
            `see: migpatch query "select * from ev_violation where run_id = ${run.runId}"`,
        );
        return ExitCode.InvariantViolation;
      }
      return ExitCode.Ok;
    });
}
