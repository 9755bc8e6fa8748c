/**
 * Streaming text output for commands that can print hundreds of megabytes (`query --format csv`,
 * `export`): text is gathered into chunks of about {@link CHUNK_CHARS} characters and handed to a
 * target that applies backpressure, so memory stays bounded however large the result and however
 * slow the reader of the pipe.
 */
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { assert } from '../core/assert.js';
import { processStop } from '../core/stop.js';
import { outError, tempPathFor, type OutPlan } from './out-file.js';
import { processOutput, type Output } from './output.js';
import { registerTempFile, releaseTempFile } from './temp-files.js';

/** Size of the chunks passed to the target: large enough to amortise a write, small enough to bound memory. */
export const CHUNK_CHARS = 256 * 1024;

/** Where chunks go. */
export interface ChunkTarget {
  /** Takes a chunk; returns false when the writer should wait for {@link drain} before writing more. */
  write(chunk: string): boolean;
  /** Resolves when the target can take more (at once if it already can); rejects on a write error. */
  drain(): Promise<void>;
  /** Flushes and closes; for a file, moves it into place. */
  end(): Promise<void>;
  /** Gives up after a failure: a file target removes its partial file. Safe to call after end(). */
  abort(): void;
}

/** Gathers text into chunks for a {@link ChunkTarget}. */
export class ChunkedWriter {
  readonly #target: ChunkTarget;
  #parts: string[] = [];
  #chars = 0;
  #blocked = false;
  #bytesOut = 0;

  constructor(target: ChunkTarget) {
    this.#target = target;
  }

  /** Appends text; cheap (no I/O) until a chunk is full. */
  write(text: string): void {
    this.#parts.push(text);
    this.#chars += text.length;
    if (this.#chars >= CHUNK_CHARS) this.#flushChunk();
  }

  /** True when the target asked to wait: the caller should `await drain()` before writing more. */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** Waits until the target takes more. */
  async drain(): Promise<void> {
    if (!this.#blocked) return;
    await this.#target.drain();
    this.#blocked = false;
  }

  /** UTF-8 bytes handed to the target so far. */
  get bytes(): number {
    return this.#bytesOut;
  }

  /** Writes what is left and closes the target. */
  async end(): Promise<void> {
    this.#flushChunk();
    await this.drain();
    await this.#target.end();
  }

  /** Abandons the output after a failure (see {@link ChunkTarget.abort}). */
  abort(): void {
    this.#parts = [];
    this.#chars = 0;
    this.#target.abort();
  }

  #flushChunk(): void {
    // Between chunks is a safe point to honour SIGINT/SIGTERM: the caller aborts the target.
    processStop.check();
    if (this.#parts.length === 0) return;
    const chunk = this.#parts.join('');
    this.#parts = [];
    this.#chars = 0;
    this.#bytesOut += Buffer.byteLength(chunk);
    if (!this.#target.write(chunk)) this.#blocked = true;
  }
}

/**
 * A target over a Node stream, honouring its backpressure. Errors (EPIPE on stdout, ENOSPC on a
 * file) reject the pending or next drain/end, so a failed write is never reported as success.
 */
export function streamTarget(stream: Writable, ownsStream: boolean): ChunkTarget {
  let failure: Error | null = null;
  const onError = (e: Error): void => {
    failure = e;
  };
  stream.on('error', onError);
  const waitFor = (event: 'drain' | 'finish'): Promise<void> => new Promise((resolve, reject) => {
    if (failure !== null) {
      reject(failure);
      return;
    }
    const done = (): void => {
      stream.off('error', fail);
      resolve();
    };
    const fail = (e: Error): void => {
      stream.off(event, done);
      reject(e);
    };
    stream.once(event, done);
    stream.once('error', fail);
  });
  return {
    write: (chunk) => failure === null && stream.write(chunk),
    drain: () => (failure !== null ? Promise.reject(failure) : stream.writableNeedDrain ? waitFor('drain') : Promise.resolve()),
    end: async () => {
      if (failure !== null) throw failure;
      if (!ownsStream) return;
      const finished = waitFor('finish');
      stream.end();
      await finished;
      stream.off('error', onError);
    },
    abort: () => {
      if (ownsStream) stream.destroy();
    },
  };
}

/** A target that prints through an injected {@link Output} (tests); it never pushes back. */
export function outputTarget(io: Output): ChunkTarget {
  return {
    // Chunks end at line ends, so Output's "add a newline if missing" never adds one.
    write: (chunk) => {
      io.out(chunk);
      return true;
    },
    drain: () => Promise.resolve(),
    end: () => Promise.resolve(),
    abort: () => undefined,
  };
}

/** Standard output: the process's stream with backpressure, or an injected Output as is. */
export function stdoutTarget(io: Output): ChunkTarget {
  return io === processOutput ? streamTarget(process.stdout, false) : outputTarget(io);
}

/** Awaits `p`, turning a write error into a one-line error naming the output. */
async function named<T>(plan: OutPlan, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw outError(plan.given, e, plan.mode === 'replace');
  }
}

/**
 * A file written beside its destination and renamed into place by end(), so a failed or
 * interrupted export never leaves a truncated file under the name the user asked for, nor
 * destroys the file that was there (see `out-file.ts`). Late errors (disk full) are reported as
 * {@link InputError} naming the file, and the temporary file is removed.
 */
function replaceTarget(plan: OutPlan): ChunkTarget {
  const temp = tempPathFor(plan.file);
  registerTempFile(temp);
  const stream = fs.createWriteStream(temp, { flags: 'wx' });
  const inner = streamTarget(stream, true);
  let done = false;
  const removeTemp = (): void => {
    fs.rmSync(temp, { force: true });
    releaseTempFile(temp);
  };
  return {
    write: (chunk) => inner.write(chunk),
    drain: () => named(plan, inner.drain()),
    end: async () => {
      assert(!done, 'file target ended twice');
      await named(plan, inner.end());
      await named(plan, fs.promises.rename(temp, plan.file));
      releaseTempFile(temp);
      done = true;
    },
    abort: () => {
      if (done) return;
      done = true;
      // The stream opens its file asynchronously: remove it now and again once the stream is closed.
      stream.once('close', removeTemp);
      inner.abort();
      removeTemp();
    },
  };
}

/** A FIFO or character device, written in place and never replaced; errors name the path. */
function directTarget(plan: OutPlan): ChunkTarget {
  const stream = fs.createWriteStream(plan.file, { flags: 'w' });
  const inner = streamTarget(stream, true);
  return { write: (chunk) => inner.write(chunk), drain: () => named(plan, inner.drain()), end: () => named(plan, inner.end()), abort: () => inner.abort() };
}

/** The target for a planned output: standard output, an atomic replacement, or a direct write. */
export function outTarget(plan: OutPlan, io: Output): ChunkTarget {
  if (plan.mode === 'stdout') return stdoutTarget(io);
  return plan.mode === 'replace' ? replaceTarget(plan) : directTarget(plan);
}
