/**
 * Every process exit code migpatch can return, in one place. Only the command-line entry
 * (`src/cli/main.ts`) hands one to the process; commands return theirs, errors carry theirs.
 */

/** The exit codes of `migpatch`; README's Commands section documents each. */
export const ExitCode = {
  /** The command did what was asked. */
  Ok: 0,
  /** A comparison found a regression or a divergence (`diff --group`, `report --fail-on`, `replay verify`). */
  Regression: 1,
  /** Usage or input error: bad option, scenario, run or trace file; nothing was written. */
  Usage: 2,
  /** `record` or `sweep --fail-on-violations`: a run violated an invariant it was not expected to. */
  InvariantViolation: 3,
  /** A bug in migpatch (EX_SOFTWARE), never a user's mistake. */
  Internal: 70,
  /** Stopped by SIGINT (128 + 2): the command stopped in order, or the grace period ran out. */
  Interrupted: 130,
  /** Stopped by SIGTERM (128 + 15), likewise. */
  Terminated: 143,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
