/**
 * `--set path=value` overrides, applied to raw scenario JSON before validation. Paths are checked
 * against the scenario schema (not against the JSON, which may omit defaulted host fields), so a
 * mistyped path is an error with a suggestion rather than a silently ignored key.
 */
import { InputError } from '../core/errors.js';
import { didYouMean } from './did-you-mean.js';
import { MAX_JSON_DEPTH, cloneJson, getOwn, isJsonObject, joinPath, setOwn, tooDeepAt } from './json-util.js';
import type { AnyNode, ArrayNode, ObjectNode, UnionNode } from './schema.js';
import { SCENARIO_SCHEMA } from './scenario-schema.js';
import { checkDepth } from './validate.js';

/** A problem with one `--set`; {@link applyOverrides} adds the origin and the option text. */
class SetError extends Error {}

function fail(message: string): never {
  throw new SetError(message);
}

/**
 * Applies `--set` overrides in order (a later one wins) and returns the new JSON; `json` itself is
 * not modified. A value is parsed as JSON when it parses, else taken as a string; for a string
 * field the text is always taken as is (so `name=123` is the string "123").
 *
 * Paths are dotted, array elements by index (`faults.0.cpu=2`); an index equal to the array's
 * length appends a whole element (`faults.0={"kind":"lost-ipi",...}` on an empty list). Objects
 * on the way that the JSON lacks are created, so `source.latency.ipi.medianNs=5000` works on a
 * host whose latency comes from the catalog.
 *
 * @throws InputError naming `origin` and the option: missing `=`, unknown path, bad index.
 */
export function applyOverrides(json: unknown, sets: readonly string[], origin: string): unknown {
  checkDepth(json, origin);
  let result = cloneJson(json);
  for (const set of sets) {
    try {
      result = applyOne(result, set);
    } catch (error) {
      if (error instanceof SetError) throw new InputError(`scenario ${origin}: --set ${shorten(set)}: ${error.message}`);
      throw error;
    }
  }
  return result;
}

// A whole JSON value may follow `=`; the message only needs enough of it to recognise the option.
const SHOW_SET_CHARS = 80;

function shorten(set: string): string {
  return set.length > SHOW_SET_CHARS ? `${set.slice(0, SHOW_SET_CHARS - 3)}...` : set;
}

function applyOne(json: unknown, set: string): unknown {
  const eq = set.indexOf('=');
  if (eq <= 0) fail('expected path=value, e.g. guest.vcpus=64');
  const segments = set.slice(0, eq).split('.');
  if (segments.some((s) => s === '')) fail(`path ${set.slice(0, eq)} has an empty segment`);
  return assign(SCENARIO_SCHEMA, json, segments, '', set.slice(eq + 1));
}

/** Sets `raw` at `segments` below `current` (whose path is `path` and schema `node`). */
function assign(node: AnyNode, current: unknown, segments: readonly string[], path: string, raw: string): unknown {
  const [head, ...rest] = segments;
  if (head === undefined) return leafValue(node, raw);
  switch (node.kind) {
    case 'object': return assignField(node, current, head, rest, path, raw);
    case 'array': return assignIndex(node, current, head, rest, path, raw);
    case 'union': return assignVariant(node, current, segments, path, raw);
    default: return fail(`unknown path ${joinPath(path, head)}: ${path} is a single value, not an object`);
  }
}

function assignField(
  node: ObjectNode, current: unknown, key: string, rest: readonly string[], path: string, raw: string,
): unknown {
  const child = Object.hasOwn(node.fields, key) ? node.fields[key] : undefined;
  if (child === undefined) {
    fail(`unknown path ${joinPath(path, key)}${didYouMean(key, Object.keys(node.fields), (s) => joinPath(path, s))}`);
  }
  const target = current === undefined ? {} : current;
  if (!isJsonObject(target)) fail(`cannot set ${joinPath(path, key)}: ${path || 'the scenario'} is not an object`);
  setOwn(target, key, assign(child, getOwn(target, key), rest, joinPath(path, key), raw));
  return target;
}

function assignIndex(
  node: ArrayNode, current: unknown, head: string, rest: readonly string[], path: string, raw: string,
): unknown {
  if (!Array.isArray(current)) fail(`cannot set ${joinPath(path, head)}: ${path} is not an array`);
  const index = /^(0|[1-9][0-9]{0,5})$/.test(head) ? Number(head) : -1;
  // Appending is only for a whole element: a field of a new element would leave the rest missing.
  const limit = rest.length === 0 ? current.length : current.length - 1;
  if (index < 0 || index > limit) {
    fail(`${joinPath(path, head)} does not exist: ${path} has ${current.length} elements (indices from 0)`);
  }
  current[index] = assign(node.items, current[index], rest, joinPath(path, index), raw);
  return current;
}

// The fields of a union element depend on its kind, so the element's current kind picks the
// variant; `kind` itself may always be set.
function assignVariant(
  node: UnionNode, current: unknown, segments: readonly string[], path: string, raw: string,
): unknown {
  const kinds = Object.keys(node.variants);
  const kind = isJsonObject(current) ? getOwn(current, 'kind') : undefined;
  const variant = typeof kind === 'string' && Object.hasOwn(node.variants, kind) ? node.variants[kind] : undefined;
  if (segments.length === 1 && segments[0] === 'kind' && isJsonObject(current)) {
    setOwn(current, 'kind', leafValue({ kind: 'enum', doc: '', values: kinds }, raw));
    return current;
  }
  if (variant === undefined) fail(`cannot set ${joinPath(path, segments.join('.'))}: ${path} has no valid kind`);
  return assignField(variant, current, segments[0] ?? '', segments.slice(1), path, raw);
}

/** The value of `raw` for a field described by `node`. */
function leafValue(node: AnyNode, raw: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return raw;
  }
  // `name=123` or `processor=1e3` mean text: the user should not have to quote a string field.
  const nullAllowed = parsed === null && node.kind === 'enum' && node.values.includes(null);
  const wantsText = (node.kind === 'string' || node.kind === 'enum') && !nullAllowed;
  const at = tooDeepAt(parsed);
  if (at !== undefined) fail(`the value is nested more than ${MAX_JSON_DEPTH} levels deep`);
  return wantsText && typeof parsed !== 'string' ? raw : parsed;
}
