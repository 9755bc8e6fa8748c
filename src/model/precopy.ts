/**
 * Pre-copy live migration (docs/model.md, "Live migration"), after QEMU and SimGrid: copy all memory, then resend what
 * was dirtied during the previous round until the remainder fits `bandwidth × max downtime` or the
 * rounds run out, then stop-and-copy. Pure arithmetic: the simulator asks for the next step at the
 * end of each round, telling how many vCPUs were busy (they are what dirties memory).
 */
import { assert } from '../core/assert.js';
import type { MigrationSpec } from '../scenario/scenario.js';

/** The next thing the migration does after a round. */
export type PrecopyStep =
  | { readonly kind: 'round'; readonly round: number; readonly bytes: number; readonly durationNs: number }
  | { readonly kind: 'stop'; readonly remainingBytes: number; readonly downtimeNs: number };

/** Nanoseconds to send `bytes` at `bandwidth`, rounded up. */
export function transferNs(bytes: number, bandwidthBytesPerSec: number): number {
  assert(bandwidthBytesPerSec > 0, 'bandwidth > 0');
  return Math.ceil((bytes * 1e9) / bandwidthBytesPerSec);
}

/** Planner of one pre-copy migration. */
export class Precopy {
  readonly #spec: MigrationSpec;
  #round = 0;

  constructor(spec: MigrationSpec) {
    assert(spec.bandwidthBytesPerSec > 0 && spec.memoryBytes > 0 && spec.pageBytes > 0, 'migration sizes positive');
    this.#spec = spec;
  }

  /** Round 1: the full copy. */
  first(): PrecopyStep {
    assert(this.#round === 0, 'first round once');
    this.#round = 1;
    const bytes = this.#spec.memoryBytes;
    return { kind: 'round', round: 1, bytes, durationNs: transferNs(bytes, this.#spec.bandwidthBytesPerSec) };
  }

  /** Bytes dirtied by `busyVcpus` during a round of `durationNs`, in whole pages, capped by the working set. */
  dirtiedBytes(durationNs: number, busyVcpus: number): number {
    const s = this.#spec;
    const raw = (s.dirtyBytesPerSecPerVcpu * busyVcpus * durationNs) / 1e9;
    const pages = Math.ceil(raw / s.pageBytes);
    const cap = Math.floor((s.memoryBytes * s.workingSetFraction) / s.pageBytes);
    return Math.min(pages, cap) * s.pageBytes;
  }

  /** The step after a round that dirtied `dirtyBytes`. */
  next(dirtyBytes: number): PrecopyStep {
    const s = this.#spec;
    assert(this.#round >= 1, 'next after first');
    const fits = dirtyBytes <= (s.bandwidthBytesPerSec * s.maxDowntimeNs) / 1e9;
    if (fits || this.#round >= s.maxRounds) {
      return {
        kind: 'stop',
        remainingBytes: dirtyBytes,
        downtimeNs: transferNs(dirtyBytes, s.bandwidthBytesPerSec) + s.switchoverNs,
      };
    }
    this.#round++;
    return {
      kind: 'round', round: this.#round, bytes: dirtyBytes,
      durationNs: transferNs(dirtyBytes, s.bandwidthBytesPerSec),
    };
  }
}
