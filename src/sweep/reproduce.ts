/**
 * The `migpatch record ...` line that reproduces one run of a sweep: the same scenario, seed,
 * protocol, overrides (the run's grid point in place of each list) and swarm options, so it
 * simulates the very same event stream (same event hash) as a full trace.
 */
import type { GridPoint } from './grid.js';
import { pointSets } from './grid.js';
import type { SweepParams } from './sweep-params.js';

/** Characters a shell passes through unquoted. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `arg` as one POSIX shell word: as is when safe, else single-quoted. */
export function shellQuote(arg: string): string {
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** What one run of a sweep was: where in the sweep, and its seed. */
export interface SweepRunOrigin {
  /** The protocol given with `--protocol`, or null when the sweep used the scenario's own. */
  readonly protocol: string | null;
  readonly point: GridPoint;
  readonly seed: number;
}

/** The arguments of `migpatch record` for the run (without the program name). */
export function recordArgs(params: SweepParams, run: SweepRunOrigin): string[] {
  const args = ['record', '--scenario', params.scenario, '--seed', String(run.seed)];
  if (run.protocol !== null) args.push('--protocol', run.protocol);
  for (const set of pointSets(params.sets, run.point)) args.push('--set', set);
  if (params.swarm) args.push('--swarm');
  if (params.allFaults) args.push('--all-faults');
  return args;
}

/** The shell line: `migpatch record --scenario p8-to-p9 --seed 7 --protocol int3-poke --set guest.vcpus=64`. */
export function recordCommand(params: SweepParams, run: SweepRunOrigin): string {
  return ['migpatch', ...recordArgs(params, run)].map(shellQuote).join(' ');
}
