/**
 * Liveness for every protocol: an attempt that neither completes nor aborts within the protocol's
 * bound, or before the run ends, is a liveness violation, whatever the protocol parks. Protocols
 * that park nobody (int3-poke waits for acknowledgements in its initiator) are caught too.
 */
import { describe, expect, test } from 'vitest';
import { recordRun, type RecordedRun } from '../src/app/record-run.js';
import { Ev, Invariant, ViolationDetail } from '../src/format/event-kinds.js';
import { PROTOCOL_NAMES } from '../src/protocol/registry.js';
import { findBuiltin } from '../src/scenario/builtins.js';
import type { FaultSpec, ProtocolName, Scenario } from '../src/scenario/scenario.js';
import { MemorySink } from './fixtures/memory-sink.js';
import { migpatch } from './fixtures/cli.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

/** The vCPU taken offline just after the first attempt began: int3-poke waits for its ACK forever. */
const OFFLINE_AFTER_ATTEMPT: FaultSpec = { kind: 'cpu-offline', cpu: 7, after: 'attempt', atNs: 3_000 };

interface Row { readonly tNs: number; readonly kind: number; readonly cpu: number | null; readonly a: number | null; readonly b: number | null; readonly c: number | null }

function scenarioWith(protocol: ProtocolName, faults: readonly FaultSpec[]): Scenario {
  const s = findBuiltin('p8-to-p9');
  if (s === undefined) throw new Error('no p8-to-p9');
  return { ...s, faults, protocol: { ...s.protocol, name: protocol } };
}

function record(scenario: Scenario, seed: number): { run: RecordedRun; events: Row[] } {
  const sink = new MemorySink();
  const run = recordRun({ scenario, seed, label: null, sink });
  const stored = sink.run(run.runId as number);
  if (stored === undefined) throw new Error('the memory sink lost the run');
  return { run, events: [...stored.events.rows()] as Row[] };
}

const unbounded = (events: readonly Row[]): Row[] =>
  events.filter((e) => e.kind === Ev.VIOLATION && e.a === Invariant.LIVENESS && e.b === ViolationDetail.ATTEMPT_UNBOUNDED);

describe('int3-poke with a vCPU taken offline during its sync round', () => {
  test('the attempt that never ends is a liveness violation on its initiator, at the end of the run', () => {
    const scenario = scenarioWith('int3-poke', [OFFLINE_AFTER_ATTEMPT]);
    const { run, events } = record(scenario, 1);
    const begin = events.find((e) => e.kind === Ev.ATTEMPT_BEGIN);
    expect(begin).toBeDefined();
    expect(events.some((e) => e.kind === Ev.ATTEMPT_END)).toBe(false);
    // The initiator is stuck for most of the run, yet under the bound: the end of the run reports it.
    expect(scenario.run.durationNs - begin!.tNs).toBeLessThan(scenario.protocol.attemptBoundNs);
    const [only, ...more] = unbounded(events);
    expect(more).toEqual([]);
    expect(only).toMatchObject({ tNs: scenario.run.durationNs, cpu: begin!.cpu, c: 1 });
    expect(run.result.attempts.map((a) => a.outcome)).toEqual(['unfinished']);
  });

  test('record exits 3 and counts the violation', () => {
    const dir = tempDir();
    const r = migpatch(['record', '--scenario', 'p8-to-p9', '--protocol', 'int3-poke', '--db', 'x.db', '--json',
      '--set', `faults=${JSON.stringify([OFFLINE_AFTER_ATTEMPT])}`], dir);
    expect(r.stderr).toContain('violated invariants 1 time');
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout) as { violations: number };
    expect(out.violations).toBe(1);
  });
});

/** Faults that can keep an attempt from ending, each alone. */
const STALLS: readonly (readonly [string, FaultSpec])[] = [
  ['offline after attempt', OFFLINE_AFTER_ATTEMPT],
  ['offline later', { kind: 'cpu-offline', cpu: 3, after: 'attempt', atNs: 40_000 }],
  ['hung for good', { kind: 'hung-cpu', cpu: 5, after: 'attempt', atNs: 1_000, durationNs: -1 }],
  ['lost ACK', { kind: 'lost-ipi', cpu: -1, msg: 'ACK', count: 1 }],
  ['lost SYNC', { kind: 'lost-ipi', cpu: -1, msg: 'SYNC', count: 1 }],
  ['lost MSG2', { kind: 'lost-ipi', cpu: -1, msg: 'MSG2', count: 1 }],
];

describe.each(PROTOCOL_NAMES)('protocol %s', (protocol) => {
  test.each(STALLS)('%s: every attempt ends or is reported unbounded, once', (_name, fault) => {
    for (const seed of [1, 2]) {
      const { run, events } = record(scenarioWith(protocol, [fault]), seed);
      const begun = events.filter((e) => e.kind === Ev.ATTEMPT_BEGIN).map((e) => e.a);
      const ended = new Set(events.filter((e) => e.kind === Ev.ATTEMPT_END).map((e) => e.a));
      const reported = unbounded(events).map((e) => e.c);
      expect(begun.length).toBeGreaterThan(0);
      expect(new Set(reported).size).toBe(reported.length);
      for (const attempt of begun) {
        const stuck = !ended.has(attempt);
        // An attempt may also end after its bound was reported; a stuck one is always reported.
        if (stuck) expect(reported, `attempt ${attempt} of seed ${seed}`).toContain(attempt);
      }
      const unfinished = run.result.attempts.filter((a) => a.outcome === 'unfinished').length;
      expect(reported.length).toBeGreaterThanOrEqual(unfinished);
    }
  });
});
