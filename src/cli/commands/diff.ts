/**
 * `migpatch diff RUN_A RUN_B`: what changed from run A to run B. Informational: it exits 0 whatever
 * it finds (`report --fail-on` is the gate).
 */
import type { Command } from 'commander';
import { formatJsonChange } from '../../query/json-diff.js';
import { diffRuns, type RunDiff, type DiffSide, type EventComparison } from '../../query/run-diff.js';
import type { DescribedEvent } from '../../query/describe-event.js';
import { comparisonCells, comparisonHead } from '../../report/comparison-cells.js';
import { formatNs, printJson, renderTable, type Output } from '../output.js';
import { withTrace } from '../trace-access.js';

interface DiffOptions {
  db?: string;
  dbB?: string;
  json?: boolean;
}

/** Registers `diff`. */
export function registerDiff(program: Command, io: Output): void {
  program
    .command('diff')
    .description('compare two runs: scenario changes, metrics with verdicts, first divergent event (same seed), WAIT per vCPU')
    .argument('<run-a>', 'the old run: id or last')
    .argument('<run-b>', 'the new run: id or last')
    .option('--db <path>', 'trace database (default $MIGPATCH_DB or traces/migpatch.db)')
    .option('--db-b <path>', 'trace database of RUN_B, when it is in another file (default: the same as --db)')
    .option('--json', 'print JSON')
    .action(async (refA: string, refB: string, opts: DiffOptions) => {
      const diff = await withTrace(opts.db, (dbA) => (opts.dbB === undefined
        ? diffRuns({ db: dbA, ref: refA }, { db: dbA, ref: refB })
        : withTrace(opts.dbB, (dbB) => diffRuns({ db: dbA, ref: refA }, { db: dbB, ref: refB }))));
      if (opts.json) printJson(io, diff);
      else io.out(renderDiff(io, diff));
    });
}

function sideLine(s: DiffSide): string {
  const label = s.label === null ? '' : ` "${s.label}"`;
  return `run ${s.runId}${label}: ${s.scenario}, seed ${s.seed}, ${s.protocol}; ${s.eventCount} events, hash ${s.eventHash} (${s.db})`;
}

function eventLine(name: string, e: DescribedEvent | null): string {
  return e === null ? `  ${name}: (stream ended)` : `  ${name}: seq ${e.seq}  t ${e.tNs} ns  ${e.text}`;
}

function eventsText(a: DiffSide, b: DiffSide, events: EventComparison): string {
  switch (events.status) {
    case 'not-compared': return `events: not compared, ${events.reason}`;
    case 'identical': return `events: identical (hash ${events.eventHash})`;
    case 'diverged': return [
      `events: first divergence at seq ${events.seq}, t ${events.tNs} ns (${formatNs(events.tNs)})`,
      eventLine(`run ${a.runId}`, events.a),
      eventLine(`run ${b.runId}`, events.b),
    ].join('\n');
  }
}

function renderDiff(io: Output, d: RunDiff): string {
  const [la, lb] = [`run ${d.a.runId}`, `run ${d.b.runId}`];
  const scenario = d.scenario.length === 0
    ? 'scenario: identical'
    : [`scenario: ${d.scenario.length} difference(s), ${la} -> ${lb}`, ...d.scenario.map((c) => `  ${formatJsonChange(c)}`)].join('\n');
  const waits = renderTable(io, ['WAIT per vCPU', 'vCPUs', 'waited', 'p50', 'p95', 'max', 'total'],
    ([[la, d.wait.a], [lb, d.wait.b]] as const).map(([label, w]) => [
      label, w.vcpus, w.waited, formatNs(w.p50Ns), formatNs(w.p95Ns), formatNs(w.maxNs), formatNs(w.totalNs),
    ]));
  return [
    `a: ${sideLine(d.a)}`,
    `b: ${sideLine(d.b)}`,
    '',
    scenario,
    '',
    `metrics, ${la} -> ${lb}:`,
    renderTable(io, comparisonHead(la, lb), d.metrics.map(comparisonCells)),
    '',
    eventsText(d.a, d.b, d.events),
    '',
    waits,
  ].join('\n');
}
