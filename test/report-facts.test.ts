/**
 * The facts a report reads through src/trace/read-report.ts equal what the run's own events say:
 * violations (read by name from ev_violation and encoded back by the codec) describe exactly the
 * first stored violation events, and the migration's begin, rounds, pause and resume are those of
 * its events.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { recordToTrace } from '../src/app/record-to-trace.js';
import { decodeEvent } from '../src/format/event-codec.js';
import { Ev } from '../src/format/event-kinds.js';
import { describeEvent } from '../src/query/describe-event.js';
import { loadRunFacts, MAX_VIOLATIONS_SHOWN } from '../src/report/run-facts.js';
import { batchRow, type StoredEventRow } from '../src/format/event-row.js';
import { readEventBatches } from '../src/trace/runs.js';
import { openTraceDb, type TraceDb } from '../src/trace/trace-db.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

/** Every stored event of a run, as rows. */
function storedRows(db: TraceDb, runId: number): StoredEventRow[] {
  const rows: StoredEventRow[] = [];
  for (const batch of readEventBatches(db, runId)) for (let i = 0; i < batch.count; i++) rows.push(batchRow(batch, i));
  return rows;
}

async function recorded(scenario: string): Promise<{ file: string; runId: number }> {
  const file = path.join(tempDir(), 'trace.db');
  const out = await recordToTrace({ scenario, seed: 3, protocol: null, sets: [], label: null, dbPath: file });
  return { file, runId: out.runId as number };
}

describe('run facts', () => {
  test('violations are the first stored violation events, described', async () => {
    const { file, runId } = await recorded('no-quiesce');
    const db = await openTraceDb(file, 'read');
    try {
      const stored = storedRows(db, runId).filter((e) => e.kind === Ev.VIOLATION);
      expect(stored.length).toBeGreaterThan(0);
      const facts = loadRunFacts(db, runId);
      expect(facts.violations).toEqual(stored.slice(0, MAX_VIOLATIONS_SHOWN).map(describeEvent));
      expect(facts.violations[0]?.text).toMatch(/^violation cpu=\d+ invariant=safety /);
    } finally {
      db.close();
    }
  });

  test('the migration is that of the events', async () => {
    const { file, runId } = await recorded('p8-to-p9');
    const db = await openTraceDb(file, 'read');
    try {
      const events = storedRows(db, runId).map(decodeEvent);
      const facts = loadRunFacts(db, runId);
      const m = facts.migration;
      expect(m).not.toBeNull();
      const begin = events.find((e) => e.kind === 'mig_begin');
      const rounds = events.filter((e) => e.kind === 'mig_round');
      const pause = events.find((e) => e.kind === 'mig_pause');
      const resume = events.find((e) => e.kind === 'mig_resume');
      expect(m?.beginNs).toBe(begin?.tNs);
      expect(m?.memoryBytes).toBe(begin?.kind === 'mig_begin' ? begin.memoryBytes : undefined);
      expect(m?.rounds.map((r) => [r.round, r.tNs])).toEqual(rounds.map((r) => [r.kind === 'mig_round' ? r.round : -1, r.tNs]));
      expect(rounds.length).toBeGreaterThan(0);
      expect(m?.pauseNs).toBe(pause?.tNs);
      expect(m?.resumeNs).toBe(resume?.tNs);
      expect(m?.downtimeNs).toBe((resume?.tNs ?? 0) - (pause?.tNs ?? 0));
    } finally {
      db.close();
    }
  });
});
