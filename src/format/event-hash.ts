/**
 * The event-stream hash ("migpatch event hash v1"): identical for byte-identical event streams and,
 * in practice, different otherwise. Events are hashed in chunks of {@link EVENT_HASH_CHUNK} so that
 * the first divergence between two long runs is found by comparing chunk hashes first; the run's
 * hash folds the chunk hashes and the event count. Not cryptographic: it detects change, nothing more.
 */
import type { EventBatch } from './trace-types.js';

/** Events per hash chunk. A power of two, and a multiple of the event log's batch size. */
export const EVENT_HASH_CHUNK = 65_536;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Incremental hash of one chunk: two 32-bit lanes, murmur-style mixing. */
export class ChunkHasher {
  #h1 = 0x243f6a88;
  #h2 = 0x85a308d3;

  /**
   * Mixes one double. NaN is canonical (every NaN hashes alike) and -0 hashes as 0, because SQLite
   * stores both that way: a stream re-read from a trace must hash as it did when it was recorded.
   */
  mix(value: number): void {
    let lo: number;
    let hi: number;
    if (value !== value) {
      lo = 0;
      hi = 0x7ff80000;
    } else if (value === 0) {
      lo = 0;
      hi = 0;
    } else {
      f64[0] = value;
      lo = u32[0] as number;
      hi = u32[1] as number;
    }
    let h1 = Math.imul(this.#h1 ^ lo, 0x85ebca6b);
    h1 ^= h1 >>> 15;
    h1 = Math.imul(h1 ^ hi, 0xc2b2ae35);
    this.#h1 = h1 ^ (h1 >>> 13);
    let h2 = Math.imul(this.#h2 ^ hi ^ this.#h1, 0x27d4eb2f);
    h2 ^= h2 >>> 16;
    this.#h2 = Math.imul(h2 ^ lo, 0x165667b1);
  }

  /** Mixes rows [from, to) of a batch: t, kind, cpu, a, b, c in that order. */
  mixRows(batch: EventBatch, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      this.mix(batch.tNs[i] as number);
      this.mix(batch.kind[i] as number);
      this.mix(batch.cpu[i] as number);
      this.mix(batch.a[i] as number);
      this.mix(batch.b[i] as number);
      this.mix(batch.c[i] as number);
    }
  }

  /** The chunk's hash as 16 hex digits. */
  digest(): string {
    return hex32(this.#h1) + hex32(this.#h2);
  }
}

function hex32(x: number): string {
  return (x >>> 0).toString(16).padStart(8, '0');
}

/** Folds chunk hashes and the event count into the run's event hash (16 hex digits). */
export function foldChunkHashes(chunkHashes: readonly string[], eventCount: number): string {
  if (chunkHashes.length !== Math.ceil(eventCount / EVENT_HASH_CHUNK)) throw new Error('assertion failed: chunk count matches event count');
  const h = new ChunkHasher();
  h.mix(eventCount);
  for (const c of chunkHashes) {
    h.mix(parseInt(c.slice(0, 8), 16));
    h.mix(parseInt(c.slice(8), 16));
  }
  return h.digest();
}

/** Hashes a whole event stream given as batches (for replay and tests). */
export class StreamHasher {
  readonly chunkHashes: string[] = [];
  #chunk = new ChunkHasher();
  #count = 0;

  /** Adds a batch; batches must be consecutive. */
  add(batch: EventBatch): void {
    if (batch.firstSeq !== this.#count) throw new Error(`assertion failed: batch starts at ${batch.firstSeq}, expected ${this.#count}`);
    let i = 0;
    while (i < batch.count) {
      const room = EVENT_HASH_CHUNK - (this.#count % EVENT_HASH_CHUNK);
      const take = Math.min(room, batch.count - i);
      this.#chunk.mixRows(batch, i, i + take);
      i += take;
      this.#count += take;
      if (this.#count % EVENT_HASH_CHUNK === 0) this.#closeChunk();
    }
  }

  /** Number of events hashed so far. */
  get count(): number {
    return this.#count;
  }

  /** Finishes and returns the run hash; closes a partial last chunk. */
  finish(): string {
    if (this.#count % EVENT_HASH_CHUNK !== 0) this.#closeChunk();
    return foldChunkHashes(this.chunkHashes, this.#count);
  }

  #closeChunk(): void {
    this.chunkHashes.push(this.#chunk.digest());
    this.#chunk = new ChunkHasher();
  }
}
