/**
 * Replay on the largest built-in, e1080-1920 (1,920 vCPUs, 2,000 processes), shortened to 3.5 s of
 * simulated time to keep the suite fast while still spanning the migration, the protocol and many
 * state snapshots: it verifies, and its state from snapshots equals the live simulator's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordToTrace } from '../src/app/record-to-trace.js';
import { liveStateFields } from '../src/analysis/state-folder.js';
import { readTopology } from '../src/replay/run-topology.js';
import { foldStateAt } from '../src/replay/state-at.js';
import { openTimeline } from '../src/replay/timeline.js';
import { verifyRun } from '../src/replay/verify.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { EventLog } from '../src/sim/event-log.js';
import { Ev } from '../src/format/event-kinds.js';
import { Simulation } from '../src/sim/simulator.js';
import { openTraceDb, type TraceDb } from '../src/trace/trace-db.js';

describe('e1080-1920, 3.5 s', () => {
  let dir: string;
  let db: TraceDb;
  let scenario: Scenario;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-e1080-'));
    const dbPath = path.join(dir, 'trace.db');
    const out = await recordToTrace({ scenario: 'e1080-1920', seed: 1, protocol: null, sets: ['run.durationNs=3500000000'], label: null, dbPath });
    scenario = out.scenario;
    db = await openTraceDb(dbPath, 'read');
  });
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('verifies', async () => {
    const report = await verifyRun(db, { run: '1', force: false });
    expect(report.verdict).toMatch(/^identical/);
    expect(report.events.replayed).toBeGreaterThan(500_000);
  });

  test('its state from the nearest snapshot equals the live simulator inside the protocol and around it', async () => {
    const topology = await readTopology(db, 1);
    const t = (kind: number): number[] => db.sqlite.prepare('select t_ns from events where run_id = 1 and kind = ? order by seq').pluck().all(kind) as number[];
    const [pause] = t(Ev.MIG_PAUSE);
    const phases = t(Ev.PHASE);
    const [patch] = t(Ev.PATCH_BEGIN);
    expect(phases.length).toBeGreaterThanOrEqual(4);
    const instants = [Math.floor((pause as number) / 2), pause as number, ...phases, (patch as number) + 1, 3_400_000_000]
      .sort((a, b) => a - b);
    const sim = new Simulation(scenario, 1, new EventLog(null, []));
    let fromSnapshots = 0;
    for (const at of instants) {
      sim.runUntil(at);
      const { tNs: _clock, ...live } = sim.liveState();
      const folded = foldStateAt(db, 1, topology, at);
      if (folded.snapshotSeq !== null) fromSnapshots++;
      expect(folded.eventsFolded).toBeLessThanOrEqual(65_536);
      const replayed = liveStateFields(folded.state);
      for (const key of Object.keys(live) as (keyof typeof live)[]) expect(replayed[key], `${key} at ${at} ns`).toEqual(live[key]);
    }
    expect(fromSnapshots).toBe(instants.length);
    // Mid-protocol, every target is parked.
    const waiting = liveStateFields(foldStateAt(db, 1, topology, (patch as number) + 1).state).cpuState.filter((s) => s === 4);
    expect(waiting).toHaveLength(1_919);
  });

  test('the timeline finds a rare kind across the whole run through the sparse index', async () => {
    const timeline = await openTimeline(db, { run: '1', kind: 'phase', partial: false });
    const entries = [...timeline.entries];
    expect(entries.map((e) => e.args['phase'])).toEqual(['rendezvous', 'patching', 'releasing', 'done']);
    const ipis = [...(await openTimeline(db, { run: '1', kind: 'ipi_send', fromNs: 1_000_000_000, partial: false })).entries];
    const expected = db.sqlite.prepare(`select seq from events where run_id = 1 and kind = ${Ev.IPI_SEND} and t_ns >= 1000000000 order by seq`)
      .pluck().all();
    expect(ipis.map((e) => e.seq)).toEqual(expected);
    expect(ipis).toHaveLength(3 * 1_919); // MSG1, ACK and MSG2 for each target
  });
});
