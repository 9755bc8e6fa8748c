/**
 * The schema walker: checks a raw JSON value against a schema node and builds the validated value,
 * with keys in schema order and every object and array frozen. The first problem ends the walk
 * with a {@link FieldError}; `validate.ts` turns it into the user's one-line message.
 */
import { didYouMean } from './did-you-mean.js';
import { deepMerge, getOwn, isJsonObject, joinPath, showValue, type JsonObject } from './json-util.js';
import type {
  AnyNode, ArrayNode, EnumNode, IntNode, NumberNode, ObjectNode, StringNode, UnionNode,
} from './schema.js';

/** A validation problem, already phrased; the caller adds where the scenario came from. */
export class FieldError extends Error {}

function fail(message: string): never {
  throw new FieldError(message);
}

/** How a path is named in a message: the root is "the scenario". */
function label(path: string): string {
  return path === '' ? 'the scenario' : path;
}

/** What a value is, for "must be an object, got an array". */
function describeKind(value: unknown): string {
  if (Array.isArray(value)) return `an array ${showValue(value)}`;
  if (value === null) return 'null';
  return isJsonObject(value) ? `an object ${showValue(value)}` : showValue(value);
}

/** Walks `value` against `node`; `path` is the dotted path of `value`. */
export function walk(node: AnyNode, value: unknown, path: string): unknown {
  switch (node.kind) {
    case 'int': return walkInt(node, value, path);
    case 'number': return walkNumber(node, value, path);
    case 'bool': return walkBool(value, path);
    case 'string': return walkString(node, value, path);
    case 'enum': return walkEnum(node, value, path);
    case 'object': return walkObject(node, value, path);
    case 'array': return walkArray(node, value, path);
    case 'union': return walkUnion(node, value, path);
  }
}

function walkBool(value: unknown, path: string): boolean {
  return typeof value === 'boolean' ? value : fail(`${label(path)} must be true or false, got ${describeKind(value)}`);
}

function walkInt(node: IntNode, value: unknown, path: string): number {
  const range = `in [${node.min}, ${node.max}]`;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    fail(`${label(path)} must be an integer ${range}, got ${describeKind(value)}`);
  }
  if (value < node.min) fail(`${label(path)} must be an integer >= ${node.min}, got ${value}`);
  if (value > node.max) fail(`${label(path)} must be an integer <= ${node.max}, got ${value}`);
  const problem = node.refine?.(value);
  return problem === undefined ? value : fail(`${label(path)} ${problem}`);
}

function walkNumber(node: NumberNode, value: unknown, path: string): number {
  const low = node.minExclusive ? `> ${node.min}` : `>= ${node.min}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(`${label(path)} must be a number ${low} and <= ${node.max}, got ${describeKind(value)}`);
  }
  if (value < node.min || (node.minExclusive && value === node.min)) {
    fail(`${label(path)} must be a number ${low}, got ${value}`);
  }
  return value <= node.max ? value : fail(`${label(path)} must be a number <= ${node.max}, got ${value}`);
}

function walkString(node: StringNode, value: unknown, path: string): string {
  if (typeof value !== 'string') fail(`${label(path)} must be a string, got ${describeKind(value)}`);
  if (value.length < node.minLength || value.length > node.maxLength) {
    fail(`${label(path)} must have ${node.minLength} to ${node.maxLength} characters, got ${value.length}`);
  }
  if (node.pattern !== undefined && !node.pattern.regex.test(value)) {
    fail(`${label(path)} must be ${node.pattern.says}, got ${showValue(value)}`);
  }
  return value;
}

function walkEnum(node: EnumNode, value: unknown, path: string): string | null {
  const match = node.values.find((v) => v === value);
  if (match !== undefined) return match;
  const names = node.values.map((v) => JSON.stringify(v));
  const hint = typeof value === 'string'
    ? didYouMean(value, node.values.filter((v) => v !== null), (s) => JSON.stringify(s))
    : '';
  return fail(`${label(path)} must be one of ${names.join(', ')}, got ${describeKind(value)}${hint}`);
}

function walkObject(node: ObjectNode, value: unknown, path: string): object {
  if (!isJsonObject(value)) fail(`${label(path)} must be an object, got ${describeKind(value)}`);
  rejectUnknownKeys(node, value, path);
  const built: JsonObject = {};
  for (const [key, child] of Object.entries(node.fields)) {
    const input = withDefaults(child, getOwn(value, key), value);
    if (input === undefined) fail(`missing key ${joinPath(path, key)}`);
    built[key] = walk(child, input, joinPath(path, key));
  }
  const problem = node.check?.(built);
  if (problem !== undefined) fail(`${joinPath(path, problem.field)} ${problem.tail}`);
  return Object.freeze(built);
}

// Unknown keys are reported before missing ones: a typo produces both, and the unknown one is the
// one that carries the "did you mean".
function rejectUnknownKeys(node: ObjectNode, value: JsonObject, path: string): void {
  const known = Object.keys(node.fields);
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(node.fields, key)) {
      const hint = didYouMean(key, known, (s) => joinPath(path, s));
      fail(`unknown key ${joinPath(path, key)}${hint}`);
    }
  }
}

/** The given value with the node's default under it (a missing key gets the whole default). */
function withDefaults(node: AnyNode, given: unknown, parent: JsonObject): unknown {
  const fallback = node.defaultFrom?.(parent);
  if (fallback === undefined) return given;
  if (given === undefined) return fallback;
  return isJsonObject(given) && isJsonObject(fallback) ? deepMerge(fallback, given) : given;
}

function walkArray(node: ArrayNode, value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(`${label(path)} must be an array, got ${describeKind(value)}`);
  if (value.length > node.maxItems) {
    fail(`${label(path)} must have at most ${node.maxItems} elements, got ${value.length}`);
  }
  const built = value.map((item: unknown, i) => walk(node.items, item, joinPath(path, i)));
  if (node.uniqueBy !== undefined) rejectDuplicates(built, node.uniqueBy, path);
  return Object.freeze(built);
}

function rejectDuplicates(items: readonly unknown[], key: string, path: string): void {
  const firstIndex = new Map<unknown, number>();
  items.forEach((item, i) => {
    const id = isJsonObject(item) ? item[key] : undefined;
    const first = firstIndex.get(id);
    if (first !== undefined) {
      const where = (index: number) => joinPath(joinPath(path, index), key);
      fail(`${where(i)} ${showValue(id)} is a duplicate of ${where(first)}`);
    }
    firstIndex.set(id, i);
  });
}

function walkUnion(node: UnionNode, value: unknown, path: string): object {
  if (!isJsonObject(value)) fail(`${label(path)} must be an object, got ${describeKind(value)}`);
  const kinds = Object.keys(node.variants);
  const kind = getOwn(value, 'kind');
  if (kind === undefined) fail(`missing key ${joinPath(path, 'kind')} (one of ${kinds.join(', ')})`);
  // hasOwn: a kind such as "constructor" must not find Object.prototype's members.
  const variant = typeof kind === 'string' && Object.hasOwn(node.variants, kind) ? node.variants[kind] : undefined;
  if (variant === undefined) {
    const hint = typeof kind === 'string' ? didYouMean(kind, kinds, (s) => JSON.stringify(s)) : '';
    const names = kinds.map((k) => JSON.stringify(k)).join(', ');
    fail(`${joinPath(path, 'kind')} must be one of ${names}, got ${describeKind(kind)}${hint}`);
  }
  return walkObject(variant, value, path);
}
