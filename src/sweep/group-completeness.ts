/**
 * Whether a sweep group is whole: a group is *incomplete* when fewer of its runs are stored (with
 * their outcome, complete or failed) than its sweep planned — a sweep stopped by a signal, killed,
 * or still going. Groups of files older than schema 10 record no plan and are taken as whole.
 * Readers of groups (`report --group`, `diff --group`) refuse an incomplete group unless the user
 * allows it, and then still say so.
 */
import { InputError } from '../core/errors.js';
import { shellQuote } from './reproduce.js';
import {
  readAllGroupCompleteness, readGroupCompleteness, readGroupOfRuns, type GroupCompleteness,
} from '../trace/sweep-store.js';
import type { TraceDb } from '../trace/trace-db.js';

export type { GroupCompleteness } from '../trace/sweep-store.js';

/** Whether `c` is incomplete: fewer runs stored than planned. */
export function isIncomplete(c: GroupCompleteness): boolean {
  return c.plannedRuns !== null && c.stored < c.plannedRuns;
}

/** The `migpatch sweep --resume` line that completes group `group` of the trace at `dbPath`. */
export function resumeCommand(group: string, dbPath: string): string {
  return ['migpatch', 'sweep', '--resume', group, '--db', dbPath].map(shellQuote).join(' ');
}

/** One line saying how incomplete `c` is and how to complete it. */
export function incompleteNote(c: GroupCompleteness, dbPath: string): string {
  const unfinished = c.unfinished > 0 ? `, ${c.unfinished} interrupted` : '';
  return `sweep group ${c.group} is incomplete: ${c.stored} of ${c.plannedRuns ?? '?'} planned runs stored${unfinished} `
    + `(complete it with: ${resumeCommand(c.group, dbPath)})`;
}

/**
 * The note on group `group` when it is incomplete (null when whole); InputError naming it when it
 * is incomplete and `allowPartial` is false. An unknown group is left to the caller's loader.
 */
export function checkGroupWhole(db: TraceDb, group: string, allowPartial: boolean): string | null {
  const c = readGroupCompleteness(db, group);
  if (c === undefined || !isIncomplete(c)) return null;
  const note = incompleteNote(c, db.path);
  if (!allowPartial) throw new InputError(`${note}; add --allow-partial to use it anyway`);
  return note;
}

/** The incomplete groups of a trace: a note on each, and the group of each of their runs. */
export interface IncompleteGroups {
  readonly notes: readonly string[];
  /** Run id → its incomplete group. */
  readonly groupOfRun: ReadonlyMap<number, string>;
}

/** Files before schema 8 have no sweeps. */
const FIRST_SWEEP_SCHEMA = 8;

/** Every incomplete group of `db` (none in files older than schema 10, which record no plans). */
export function incompleteGroups(db: TraceDb): IncompleteGroups {
  if (db.schemaVersion < FIRST_SWEEP_SCHEMA) return { notes: [], groupOfRun: new Map() };
  const groups = readAllGroupCompleteness(db).filter(isIncomplete);
  return { notes: groups.map((c) => incompleteNote(c, db.path)), groupOfRun: readGroupOfRuns(db, groups.map((c) => c.group)) };
}
