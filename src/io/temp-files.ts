/**
 * Temporary files this process has open beside their destination (`.NAME.PID.tmp`), so an
 * interrupted command (SIGINT, SIGTERM, a failed write) can remove them all before it exits and
 * never leaves a hidden half-written file behind.
 */
import fs from 'node:fs';

/** Most temporary files one command holds at once: a report and its figures. */
const MAX_TEMP_FILES = 64;

const live = new Set<string>();

/** Remembers `file` as a temporary file to remove if the command is interrupted. */
export function registerTempFile(file: string): void {
  if (live.size >= MAX_TEMP_FILES) throw new Error(`assertion failed: more than ${MAX_TEMP_FILES} temporary files`);
  live.add(file);
}

/** Forgets `file` (renamed into place, or removed). */
export function releaseTempFile(file: string): void {
  live.delete(file);
}

/** Removes every registered temporary file; returns how many were removed. Never throws. */
export function removeTempFiles(): number {
  let removed = 0;
  for (const file of live) {
    try {
      fs.rmSync(file, { force: true });
      removed++;
    } catch {
      // Best effort: the process is exiting; a file that cannot be removed is reported by nobody.
    }
  }
  live.clear();
  return removed;
}
