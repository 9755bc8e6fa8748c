import { InternalError } from './errors.js';

/**
 * Asserts an invariant of the code (TigerBeetle style): arguments, results, loop bounds.
 * A failure is a migpatch bug, reported as {@link InternalError}. A message that needs building
 * is passed as a function, so the hot paths do not format a string per call.
 */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new InternalError(`assertion failed: ${typeof message === 'string' ? message : message()}`);
}

/** Asserts that `value` is an integer in [min, max]; returns it for chaining. */
export function assertIntInRange(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InternalError(`assertion failed: ${what} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** Marks a branch that the type system proves unreachable. */
export function unreachable(value: never, what: string): never {
  throw new InternalError(`unreachable: unexpected ${what} ${String(value)}`);
}
