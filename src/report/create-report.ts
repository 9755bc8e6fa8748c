/**
 * `migpatch report` as a library call: load a complete run (and its baseline), evaluate the
 * `--fail-on` rules, and render the report. Writing files is the caller's business, so the same
 * function serves the CLI, tests and benchmarks.
 */
import path from 'node:path';
import { compareMetrics } from '../query/metric-compare.js';
import { requireFullTrace } from '../sweep/full-trace.js';
import { getMetrics, getRun, requireComplete } from '../trace/runs.js';
import type { TraceDb } from '../trace/trace-db.js';
import { loadAccounting } from './accounting-data.js';
import { evaluateFailOn, requireBaselineFor, type FailOnResult, type FailOnRule } from './fail-on.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';
import { CLOSE_UP_NAMES, reportContent } from './report-content.js';
import { loadRunFacts } from './run-facts.js';
import { closeUpWindows, loadTimeline, timelineWindow } from './timeline-data.js';

/** Output formats of `report`. */
export const REPORT_FORMATS = ['md', 'html'] as const;

/** An output format. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What to report on and how. */
export interface ReportRequest {
  /** `RUN`: an id or `last`. */
  readonly run: string;
  readonly baseline: string | null;
  readonly format: ReportFormat;
  readonly failOn: readonly FailOnRule[];
  /**
   * The report's own file, or null for stdout. Markdown links its figures as SVG files named
   * after it ({@link figurePath}); with no file, Markdown has no figures.
   */
  readonly outFile: string | null;
}

/** A figure to write beside a Markdown report. */
export interface FigureFile {
  readonly path: string;
  readonly svg: string;
}

/** A rendered report. */
export interface RenderedReport {
  readonly runId: number;
  readonly content: string;
  /** SVG files a Markdown report links to (empty for HTML, whose figures are inline). */
  readonly figures: readonly FigureFile[];
  readonly checks: readonly FailOnResult[];
}

/** The file of figure `name` beside `outFile`: `out/report.md` -> `out/report-timeline.svg`. */
export function figurePath(outFile: string, name: string): string {
  const ext = path.extname(outFile);
  const stem = ext === '' ? outFile : outFile.slice(0, -ext.length);
  return `${stem}-${name}.svg`;
}

/** The figures a Markdown report written to `outFile` may link to, for checking before any work. */
export const FIGURE_NAMES: readonly string[] = ['timeline', ...CLOSE_UP_NAMES, 'accounting'];

/**
 * Builds the report. InputError for an unknown or incomplete run, a summary run (no events to draw
 * from), or a relative rule without baseline.
 */
export async function createReport(db: TraceDb, req: ReportRequest): Promise<RenderedReport> {
  requireBaselineFor(req.failOn, req.baseline !== null);
  const run = requireComplete(await getRun(db, req.run));
  const base = req.baseline === null ? null : requireComplete(await getRun(db, req.baseline));
  // The timelines and the accounting chart are drawn from events and intervals; the baseline gives metrics only.
  requireFullTrace(db, run);
  const metrics = await getMetrics(db, run.runId);
  const baseMetrics = base === null ? null : await getMetrics(db, base.runId);
  const facts = loadRunFacts(db, run.runId);
  const scenario = JSON.parse(run.scenarioJson) as { description?: unknown };
  const checks = evaluateFailOn(req.failOn, metrics, baseMetrics);
  const whole = facts.vcpus === 0 ? null : timelineWindow(facts, run.endNs);
  const closeUps = whole === null ? [] : closeUpWindows(facts, whole, run.endNs)
    .map(({ attempt, window }) => ({ attempt, data: loadTimeline(db, run.runId, facts, window) }));
  const doc = reportContent({
    db: db.path,
    run,
    description: typeof scenario.description === 'string' ? scenario.description : '',
    metrics,
    facts,
    baseline: base === null || baseMetrics === null ? null : { run: base, comparison: compareMetrics(baseMetrics, metrics) },
    checks,
    timeline: whole === null ? null : loadTimeline(db, run.runId, facts, whole, closeUps.length === 0),
    closeUps,
    accounting: loadAccounting(db, run.runId, run.endNs, facts.windows, facts.migration),
  });
  if (req.format === 'html') return { runId: run.runId, content: renderHtml(doc), figures: [], checks };
  const outFile = req.outFile;
  const figures = outFile === null ? [] : doc.blocks.flatMap((b) => (b.kind === 'figure' ? [{ path: figurePath(outFile, b.name), svg: b.svg }] : []));
  const content = renderMarkdown(doc, outFile === null ? null : (name) => path.basename(figurePath(outFile, name)));
  return { runId: run.runId, content, figures, checks };
}
