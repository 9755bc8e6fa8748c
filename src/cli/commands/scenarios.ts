/**
 * `migpatch scenarios`: the built-in scenarios, one line each, or their full JSON.
 */
import type { Command } from 'commander';
import { BUILTIN_SCENARIOS, DEFAULT_SCENARIO_NAME } from '../../scenario/builtins.js';
import { scenarioFieldDocs } from '../../scenario/field-docs.js';
import { printJson, renderTable } from '../output.js';
import { type Output } from '../../io/output.js';

/** Registers `scenarios`. */
export function registerScenarios(program: Command, io: Output): void {
  program
    .command('scenarios')
    .description('list the built-in scenarios (--json: their full JSON, to copy and edit)')
    .option('--json', 'print every scenario in full')
    .option('--fields', 'print the reference of every scenario field (path, type, unit, meaning)')
    .action((opts: { json?: boolean; fields?: boolean }) => {
      if (opts.fields) {
        const fields = scenarioFieldDocs().filter((f) => f.type !== 'object');
        if (opts.json) printJson(io, fields);
        else io.out(renderTable(io, ['field', 'type', 'unit', 'meaning'], fields.map((f) => [f.path, f.type, f.unit, f.doc])));
        return;
      }
      if (opts.json) {
        printJson(io, BUILTIN_SCENARIOS);
        return;
      }
      io.out(renderTable(
        io,
        ['scenario', 'vcpus', 'source -> destination', 'description'],
        BUILTIN_SCENARIOS.map((s) => [
          s.name === DEFAULT_SCENARIO_NAME ? `${s.name} (default)` : s.name,
          s.guest.vcpus,
          `${s.source.processor} SMT${s.source.smt} -> ${s.destination.processor} SMT${s.destination.smt}`,
          s.description,
        ]),
      ));
    });
}
