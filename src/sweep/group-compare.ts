/**
 * Comparing two sweep groups, metric by metric, cell by cell: `migpatch diff --group A B` and
 * `migpatch report --group B --baseline-group A`. Cells are paired by what varies within the groups:
 * two single-cell groups (one protocol, no grid: say broadcast-ack against int3-poke on the same
 * seeds) are compared as wholes; groups that vary the same parameters (protocol and/or `--set`
 * paths) are paired by equal values of them. Each pair needs at least {@link MIN_SAMPLES} complete
 * runs a side, and gets a verdict per metric (src/stats/verdict.ts).
 */
import { InputError } from '../core/errors.js';
import { compareDistributions, MIN_SAMPLES, type DistributionVerdict, type VerdictOptions } from '../stats/verdict.js';
import type { CellIdentity, CellSamples, MetricSamples } from './cell-samples.js';
import type { GroupData } from './group-data.js';

/** One side of a paired cell. */
export interface CellSide extends CellIdentity {
  readonly runs: number;
  readonly label: string;
}

/** A pair of cells and their verdicts. */
export interface CellComparison {
  readonly a: CellSide;
  readonly b: CellSide;
  readonly metrics: readonly DistributionVerdict[];
}

/** The comparison of two groups. */
export interface GroupComparison {
  readonly groupA: string;
  readonly groupB: string;
  readonly alpha: number;
  readonly thresholdPct: number;
  /** What the cells were paired by (empty: each group was one cell). */
  readonly pairedBy: readonly string[];
  readonly cells: readonly CellComparison[];
  /** Cells of either group with no counterpart in the other. */
  readonly unpaired: readonly { readonly group: string; readonly cell: string }[];
  /** Verdict counts over every pair. */
  readonly counts: { readonly better: number; readonly worse: number; readonly same: number; readonly na: number };
}

/** What varies within a group: `protocol` when it has several, and each grid path. */
function dimensions(group: GroupData): string[] {
  const protocols = new Set(group.cells.map((c) => c.protocol));
  const paths = [...new Set(group.cells.flatMap((c) => Object.keys(c.grid)))].sort();
  return [...(protocols.size > 1 ? ['protocol'] : []), ...paths];
}

/** A cell's values of `dims`, as a key to pair cells by. */
function pairKey(cell: CellSamples, dims: readonly string[]): string {
  return JSON.stringify(dims.map((d) => (d === 'protocol' ? cell.protocol : cell.grid[d] ?? null)));
}

function side(cell: CellSamples): CellSide {
  return { protocol: cell.protocol, grid: cell.grid, runs: cell.runs, label: cell.label };
}

function requireRuns(group: string, cell: CellSamples): void {
  if (cell.runs >= MIN_SAMPLES) return;
  throw new InputError(`group ${group}, cell ${cell.label}: ${cell.runs} complete run(s); comparing distributions needs at least `
    + `${MIN_SAMPLES} a side (sweep at least ${MIN_SAMPLES} seeds)`);
}

/** Every metric of either cell, in A's order then B's own. */
function metricPairs(a: CellSamples, b: CellSamples): [MetricSamples | undefined, MetricSamples | undefined][] {
  const names = [...a.metrics.map((m) => m.name), ...b.metrics.map((m) => m.name).filter((n) => a.metric(n) === undefined)];
  return names.map((n) => [a.metric(n), b.metric(n)]);
}

/** Compares group `b` (new) with group `a` (baseline). InputError when cells cannot be paired or are too small. */
export function compareGroups(a: GroupData, b: GroupData, options: VerdictOptions): GroupComparison {
  const [nameA, nameB] = [a.sweep.group, b.sweep.group];
  const dimsA = dimensions(a);
  const dimsB = dimensions(b);
  if (JSON.stringify(dimsA) !== JSON.stringify(dimsB)) {
    const show = (d: string[]): string => (d.length === 0 ? 'nothing' : d.join(', '));
    throw new InputError(`groups ${nameA} and ${nameB} vary different parameters (${nameA}: ${show(dimsA)}; ${nameB}: ${show(dimsB)}), `
      + 'so their cells cannot be paired: compare groups swept over the same protocols and --set paths');
  }
  const byKeyB = new Map(b.cells.map((c) => [pairKey(c, dimsB), c]));
  const pairedKeys = new Set<string>();
  const cells: CellComparison[] = [];
  for (const cellA of a.cells) {
    const key = pairKey(cellA, dimsA);
    const cellB = byKeyB.get(key);
    if (cellB === undefined) continue;
    pairedKeys.add(key);
    requireRuns(nameA, cellA);
    requireRuns(nameB, cellB);
    const metrics = metricPairs(cellA, cellB).map(([ma, mb]) => {
      const meta = (ma ?? mb) as MetricSamples;
      return compareDistributions(meta, ma?.values ?? [], mb?.values ?? [], options);
    });
    cells.push({ a: side(cellA), b: side(cellB), metrics });
  }
  if (cells.length === 0) throw new InputError(`groups ${nameA} and ${nameB} have no cell in common (same ${dimsA.join(', ')})`);
  const unpaired = [
    ...a.cells.filter((c) => !pairedKeys.has(pairKey(c, dimsA))).map((c) => ({ group: nameA, cell: c.label })),
    ...b.cells.filter((c) => !pairedKeys.has(pairKey(c, dimsB))).map((c) => ({ group: nameB, cell: c.label })),
  ];
  const all = cells.flatMap((c) => c.metrics);
  const count = (v: string): number => all.filter((m) => m.verdict === v).length;
  return {
    groupA: nameA, groupB: nameB, alpha: options.alpha, thresholdPct: options.thresholdPct, pairedBy: dimsA, cells, unpaired,
    counts: { better: count('better'), worse: count('worse'), same: count('same'), na: count('n/a') },
  };
}
