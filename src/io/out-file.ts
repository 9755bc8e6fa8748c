/**
 * Where a command's `--out` goes, decided before any work and obeyed to the end:
 * - `-` (or `/dev/stdout`) is standard output;
 * - a regular file, or a new path in an existing writable folder, is written to a temporary file
 *   beside it and renamed into place only when complete (an interrupted or failed write leaves the
 *   old file, or nothing, under that name); a symbolic link to a regular file keeps the link and
 *   replaces its target;
 * - a FIFO or a character device (`/dev/stdout`, `/dev/null`, a terminal) is written directly and
 *   never replaced, and so is anything under `/dev/` or `/proc/`;
 * - anything else (a folder, a socket, a block device, a link to nothing) is refused at once.
 * Late write errors (a full disk, a file-size limit, an I/O error) become one {@link InputError}
 * naming the path, and no partial output file is left.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../core/errors.js';
import { registerTempFile, releaseTempFile } from './temp-files.js';

/** How an output is written. */
export type OutMode = 'stdout' | 'replace' | 'direct';

/** A checked output destination. */
export interface OutPlan {
  /** The path as the user gave it (for messages). */
  readonly given: string;
  readonly mode: OutMode;
  /** The file actually written: the target of a link, or the path itself. */
  readonly file: string;
}

/** Errors from a write that mean the destination, not migpatch, failed: named in one line. */
const WRITE_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EFBIG: 'file too large (file-size limit reached)',
  EIO: 'input/output error',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENXIO: 'no reader on the other end',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
};

/**
 * Converts a write error into a one-line {@link InputError} naming `given`. `replaced`: the output
 * was going to a temporary file, so nothing reached `given`.
 */
export function outError(given: string, err: unknown, replaced = false): InputError {
  if (err instanceof InputError) return err;
  const e = err as NodeJS.ErrnoException;
  const reason = (e.code !== undefined ? WRITE_ERRORS[e.code] : undefined) ?? e.message;
  return new InputError(`--out ${given}: ${reason}${e.code !== undefined ? ` (${e.code})` : ''}${replaced ? '; nothing was written there' : ''}`);
}

/**
 * Names of the process's own standard output. Opened by name they would fail where stdout is a
 * socket (as under many process supervisors), so they are written as standard output itself.
 */
const STDOUT_ALIASES: ReadonlySet<string> = new Set(['/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']);

/** Decides how to write `given` (`-` for standard output); throws {@link InputError} when it cannot be. */
export function planOut(given: string): OutPlan {
  if (given === '-' || STDOUT_ALIASES.has(given)) return { given, mode: 'stdout', file: given };
  if (given === '') throw new InputError('--out needs a path (or - for standard output)');
  const resolved = path.resolve(given);
  if (/^\/(dev|proc)\//.test(resolved)) return checkDirect(given, resolved);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(resolved);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw outError(given, e);
    if (isLink(resolved)) throw new InputError(`--out ${given}: a symbolic link to a missing file; give the target's path`);
    return checkNewFile(given, resolved);
  }
  if (stat.isDirectory()) throw new InputError(`--out ${given}: is a directory`);
  if (stat.isFIFO() || stat.isCharacterDevice()) return checkDirect(given, resolved);
  if (!stat.isFile()) throw new InputError(`--out ${given}: neither a regular file, a FIFO nor a character device; refused`);
  const file = fs.realpathSync(resolved);
  assertWritable(given, file, 'file');
  assertWritable(given, path.dirname(file), 'folder');
  return { given, mode: 'replace', file };
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function checkNewFile(given: string, resolved: string): OutPlan {
  const dir = path.dirname(resolved);
  if (!fs.existsSync(dir)) throw new InputError(`--out ${given}: folder ${dir} does not exist`);
  assertWritable(given, dir, 'folder');
  return { given, mode: 'replace', file: resolved };
}

function checkDirect(given: string, resolved: string): OutPlan {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch (e) {
    throw outError(given, e);
  }
  if (!(stat.isFIFO() || stat.isCharacterDevice() || stat.isFile())) {
    throw new InputError(`--out ${given}: neither a regular file, a FIFO nor a character device; refused`);
  }
  assertWritable(given, resolved, 'file');
  return { given, mode: 'direct', file: resolved };
}

function assertWritable(given: string, p: string, what: 'file' | 'folder'): void {
  try {
    fs.accessSync(p, fs.constants.W_OK);
  } catch {
    throw new InputError(`--out ${given}: ${what === 'file' ? 'not writable' : `folder ${p} is not writable`}`);
  }
}

/** The temporary file a replacement of `file` is written to, beside it (same file system). */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
}

/**
 * Writes `content` to a planned output at once (reports, figures): replaced atomically, or written
 * directly. Standard output is the caller's (it prints through its Output).
 */
export function writeOutSync(plan: OutPlan, content: string | Uint8Array): void {
  if (plan.mode === 'stdout') throw new Error('assertion failed: the caller prints standard output');
  if (plan.mode === 'direct') {
    try {
      fs.writeFileSync(plan.file, content);
    } catch (e) {
      throw outError(plan.given, e);
    }
    return;
  }
  const temp = tempPathFor(plan.file);
  registerTempFile(temp);
  try {
    fs.writeFileSync(temp, content, { flag: 'wx' });
    fs.renameSync(temp, plan.file);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw outError(plan.given, e, true);
  } finally {
    releaseTempFile(temp);
  }
}
