/**
 * `--set path=v1,v2,...` grids of `migpatch sweep`. A `--set` with one value is a plain override
 * (as in `record`); with several it is a dimension of the grid, and the sweep runs the cartesian
 * product of every dimension. Values are split at top-level commas only: a JSON array or object
 * (`faults.0={"kind":"lost-ipi","cpu":2}`) or a JSON string (`"a, b"`) stays one value.
 */
import { InputError } from '../core/errors.js';

/** One `--set` option: its path and its values as typed, in order. */
export interface SetOption {
  readonly path: string;
  readonly values: readonly string[];
}

/** A point of the grid: the index of the value taken from each `--set`, in option order. */
export type GridPoint = readonly number[];

/** Bound on the values of one `--set` list and on the points of a grid (each point is a run per seed and protocol). */
export const MAX_GRID_POINTS = 10_000;

/**
 * Splits `text` at commas outside JSON strings, arrays and objects; null when its brackets or
 * quotes do not balance.
 */
export function splitTopLevel(text: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '[' || ch === '{') {
      depth++;
    } else if (ch === ']' || ch === '}') {
      if (--depth < 0) return null;
    } else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (inString || depth !== 0) return null;
  parts.push(text.slice(start));
  return parts;
}

/**
 * A value's canonical form, to compare values typed differently (`64` and `64.0`) and to store a
 * run's grid point: the JSON value when the text parses as JSON, else the text itself (as `--set`
 * reads values).
 */
export function canonicalValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Parses one `--set` of a sweep; InputError (one line, naming the option) when malformed. */
export function parseSetOption(text: string): SetOption {
  const bad = (why: string): never => {
    throw new InputError(`--set ${text.length > 80 ? `${text.slice(0, 77)}...` : text}: ${why}`);
  };
  const eq = text.indexOf('=');
  if (eq <= 0) bad('expected path=value or path=v1,v2,..., e.g. guest.vcpus=16,32,64');
  const path = text.slice(0, eq);
  const raw = text.slice(eq + 1);
  const values = splitTopLevel(raw) ?? bad('unbalanced quotes or brackets in the value list');
  // One value is a plain override, taken as typed (an empty string is a value, as in `record`).
  if (values.length === 1) return { path, values };
  if (values.some((v) => v.trim() === '')) bad('empty value in the list (values are separated by single commas)');
  if (values.length > MAX_GRID_POINTS) bad(`more than ${MAX_GRID_POINTS} values`);
  const seen = new Set<string>();
  for (const v of values) {
    const key = JSON.stringify(canonicalValue(v));
    if (seen.has(key)) bad(`value ${v} is listed twice`);
    seen.add(key);
  }
  return { path, values };
}

/** Parses every `--set` of a sweep; a path given twice is an input error (which value would win?). */
export function parseSetOptions(texts: readonly string[]): SetOption[] {
  const sets = texts.map(parseSetOption);
  const paths = new Set<string>();
  for (const s of sets) {
    if (paths.has(s.path)) throw new InputError(`--set ${s.path} is given twice; list its values in one --set: ${s.path}=v1,v2`);
    paths.add(s.path);
  }
  return sets;
}

/** Every point of the grid, the last `--set` varying fastest. */
export function gridPoints(sets: readonly SetOption[]): GridPoint[] {
  const total = sets.reduce((n, s) => n * s.values.length, 1);
  if (total > MAX_GRID_POINTS) throw new InputError(`the --set grid has ${total} points, more than the ${MAX_GRID_POINTS} a sweep may have`);
  const points: GridPoint[] = [];
  for (let i = 0; i < total; i++) {
    const point: number[] = new Array<number>(sets.length);
    let rest = i;
    for (let d = sets.length - 1; d >= 0; d--) {
      const n = (sets[d] as SetOption).values.length;
      point[d] = rest % n;
      rest = Math.floor(rest / n);
    }
    points.push(point);
  }
  return points;
}

/** The `--set path=value` options of one point, in option order: what `record` is given to reproduce it. */
export function pointSets(sets: readonly SetOption[], point: GridPoint): string[] {
  return sets.map((s, d) => `${s.path}=${s.values[point[d] as number] as string}`);
}

/** The point's values of the dimensions that vary (lists of two or more), path → canonical value. */
export function pointGrid(sets: readonly SetOption[], point: GridPoint): Record<string, unknown> {
  const grid: Record<string, unknown> = {};
  sets.forEach((s, d) => {
    if (s.values.length > 1) grid[s.path] = canonicalValue(s.values[point[d] as number] as string);
  });
  return grid;
}

/** A grid point for people: `guest.vcpus=32 destination.smt=8`, or `—` when nothing varies. */
export function gridLabel(grid: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(grid).map(([path, v]) => `${path}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length === 0 ? '—' : parts.join(' ');
}
