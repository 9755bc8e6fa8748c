/**
 * `replay state` against the live simulator: a run is recorded into a real SQLite file, then a
 * second, live simulation of the same scenario and seed is stopped at many instants (before the
 * migration, during the pause, inside the protocol, after it, on and beside event times and
 * snapshot boundaries) and its own `liveState()` must equal the state folded from the trace, field
 * by field and bit for bit.
 */
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { recordToTrace } from '../src/app/record-to-trace.js';
import { decodeState, encodeState } from '../src/analysis/state-codec.js';
import { liveStateFields, STATE_SNAPSHOT_EVERY, StateFolder } from '../src/analysis/state-folder.js';
import { replayState } from '../src/replay/replay-state.js';
import { readTopology, topologyShape, type RunTopology } from '../src/replay/run-topology.js';
import { foldStateAt } from '../src/replay/state-at.js';
import { BUILTIN_SCENARIOS } from '../src/scenario/builtins.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { EventLog } from '../src/sim/event-log.js';
import { ColumnBatch } from '../src/format/column-batch.js';
import { Ev } from '../src/format/event-kinds.js';
import { Simulation } from '../src/sim/simulator.js';
import { openTraceDb, type TraceDb } from '../src/trace/trace-db.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

interface Recorded {
  readonly db: TraceDb;
  readonly runId: number;
  readonly scenario: Scenario;
  readonly seed: number;
  readonly topology: RunTopology;
}

async function record(scenario: string, sets: string[] = [], swarmSeed?: number): Promise<Recorded> {
  const dbPath = path.join(tempDir(), 'trace.db');
  const swarm = swarmSeed !== undefined;
  const out = await recordToTrace({ scenario, seed: swarmSeed ?? 1, protocol: null, sets, label: null, dbPath, swarm });
  const db = await openTraceDb(dbPath, 'read');
  const runId = out.runId as number;
  return { db, runId, scenario: out.scenario, seed: swarmSeed ?? 1, topology: await readTopology(db, runId) };
}

const times = (r: Recorded, kinds: readonly number[]): number[] =>
  r.db.sqlite.prepare(`select t_ns from events where run_id = ? and kind in (${kinds.join(',')}) order by seq`)
    .pluck().all(r.runId) as number[];

/**
 * Instants worth stopping at: before the migration, in the pause, on and around every protocol,
 * patch and migration event, at every snapshot and evenly spread over the run, sorted.
 */
function instantsOf(r: Recorded): number[] {
  const d = r.scenario.run.durationNs;
  const [pause] = times(r, [Ev.MIG_PAUSE]);
  const [resume] = times(r, [Ev.MIG_RESUME]);
  expect(pause).toBeDefined();
  expect(resume).toBeDefined();
  const marks = times(r, [Ev.MIG_BEGIN, Ev.MIG_PAUSE, Ev.MIG_RESUME, Ev.DETECT, Ev.PHASE, Ev.ATTEMPT_BEGIN,
    Ev.ATTEMPT_END, Ev.PATCH_BEGIN, Ev.PATCH_END, Ev.SYNC, Ev.ACK_TIMEOUT, Ev.FAULT]);
  const snapshots = r.db.sqlite.prepare('select t_ns from state_snapshots where run_id = ?').pluck().all(r.runId) as number[];
  const all = [
    0, 1, Math.floor(r.scenario.migration.startNs / 2), Math.floor(((pause as number) + (resume as number)) / 2),
    ...[...marks, ...snapshots].flatMap((t) => [t - 1, t, t + 1]),
    ...Array.from({ length: 16 }, (_, i) => Math.floor((d * (i + 1)) / 17)),
    d - 1, d, d + 1_000,
  ];
  return [...new Set(all.filter((t) => t >= 0))].sort((a, b) => a - b);
}

/** Stops a live simulation at each instant and compares with the trace; returns how many were compared. */
function compareWithLive(r: Recorded, instants: readonly number[]): number {
  const sim = new Simulation(r.scenario, r.seed, new EventLog(null, []));
  for (const t of instants) {
    sim.runUntil(t);
    const { tNs: _clock, ...live } = sim.liveState();
    const replayed = liveStateFields(foldStateAt(r.db, r.runId, r.topology, t).state);
    // Field by field, so a failure names the field and the instant.
    for (const key of Object.keys(live) as (keyof typeof live)[]) {
      expect(replayed[key], `${key} at ${t} ns`).toEqual(live[key]);
    }
  }
  return instants.length;
}

describe.each(['p8-to-p9', 'hung-cpu', 'lost-ipi'])('%s: the state from the trace is the live simulator\'s', (name) => {
  let r: Recorded;
  beforeAll(async () => {
    r = await record(name);
  });

  test('at every instant, before, during and after the migration and the protocol', () => {
    const instants = instantsOf(r);
    expect(instants.length).toBeGreaterThan(40);
    expect(compareWithLive(r, instants)).toBe(instants.length);
  });

  test('the protocol is seen in its phases: in WAIT mid-protocol, and the phase sequence matches the scenario', () => {
    const phases = times(r, [Ev.PHASE]);
    expect(phases.length).toBeGreaterThan(0);
    const mid = foldStateAt(r.db, r.runId, r.topology, phases[0] as number).state;
    expect(liveStateFields(mid).protocolPhase).toBe('rendezvous');
    const end = liveStateFields(foldStateAt(r.db, r.runId, r.topology, r.scenario.run.durationNs).state);
    expect(end.protocolPhase).toBe(name === 'hung-cpu' ? 'gave-up' : 'done');
  });
});

describe('every other built-in scenario: the state from the trace is the live simulator\'s', () => {
  // Guards the contract between the simulator (and each protocol and fault) and the fold: any
  // state change that leaves no event, or an event the fold misreads, shows up here.
  const others = BUILTIN_SCENARIOS.map((x) => x.name)
    .filter((n) => !['p8-to-p9', 'hung-cpu', 'lost-ipi', 'e1080-1920'].includes(n));
  test.each(others)('%s', async (name) => {
    const r = await record(name);
    const instants = instantsOf(r);
    expect(compareWithLive(r, instants)).toBe(instants.length);
    r.db.close();
  });
});

describe('every protocol, and swarms of faults: the state from the trace is the live simulator\'s', () => {
  test.each(['stop-machine', 'int3-poke', 'last-arrival', 'no-quiesce'])('%s on lost-ipi', async (protocol) => {
    const r = await record('lost-ipi', [`protocol.name=${protocol}`]);
    const instants = instantsOf(r);
    expect(compareWithLive(r, instants)).toBe(instants.length);
    r.db.close();
  });

  // Offline vCPUs, second migrations, hangs of the initiator: every fault's state changes leave events.
  test.each([3, 8, 21, 34])('broadcast-ack with a swarm of faults, seed %i', async (seed) => {
    const r = await record('p8-to-p9', [], seed);
    const instants = instantsOf(r);
    expect(compareWithLive(r, instants)).toBe(instants.length);
    r.db.close();
  });
});

describe('snapshots: a run long enough to have them', () => {
  let r: Recorded;
  beforeAll(async () => {
    r = await record('p8-to-p9', ['run.durationNs=30000000000']);
  });

  test('are kept every STATE_SNAPSHOT_EVERY events, each equal to the fold of the events before it', () => {
    const count = r.db.sqlite.prepare('select event_count from runs where run_id = ?').pluck().get(r.runId) as number;
    const rows = r.db.sqlite.prepare('select seq, t_ns as tNs, data from state_snapshots where run_id = ? order by seq')
      .all(r.runId) as { seq: number; tNs: number; data: Uint8Array }[];
    expect(rows.map((s) => s.seq)).toEqual(Array.from({ length: Math.floor(count / STATE_SNAPSHOT_EVERY) }, (_, i) => (i + 1) * STATE_SNAPSHOT_EVERY));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const shape = topologyShape(r.topology);
    const sizes = { vcpus: shape.vcpus, processes: shape.processes, routines: shape.bootVariants.length };
    for (const s of rows) {
      const lastT = r.db.sqlite.prepare('select t_ns from events where run_id = ? and seq = ?').pluck().get(r.runId, s.seq - 1);
      expect(s.tNs).toBe(lastT);
      // Fold from the first event to the same point, without snapshots.
      const folder = new StateFolder(shape);
      const evs = r.db.sqlite.prepare('select t_ns, kind, cpu, a, b, c from events where run_id = ? and seq < ? order by seq')
        .raw(true).iterate(r.runId, s.seq) as IterableIterator<(number | null)[]>;
      const batch = new ColumnBatch(s.seq);
      for (const e of evs) batch.push(e[0] as number, e[1] as number, e[2] ?? NaN, e[3] ?? NaN, e[4] ?? NaN, e[5] ?? NaN);
      folder.observe(batch);
      const decoded = decodeState(s.data, sizes);
      expect(decoded).not.toBeNull();
      expect(liveStateFields(decoded!)).toEqual(liveStateFields(folder.state()));
    }
  });

  test('replay state starts from the nearest snapshot and still equals the live simulator', async () => {
    const snaps = r.db.sqlite.prepare('select seq, t_ns from state_snapshots where run_id = ? order by seq').raw(true).all(r.runId) as [number, number][];
    const [seq, t] = snaps[1]!;
    const at = foldStateAt(r.db, r.runId, r.topology, t);
    expect(at.snapshotSeq).toBe(seq);
    expect(at.eventsFolded).toBeLessThanOrEqual(STATE_SNAPSHOT_EVERY);
    const before = foldStateAt(r.db, r.runId, r.topology, t - 1);
    expect(before.snapshotSeq).toBe(snaps[0]![0]);
    expect(compareWithLive(r, instantsOf(r))).toBeGreaterThan(40);
    const shown = await replayState(r.db, { run: String(r.runId), atNs: t, partial: false });
    expect(shown.snapshotSeq).toBe(seq);
    expect(shown.eventCount).toBeGreaterThanOrEqual(seq);
  });
});

describe('replay state names what it shows', () => {
  test('p8-to-p9 mid-patch: WAITing targets, the patching initiator, the host, routines and processes', async () => {
    const r = await record('p8-to-p9');
    const [patchBegin] = times(r, [Ev.PATCH_BEGIN]);
    const s = await replayState(r.db, { run: 'last', atNs: patchBegin as number, partial: false });
    expect(s.protocol).toEqual({ phase: 'patching', attempt: 1 });
    expect(s.host).toMatchObject({ hostId: 1, role: 'destination', processor: 'POWER9' });
    expect(s.vcpus.filter((v) => v.state === 'wait')).toHaveLength(15);
    expect(s.vcpus.filter((v) => v.state === 'patching')).toHaveLength(1);
    expect(s.routines.find((x) => x.routine === 'acct.purr_to_cputime')).toMatchObject({ variant: 'scaled-direct', boot: true });
    const after = await replayState(r.db, { run: 'last', atNs: r.scenario.run.durationNs, partial: false });
    expect(after.routines.find((x) => x.routine === 'acct.purr_to_cputime')).toMatchObject({ variant: 'unscaled-divide', boot: false });
    expect(after.processes).toHaveLength(32);
    expect(after.processes.every((p) => p.truthNs > 0 && p.chargedNs > 0)).toBe(true);
    const before = await replayState(r.db, { run: 'last', atNs: 0, partial: false });
    expect(before.host.role).toBe('source');
    expect(before.protocol).toEqual({ phase: 'idle', attempt: 0 });
  });
});

describe('state codec', () => {
  test('round-trips every value exactly, and refuses another shape', () => {
    const s = {
      host: 1, phase: 3, attempt: 7,
      cpuState: Int8Array.of(0, 4, 9), cpuPid: Int32Array.of(-1, 5, 2_000_000),
      installedVariant: Int32Array.of(1, 3),
      truthNs: Float64Array.of(0.1 + 0.2, 1e300, 5e-324), chargedNs: Float64Array.of(-1.5, 0, Number.MAX_SAFE_INTEGER),
    };
    const bytes = encodeState(s);
    const back = decodeState(bytes, { vcpus: 3, processes: 3, routines: 2 });
    expect(back).toEqual(s);
    expect(decodeState(bytes, { vcpus: 3, processes: 2, routines: 2 })).toBeNull();
    expect(decodeState(bytes.subarray(1), { vcpus: 3, processes: 3, routines: 2 })).toBeNull();
  });
});
