/**
 * What a sweep was asked for, as stored in `sweeps.params_json`: enough to list its runs again and
 * to write the `migpatch record` line that reproduces any one of them.
 */
import { InputError } from '../core/errors.js';
import type { SetOption } from './grid.js';

/** The parameters of a sweep. */
export interface SweepParams {
  /** `--scenario` as typed: a built-in name or a file path. */
  readonly scenario: string;
  /** `--seeds A..B`, both included. */
  readonly seeds: { readonly from: number; readonly to: number };
  /** `--protocol p1,p2,...`, or null for the scenario's own protocol. */
  readonly protocols: readonly string[] | null;
  /** `--set` options in order: one value is an override, several a grid dimension. */
  readonly sets: readonly SetOption[];
  readonly swarm: boolean;
  readonly allFaults: boolean;
  /** `--events`: store full traces instead of summary runs. */
  readonly events: boolean;
}

/** Reads stored parameters back; a row that does not parse is an InputError naming the group. */
export function parseSweepParams(json: string, group: string): SweepParams {
  try {
    const p = JSON.parse(json) as SweepParams;
    if (typeof p.scenario === 'string' && Array.isArray(p.sets) && typeof p.seeds?.from === 'number') return p;
  } catch {
    // Reported below, with the group's name.
  }
  throw new InputError(`sweep group ${group}: its stored parameters (sweeps.params_json) are not readable`);
}
