/**
 * Validation of a scenario: from untrusted JSON (a file, a built-in after `--set`) to a resolved,
 * deep-frozen {@link Scenario} with keys in canonical order, or one {@link InputError} line naming
 * where the scenario came from and the JSON path of the problem.
 */
import { InputError } from '../core/errors.js';
import { crossCheck } from './cross-checks.js';
import { MAX_JSON_DEPTH, tooDeepAt } from './json-util.js';
import type { Scenario } from './scenario.js';
import { SCENARIO_SCHEMA } from './scenario-schema.js';
import { FieldError, walk } from './walk.js';

/** The one-line error for a problem of the scenario from `origin`. */
export function scenarioError(origin: string, message: string): InputError {
  return new InputError(`scenario ${origin}: ${message}`);
}

/** Throws unless `json` is nested at most {@link MAX_JSON_DEPTH} levels deep. */
export function checkDepth(json: unknown, origin: string): void {
  const at = tooDeepAt(json);
  if (at !== undefined) {
    throw scenarioError(origin, `${at || 'the value'} is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
}

/**
 * Validates raw scenario JSON. `origin` names the scenario in messages (a built-in's name or the
 * file path). Host fields `purr`, `timebaseHz` and `latency` may be omitted (or `latency` given in
 * part) and then come from the catalog entry of the host's processor.
 *
 * @throws InputError on the first problem: unknown or missing key, wrong type, value out of range,
 *   or a cross-field rule (SMT mode, vCPUs fit, same family, cpu indices, rule routines, ...).
 */
export function validateScenario(json: unknown, origin: string): Scenario {
  checkDepth(json, origin);
  let scenario: Scenario;
  try {
    // The walker built this object from SCENARIO_SCHEMA, whose nodes are typed against Scenario.
    scenario = walk(SCENARIO_SCHEMA, json, '') as Scenario;
  } catch (error) {
    if (error instanceof FieldError) throw scenarioError(origin, error.message);
    throw error;
  }
  const problem = crossCheck(scenario);
  if (problem !== undefined) throw scenarioError(origin, problem);
  return scenario;
}
