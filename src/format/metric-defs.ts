/**
 * The metrics of a run: name, unit, direction and definition, in display order. docs/model.md
 * ("Metrics") lists the same table; test/model-doc.test.ts keeps the two equal.
 * The analyser computes them from the event stream; `metrics-sql.ts` recomputes each with SQL.
 */
import type { Better } from './trace-types.js';

/** One metric's definition. */
export interface MetricDef {
  readonly name: string;
  readonly unit: 'ns' | 'ratio' | 'count';
  readonly better: Better;
  readonly doc: string;
}

const def = (name: string, unit: MetricDef['unit'], better: Better, doc: string): MetricDef => ({ name, unit, better, doc });

/** Every metric, in display order. */
export const METRICS: readonly MetricDef[] = [
  // For broadcast-ack the attempt begins with the first MSG1, modifying begins with the ACK that
  // completes the set, and MSG2 goes out when the sync ends: these are the seed's steps,
  // and docs/model.md ("Metrics") says what each means for every protocol.
  def('quiesce_ns', 'ns', 'lower', 'attempt begins (first MSG1) -> last target resumed from WAIT, in the attempt that patched; none if nobody waited'),
  def('rendezvous_ns', 'ns', 'lower', 'attempt begins (first MSG1) -> first word written (every ACK in), in the attempt that patched'),
  def('patch_ns', 'ns', 'lower', 'first word written -> last synchronisation done'),
  def('release_ns', 'ns', 'lower', 'synchronisation done (MSG2 sent) -> last target resumed from WAIT; none if nobody waited'),
  def('cpu_wait_total_ns', 'ns', 'lower', 'sum over vCPUs of the time spent in WAIT'),
  def('cpu_wait_max_ns', 'ns', 'lower', 'largest time one vCPU spent in WAIT'),
  def('detection_latency_ns', 'ns', 'lower', 'resume on the destination -> hardware change detected'),
  def('stale_window_ns', 'ns', 'lower', 'resume on the destination -> end of the patch (or of the run, if never patched)'),
  def('migration_total_ns', 'ns', 'lower', 'pre-copy start -> resume on the destination'),
  def('downtime_ns', 'ns', 'lower', 'stop-and-copy pause'),
  def('precopy_rounds', 'count', 'lower', 'pre-copy rounds, the full copy included'),
  def('accounting_error_before', 'ratio', 'closer_to_zero', '(charged - truth) / truth, start -> migration pause'),
  def('accounting_error_stale', 'ratio', 'closer_to_zero', '(charged - truth) / truth, resume -> end of the patch'),
  def('accounting_error_after', 'ratio', 'closer_to_zero', '(charged - truth) / truth, end of the patch -> end of the run'),
  def('attempts', 'count', 'lower', 'protocol attempts'),
  def('resends', 'count', 'lower', 'MSG1 IPIs resent after a timeout'),
  def('aborts', 'count', 'lower', 'aborted attempts'),
  def('violations', 'count', 'lower', 'invariant violations'),
];

/** Looks up a metric by name. */
export function metricDef(name: string): MetricDef | undefined {
  return METRICS.find((m) => m.name === name);
}
