/**
 * `migpatch report RUN`: a report a person reads to understand a run, and with `--fail-on`, a CI
 * gate: exit 1 when a threshold is exceeded (the report is still written).
 */
import { Option, type Command } from 'commander';
import { createReport, figurePath, FIGURE_NAMES, REPORT_FORMATS, type ReportFormat } from '../../report/create-report.js';
import { parseFailOn, requireBaselineFor, type FailOnRule } from '../../report/fail-on.js';
import type { Output } from '../output.js';
import { checkWritable, withTrace, writeOutFile } from '../trace-access.js';

interface ReportOptions {
  baseline?: string;
  format?: ReportFormat;
  out?: string;
  failOn: FailOnRule[];
  db?: string;
}

/** Collects `--fail-on` rules, parsing each at once so a bad one stops the command before any work. */
function collectRule(value: string, previous: FailOnRule[]): FailOnRule[] {
  return [...previous, parseFailOn(value)];
}

/** The format asked for, else the one `--out`'s extension names, else Markdown. */
function formatOf(opts: ReportOptions): ReportFormat {
  if (opts.format !== undefined) return opts.format;
  return opts.out !== undefined && /\.html?$/i.test(opts.out) ? 'html' : 'md';
}

/** Registers `report`; sets `process.exitCode` 1 when a `--fail-on` threshold is exceeded. */
export function registerReport(program: Command, io: Output): void {
  program
    .command('report')
    .description('write a report of a run: summary, metrics (against a baseline), protocol timeline, accounting error over time')
    .argument('<run>', 'run id or last')
    .option('--baseline <run>', 'compare with this run (id or last): deltas and verdicts per metric')
    .addOption(new Option('--format <format>', 'md or html (default: html when --out ends in .html, else md)').choices(REPORT_FORMATS))
    .option('--out <file>', 'write the report to FILE (default stdout). A Markdown report writes its SVG charts beside '
      + 'it (report.md -> report-timeline.svg, report-accounting.svg); on stdout it has no charts. HTML is one self-contained file')
    .addOption(new Option('--fail-on <expr>', 'exit 1 (the report is still written) when METRIC (>|>=|<|<=) [+|-]NUMBER[%] '
      + 'holds, e.g. violations>0, accounting_error_after>0.01, or quiesce_ns>+10% (with %: change from --baseline); repeatable')
      .argParser(collectRule).default([], 'none'))
    .option('--db <path>', 'trace database (default $MIGPATCH_DB or traces/migpatch.db)')
    .action(async (ref: string, opts: ReportOptions) => {
      const format = formatOf(opts);
      requireBaselineFor(opts.failOn, opts.baseline !== undefined);
      const out = opts.out ?? null;
      if (out !== null) {
        checkWritable(out);
        if (format === 'md') for (const name of FIGURE_NAMES) checkWritable(figurePath(out, name));
      }
      const report = await withTrace(opts.db, (db) => createReport(db, {
        run: ref, baseline: opts.baseline ?? null, format, failOn: opts.failOn, outFile: out,
      }));
      if (!writeOutFile(opts.out, report.content)) io.out(report.content);
      for (const f of report.figures) writeOutFile(f.path, f.svg);
      if (out !== null) {
        const extra = report.figures.length === 0 ? '' : ` and ${report.figures.map((f) => f.path).join(', ')}`;
        io.out(`report of run ${report.runId} written to ${out}${extra}`);
      }
      for (const c of report.checks) {
        if (c.status === 'exceeded') io.err(`migpatch: fail-on exceeded: ${c.message}`);
        else if (c.status === 'n/a') io.err(`migpatch: fail-on ${c.message}`);
      }
      if (report.checks.some((c) => c.status === 'exceeded')) process.exitCode = 1;
    });
}
