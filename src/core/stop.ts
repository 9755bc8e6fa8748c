/**
 * An orderly stop, asked for by SIGINT or SIGTERM and honoured at safe points: the command line
 * requests it from its signal handlers; long-running library calls (recording, sweeps, exports)
 * poll it between slices of work and end with an {@link InterruptedError}, so a run is marked
 * `interrupted` and temporary files are removed instead of the process dying mid-write. The
 * deterministic core never polls it: the application layer does, between slices of simulated time.
 */
import { ExitCode } from './exit-code.js';
import { MigpatchError } from './errors.js';

/** The signals that ask for an orderly stop. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** A command stopped by a signal; its exit code is 128 + the signal's number, as a shell reports it. */
export class InterruptedError extends MigpatchError {
  readonly signal: StopSignal;
  constructor(signal: StopSignal) {
    super(`interrupted by ${signal}`, signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated);
    this.signal = signal;
  }
}

/** A stop request: set once, by the first signal; polled by whoever can stop cleanly. */
export class StopToken {
  #signal: StopSignal | null = null;

  /** Records the request; later signals do not change the first one. */
  request(signal: StopSignal): void {
    if (this.#signal === null) this.#signal = signal;
  }

  /** The signal that asked for a stop, or null. */
  get signal(): StopSignal | null {
    return this.#signal;
  }

  /** Throws {@link InterruptedError} when a stop was requested. */
  check(): void {
    if (this.#signal !== null) throw new InterruptedError(this.#signal);
  }
}

/** The process's stop token: the command line's signal handlers request it. */
export const processStop = new StopToken();
