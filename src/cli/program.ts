/**
 * The command-line program: commands parse their options, call one library function and print.
 * Exit codes (DESIGN.md 13): 0 success, 1 regression or divergence, 2 usage or input error,
 * 3 invariant violation during record.
 */
import { Command, CommanderError } from 'commander';
import { MigpatchError } from '../core/errors.js';
import { TOOL_VERSION } from '../version.js';
import { registerDiff } from './commands/diff.js';
import { registerExport } from './commands/export.js';
import { registerRecord } from './commands/record.js';
import { registerReport } from './commands/report.js';
import { registerQuery } from './commands/query.js';
import { registerMetrics, registerRuns } from './commands/runs.js';
import { registerReplay } from './commands/replay.js';
import { registerScenarios } from './commands/scenarios.js';
import type { Output } from './output.js';

/** Builds the program; commands write through `io`. */
export function buildProgram(io: Output): Command {
  const program = new Command('migpatch')
    .description('deterministic laboratory for OS code patching during live migration')
    .version(TOOL_VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(`migpatch: ${s.replace(/^error: /, '')}`),
    });
  registerRecord(program, io);
  registerRuns(program, io);
  registerMetrics(program, io);
  registerScenarios(program, io);
  registerDiff(program, io);
  registerReport(program, io);
  registerReplay(program, io);
  registerQuery(program, io);
  registerExport(program, io);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Runs the CLI on `argv` (as process.argv); returns the exit code. */
export async function runCli(argv: readonly string[], io: Output): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return exitCodeOf(e, io);
  }
}

function exitCodeOf(e: unknown, io: Output): number {
  if (e instanceof CommanderError) {
    // Help and version are not errors; commander has already printed its one-line message.
    return e.exitCode === 0 ? 0 : 2;
  }
  if (e instanceof MigpatchError) {
    io.err(`migpatch: ${e.message}`);
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  io.err(`migpatch: internal error: ${message}`);
  if (process.env['MIGPATCH_DEBUG'] && e instanceof Error && e.stack) io.err(e.stack);
  return 70;
}
