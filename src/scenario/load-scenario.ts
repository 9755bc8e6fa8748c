/**
 * Loading a scenario for the command line: a built-in name or a JSON file, then `--set`
 * overrides, then validation. A file may `extend` a built-in and state only what differs.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { processorInfo } from './catalog.js';
import { BUILTIN_SCENARIOS, findBuiltin } from './builtins.js';
import { didYouMean } from './did-you-mean.js';
import { jsonErrorOffset, lineColumn } from './json-position.js';
import { cloneJson, deepMerge, getOwn, isJsonObject, jsonEqual, showValue, type JsonObject } from './json-util.js';
import { applyOverrides } from './overrides.js';
import type { Scenario } from './scenario.js';
import { checkDepth, scenarioError, validateScenario } from './validate.js';

/** A scenario as `migpatch scenarios` lists it. */
export interface ScenarioListing {
  readonly name: string;
  readonly description: string;
}

// A scenario is a few kilobytes; anything this large is the wrong file, and reading it is a waste.
const MAX_FILE_BYTES = 4 * 1_048_576;
const HOST_DEFAULTED = ['purr', 'timebaseHz', 'latency'] as const;

/** The built-in scenarios, name and one-line description each, in listing order. */
export function listScenarios(): readonly ScenarioListing[] {
  return BUILTIN_SCENARIOS.map(({ name, description }) => ({ name, description }));
}

/**
 * Whether a `--scenario` argument names a file rather than a built-in: it contains a path
 * separator or ends in `.json` (built-in names have neither).
 */
export function isScenarioFile(spec: string): boolean {
  return spec.includes('/') || spec.includes('\\') || spec.endsWith('.json');
}

/**
 * Loads a scenario: `spec` is a built-in name or a path to a `.json` file (see
 * {@link isScenarioFile}); `sets` are `--set path=value` overrides, applied in order.
 *
 * A file either is a complete scenario (host `purr`, `timebaseHz`, `latency` may be omitted: they
 * default from the catalog) or has `"extends": "<built-in>"` and is deep-merged onto that built-in
 * (objects merged, arrays replaced; `name` defaults to the file's base name).
 *
 * @throws InputError on an unknown name, an unreadable file, malformed JSON, a bad `--set` or an
 *   invalid scenario; the message names the scenario and the field.
 */
export function loadScenario(spec: string, sets: readonly string[]): Scenario {
  const json = isScenarioFile(spec) ? readScenarioFile(spec) : builtinInput(spec, spec);
  return validateScenario(applyOverrides(json, sets, spec), spec);
}

/**
 * A built-in as raw input: host fields equal to their processor's catalog defaults are left out,
 * so that changing `processor` (by `--set` or `extends`) brings that processor's defaults with it.
 */
function builtinInput(name: string, origin: string): JsonObject {
  const scenario = findBuiltin(name);
  if (scenario === undefined) {
    const names = BUILTIN_SCENARIOS.map((s) => s.name);
    throw scenarioError(origin, `unknown scenario ${JSON.stringify(name)}${didYouMean(name, names)}; built-ins: `
      + `${names.join(', ')} (a file path must contain / or end in .json)`);
  }
  const input = cloneJson(scenario) as JsonObject;
  for (const role of ['source', 'destination'] as const) {
    const info = processorInfo(scenario[role].processor);
    const host = input[role] as JsonObject;
    for (const field of HOST_DEFAULTED) {
      if (jsonEqual(host[field], info[field])) delete host[field];
    }
  }
  return input;
}

/** Reads, parses and (for `extends`) resolves a scenario file into raw scenario JSON. */
function readScenarioFile(path: string): JsonObject {
  const json = parseJson(readText(path), path);
  // Before merging: the merge recurses over the file's values.
  checkDepth(json, path);
  if (!isJsonObject(json)) throw scenarioError(path, `the file must hold a JSON object, got ${showValue(json)}`);
  const base = getOwn(json, 'extends');
  if (base === undefined) return json;
  if (typeof base !== 'string') {
    throw scenarioError(path, `extends must be the name of a built-in scenario, got ${showValue(base)}`);
  }
  const { extends: _ignored, ...overlay } = json;
  const builtin = builtinInput(base, path);
  // Runs record the scenario's name: an extension is not the built-in, so it gets its own.
  const description = `extends ${base}: ${String(builtin['description'])}`;
  const named = { ...builtin, name: basename(path, '.json'), description };
  return deepMerge(named, overlay) as JsonObject;
}

function readText(path: string): string {
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) {
      throw scenarioError(path, `the file has ${size} bytes, more than the ${MAX_FILE_BYTES} a scenario may have`);
    }
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error) {
      throw scenarioError(path, `cannot read the file: ${error.message}`);
    }
    throw error;
  }
}

function parseJson(text: string, path: string): unknown {
  // Editors on some systems write a byte-order mark; JSON.parse would reject it.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    const offset = jsonErrorOffset(body);
    const { line, column } = lineColumn(body, offset < 0 ? body.length : offset);
    // V8 quotes the source in some messages; keep the report on one line.
    const reason = error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 160) : String(error);
    throw scenarioError(path, `malformed JSON at line ${line}, column ${column}: ${reason}`);
  }
}
