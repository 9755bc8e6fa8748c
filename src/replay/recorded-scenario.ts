/**
 * The scenario a run was simulated from, read back from `runs.scenario_json` and validated again,
 * so a re-simulation starts from exactly what was recorded (or refuses with one line).
 */
import { InputError } from '../core/errors.js';
import type { Scenario } from '../scenario/scenario.js';
import { validateScenario } from '../scenario/validate.js';
import type { RunRecord } from '../trace/runs.js';

/** The validated scenario of `run`. */
export function recordedScenario(run: Pick<RunRecord, 'runId' | 'scenarioJson'>): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(run.scenarioJson);
  } catch (e) {
    throw new InputError(`run ${run.runId}: its recorded scenario is not valid JSON (${(e as Error).message})`);
  }
  return validateScenario(json, `recorded with run ${run.runId}`);
}
