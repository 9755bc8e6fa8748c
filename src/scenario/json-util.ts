/**
 * Small helpers for plain JSON values: what scenario files, built-ins and `--set` values are
 * before validation turns them into a typed {@link Scenario}.
 */

/** A JSON object as parsed: string keys, values not yet checked. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a plain object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets an own property. Plain assignment of `__proto__` would change the object's prototype and
 * hide the key from validation; defining it keeps it visible, so it is rejected as unknown.
 */
export function setOwn(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The value of an own property, or undefined (never an inherited one such as `constructor`). */
export function getOwn(target: JsonObject, key: string): unknown {
  return Object.hasOwn(target, key) ? target[key] : undefined;
}

/** A deep copy of a JSON value (objects and arrays copied, primitives shared). */
export function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (!isJsonObject(value)) return value;
  const copy: JsonObject = {};
  for (const [key, child] of Object.entries(value)) setOwn(copy, key, cloneJson(child));
  return copy;
}

/**
 * Deep merge for `extends` and host defaults: objects are merged key by key, anything else
 * (arrays included) in `overlay` replaces what `base` has. Neither input is modified.
 */
export function deepMerge(base: unknown, overlay: unknown): unknown {
  if (!isJsonObject(base) || !isJsonObject(overlay)) return cloneJson(overlay);
  const merged = cloneJson(base) as JsonObject;
  for (const [key, child] of Object.entries(overlay)) {
    setOwn(merged, key, deepMerge(getOwn(merged, key), child));
  }
  return merged;
}

/** Structural equality of two JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return Object.is(a, b);
}

// Long values would make an error message span the screen; the start identifies them well enough.
const SHOW_MAX_CHARS = 60;

/** A value as shown in an error message: JSON, on one line, shortened. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > SHOW_MAX_CHARS ? `${text.slice(0, SHOW_MAX_CHARS - 3)}...` : text;
}

/** Joins a dotted JSON path (the form `--set` accepts) with one more key or index. */
export function joinPath(path: string, key: string | number): string {
  return path === '' ? String(key) : `${path}.${key}`;
}

/**
 * A scenario is at most a few levels deep; this is far beyond that yet keeps every recursive
 * helper here (clone, merge, equality) clear of the stack limit that a hostile file could reach.
 */
export const MAX_JSON_DEPTH = 32;

/** The path of the first value nested deeper than `MAX_JSON_DEPTH`, or undefined. */
export function tooDeepAt(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_JSON_DEPTH) return path;
  for (const [key, child] of Object.entries(value)) {
    const found = tooDeepAt(child, joinPath(path, key), depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
