/**
 * The metric values of the complete runs of one cell (a protocol × grid point) of a sweep group:
 * what the sweep summarises (p50, p95, p99, max) and what `diff --group` and `report --group`
 * compare. Filled from the runs as a sweep stores them, or from the trace afterwards.
 */
import { gridLabel } from './grid.js';
import { summarize, type DistributionSummary } from '../core/quantile.js';
import type { Better, MetricRow } from '../format/trace-types.js';

/** Which cell: the protocol its runs used and the varying `--set` values of its grid point, path → value. */
export interface CellIdentity {
  readonly protocol: string;
  readonly grid: Readonly<Record<string, unknown>>;
}

/** One metric of a cell: its identity and every run's value (runs where it had none are left out). */
export interface MetricSamples {
  readonly name: string;
  readonly unit: string;
  readonly better: Better;
  readonly values: number[];
}

/** A metric's distribution in a cell; null when no run had a value. */
export interface MetricSummary {
  readonly name: string;
  readonly unit: string;
  readonly better: Better;
  readonly summary: DistributionSummary | null;
}

/** The samples of one cell. */
export class CellSamples implements CellIdentity {
  readonly protocol: string;
  readonly grid: Readonly<Record<string, unknown>>;
  #runs = 0;
  readonly #metrics = new Map<string, MetricSamples>();

  /** An empty cell. */
  constructor(protocol: string, grid: Readonly<Record<string, unknown>>) {
    this.protocol = protocol;
    this.grid = grid;
  }

  /** Complete runs added. */
  get runs(): number {
    return this.#runs;
  }

  /** `int3-poke guest.vcpus=64`: the cell for people. */
  get label(): string {
    const grid = gridLabel(this.grid);
    return grid === '—' ? this.protocol : `${this.protocol} ${grid}`;
  }

  /** Adds one complete run's metrics (a null value is no sample). */
  addRun(metrics: readonly MetricRow[]): void {
    this.#runs++;
    for (const m of metrics) this.addValue(m);
  }

  /** Adds one metric value of a run already counted by {@link countRun} (reading rows from SQL). */
  addValue(m: MetricRow): void {
    let samples = this.#metrics.get(m.name);
    if (samples === undefined) {
      samples = { name: m.name, unit: m.unit, better: m.better, values: [] };
      this.#metrics.set(m.name, samples);
    }
    if (m.value !== null && Number.isFinite(m.value)) samples.values.push(m.value);
  }

  /** Counts a run whose metrics are added one by one with {@link addValue}. */
  countRun(): void {
    this.#runs++;
  }

  /** Every metric seen, in the order the runs listed them. */
  get metrics(): readonly MetricSamples[] {
    return [...this.#metrics.values()];
  }

  /** The samples of metric `name`, or undefined. */
  metric(name: string): MetricSamples | undefined {
    return this.#metrics.get(name);
  }

  /** Each metric's distribution. */
  summaries(): MetricSummary[] {
    return this.metrics.map((m) => ({
      name: m.name, unit: m.unit, better: m.better, summary: m.values.length === 0 ? null : summarize(m.values),
    }));
  }
}

/** A cell's key: protocol and grid point (the grid as JSON, keys in option order). */
export function cellKey(protocol: string, grid: Readonly<Record<string, unknown>>): string {
  return `${protocol}\u0000${JSON.stringify(grid)}`;
}
