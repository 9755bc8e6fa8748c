/**
 * The few error classes of migpatch. Each carries the process exit code the command line uses,
 * so a command never has to guess how to report a failure.
 */
import { ExitCode } from './exit-code.js';

/** Base class: an error whose message is meant for the user, with the exit code to use. */
export class MigpatchError extends Error {
  /** Process exit code for the CLI (see {@link ExitCode}). */
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/**
 * A user's mistake: bad option, bad scenario, unknown run, unusable database. Exit code 2, a
 * one-line message naming the field or value, and nothing is written.
 */
export class InputError extends MigpatchError {
  constructor(message: string) {
    super(message, ExitCode.Usage);
  }
}

/**
 * A broken internal invariant: a bug in migpatch, never a user's mistake. Exit code 70 (EX_SOFTWARE)
 * so that it cannot be mistaken for any documented outcome.
 */
export class InternalError extends MigpatchError {
  constructor(message: string) {
    super(message, ExitCode.Internal);
  }
}
