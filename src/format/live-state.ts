/**
 * The state of a run at an instant, as the live simulator reports it and as `replay state` rebuilds
 * it from the trace alone (the two are compared in tests).
 */

/** A run's state at `tNs`: per vCPU, per routine and per process (indexed by id). */
export interface LiveState {
  readonly tNs: number;
  readonly host: number;
  readonly cpuState: readonly number[];
  readonly cpuPid: readonly number[];
  readonly protocolPhase: string;
  readonly attempt: number;
  readonly installedVariant: readonly number[];
  readonly truthNs: readonly number[];
  readonly chargedNs: readonly number[];
}
