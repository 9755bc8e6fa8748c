/**
 * Shared by the commands that read traces: open the database read-only for one command, and write
 * an output file (`--out`) or stdout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../core/errors.js';
import { openTraceDb, resolveDbPath, type TraceDb } from '../trace/trace-db.js';

/** Opens the trace read-only for the duration of `fn`; reading commands never modify the file. */
export async function withTrace<T>(dbOption: string | undefined, fn: (db: TraceDb) => Promise<T> | T): Promise<T> {
  const db = await openTraceDb(resolveDbPath(dbOption), 'read');
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/**
 * Checks that `file` can be written (its folder exists and is writable, it is not a folder) before
 * any work is done, so an unwritable `--out` fails at once with exit 2 and nothing written.
 */
export function checkWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory()) throw new InputError(`--out ${file}: is a directory`);
  try {
    fs.accessSync(stat === undefined ? dir : file, fs.constants.W_OK);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `folder ${dir} does not exist` : 'not writable';
    throw new InputError(`--out ${file}: ${reason}`);
  }
}

/** Writes `content` to `file`, or returns false when `file` is undefined (the caller prints it). */
export function writeOutFile(file: string | undefined, content: string | Uint8Array): boolean {
  if (file === undefined) return false;
  try {
    fs.writeFileSync(file, content);
  } catch (e) {
    throw new InputError(`--out ${file}: ${(e as Error).message}`);
  }
  return true;
}
