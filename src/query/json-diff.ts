/**
 * A small structural diff of two JSON values, for `migpatch diff`'s scenario section: each leaf
 * that differs becomes one change named by its path (`guest.vcpus: 16 -> 64`). Objects are compared
 * key by key (keys of the old value first, then keys only the new one has), arrays index by index;
 * a value whose type changes (object -> number, array -> object) is one change at its own path.
 */
import { assert } from '../core/assert.js';

/** One difference. `old` is undefined for an added path, `new` for a removed one. */
export interface JsonChange {
  readonly path: string;
  readonly kind: 'changed' | 'added' | 'removed';
  readonly old?: unknown;
  readonly new?: unknown;
}

/** Deeper than any scenario; a guard against cyclic or absurd input, not a real limit. */
const MAX_DEPTH = 64;

type JsonRecord = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every difference between `a` (old) and `b` (new), in document order. Empty when equal. */
export function jsonDiff(a: unknown, b: unknown): JsonChange[] {
  const out: JsonChange[] = [];
  walk(a, b, '', 0, out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, depth: number, out: JsonChange[]): void {
  assert(depth <= MAX_DEPTH, () => `JSON nested deeper than ${MAX_DEPTH} at ${path}`);
  if (isRecord(a) && isRecord(b)) {
    for (const key of Object.keys(a)) {
      const child = joinKey(path, key);
      if (Object.hasOwn(b, key)) walk(a[key], b[key], child, depth + 1, out);
      else out.push({ path: child, kind: 'removed', old: a[key] });
    }
    for (const key of Object.keys(b)) {
      if (!Object.hasOwn(a, key)) out.push({ path: joinKey(path, key), kind: 'added', new: b[key] });
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const child = `${path}[${i}]`;
      if (i >= b.length) out.push({ path: child, kind: 'removed', old: a[i] });
      else if (i >= a.length) out.push({ path: child, kind: 'added', new: b[i] });
      else walk(a[i], b[i], child, depth + 1, out);
    }
    return;
  }
  if (!Object.is(a, b)) out.push({ path: path === '' ? '(root)' : path, kind: 'changed', old: a, new: b });
}

/** `a.b` for identifier-like keys, `a["odd key"]` otherwise, so every path reads back unambiguously. */
function joinKey(path: string, key: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Longest rendering of one value in a change line; scenarios' arrays of objects would flood a terminal. */
const MAX_VALUE_CHARS = 120;

/** A value as JSON, shortened: `"POWER8"`, `16`, `{"kind":"lost-ipi",...}`. `(none)` for undefined. */
export function showJsonValue(value: unknown): string {
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  return text.length <= MAX_VALUE_CHARS ? text : `${text.slice(0, MAX_VALUE_CHARS - 3)}...`;
}

/** One change as a line: `guest.vcpus: 16 -> 64`, `faults[0]: (none) -> {...}`. */
export function formatJsonChange(change: JsonChange): string {
  return `${change.path}: ${showJsonValue(change.old)} -> ${showJsonValue(change.new)}`;
}
