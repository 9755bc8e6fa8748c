/**
 * The guest is work-conserving: no vCPU stays idle while a runnable process waits (longer than
 * one wake-up latency), through migration pauses and hangs; and a process that becomes runnable
 * goes to an idle core before an SMT sibling of a busy one. Everything is read back from the
 * events a real run records.
 */
import { fc, test as propTest } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { recordRun } from '../src/app/record-run.js';
import { CpuState, Ev } from '../src/format/event-kinds.js';
import { coreOf } from '../src/model/topology.js';
import { findBuiltin } from '../src/scenario/builtins.js';
import type { FaultSpec, Scenario } from '../src/scenario/scenario.js';
import { validateScenario } from '../src/scenario/validate.js';
import { EventLog } from '../src/sim/event-log.js';
import { Simulation } from '../src/sim/simulator.js';
import { MemorySink } from './fixtures/memory-sink.js';

/**
 * How long a runnable process may wait while a vCPU idles: the model wakes an idle vCPU for a
 * runnable process at once (it has no wake-up cost yet), so the bound is zero.
 */
const WAKE_UP_LATENCY_NS = 0;

interface Row { readonly tNs: number; readonly kind: number; readonly cpu: number | null; readonly a: number | null; readonly b: number | null }

function events(scenario: Scenario, seed: number): Row[] {
  const sink = new MemorySink();
  const run = recordRun({ scenario, seed, label: null, sink });
  const stored = sink.run(run.runId as number);
  if (stored === undefined) throw new Error('the memory sink lost the run');
  return [...stored.events.rows()] as Row[];
}

/**
 * Each stretch of time during which some vCPU is idle while some runnable process waits, as
 * [start, length]. Processes start runnable, vCPUs idle; a process waits from its wake-up (or its
 * preemption, or its vCPU going offline) until it is switched in.
 */
function idleWhileWaiting(rows: readonly Row[], vcpus: number, processes: number, endNs: number): [number, number][] {
  const WAITING = 0, ON_CPU = 1, SLEEPING = 2;
  const proc = new Array<number>(processes).fill(WAITING);
  const cpu = new Array<number>(vcpus).fill(CpuState.IDLE);
  let waiting = processes;
  let idle = vcpus;
  let since = -1;
  const stretches: [number, number][] = [];
  const setProc = (pid: number, next: number): void => {
    waiting += (next === WAITING ? 1 : 0) - (proc[pid] === WAITING ? 1 : 0);
    proc[pid] = next;
  };
  for (const e of rows) {
    if (e.kind === Ev.PROC_SLEEP) setProc(e.a as number, SLEEPING);
    else if (e.kind === Ev.PROC_WAKE) setProc(e.a as number, WAITING);
    else if (e.kind === Ev.SCHED_SWITCH) {
      if (e.a !== null && proc[e.a] === ON_CPU) setProc(e.a, WAITING); // preempted, or its vCPU went offline
      if (e.b !== null) setProc(e.b, ON_CPU);
    } else if (e.kind === Ev.CPU_STATE) {
      const c = e.cpu as number;
      idle += (e.a === CpuState.IDLE ? 1 : 0) - (cpu[c] === CpuState.IDLE ? 1 : 0);
      cpu[c] = e.a as number;
    } else continue;
    const bad = waiting > 0 && idle > 0;
    if (bad && since < 0) since = e.tNs;
    if (!bad && since >= 0) {
      stretches.push([since, e.tNs - since]);
      since = -1;
    }
  }
  if (since >= 0) stretches.push([since, endNs - since]);
  return stretches;
}

const BASES = ['p8-to-p9', 'p9-to-p8', 'same-hardware', 'x86-tsc'] as const;

/** A random scenario: partial load, a migration, maybe a hang that recovers or a second migration. */
const scenarios = fc.record({
  base: fc.constantFrom(...BASES),
  vcpus: fc.integer({ min: 2, max: 24 }),
  processes: fc.integer({ min: 1, max: 40 }),
  utilization: fc.constantFrom(0.1, 0.3, 0.5, 0.8, 1),
  hang: fc.option(fc.record({ cpu: fc.nat(), atNs: fc.integer({ min: 0, max: 1_200_000_000 }), durationNs: fc.integer({ min: 1_000, max: 200_000_000 }) })),
  secondMigrationAtNs: fc.option(fc.integer({ min: 0, max: 300_000_000 })),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
}).map((r) => {
  const base = findBuiltin(r.base)!;
  const faults: FaultSpec[] = [];
  if (r.hang !== null) faults.push({ kind: 'hung-cpu', cpu: r.hang.cpu % r.vcpus, after: 'start', atNs: r.hang.atNs, durationNs: r.hang.durationNs });
  if (r.secondMigrationAtNs !== null) faults.push({ kind: 'second-migration', after: 'resume', atNs: r.secondMigrationAtNs, downtimeNs: 20_000_000 });
  const scenario = validateScenario({
    ...base, guest: { ...base.guest, vcpus: r.vcpus, processes: r.processes, utilization: r.utilization },
    run: { ...base.run, durationNs: 1_500_000_000 }, faults,
  }, 'generated');
  return { scenario, seed: r.seed };
});

describe('a work-conserving guest', () => {
  propTest.prop([scenarios], { numRuns: 20, seed: 8 })(
    'no vCPU idles while a runnable process waits longer than one wake-up latency',
    ({ scenario, seed }) => {
      const rows = events(scenario, seed);
      const stretches = idleWhileWaiting(rows, scenario.guest.vcpus, scenario.guest.processes, scenario.run.durationNs);
      const tooLong = stretches.filter(([, lengthNs]) => lengthNs > WAKE_UP_LATENCY_NS);
      expect(tooLong).toEqual([]);
    },
  );

  test('the repro: same-hardware at half load, 16 processes: every vCPU runs after the pause', () => {
    const base = findBuiltin('same-hardware')!;
    const scenario = validateScenario({ ...base, guest: { ...base.guest, utilization: 0.5, processes: 16 } }, 'repro');
    const rows = events(scenario, 1);
    const resumeNs = rows.find((e) => e.kind === Ev.MIG_RESUME)!.tNs;
    const ranAfter = new Set(rows.filter((e) => e.kind === Ev.CPU_STATE && e.a === CpuState.RUNNING && e.tNs > resumeNs).map((e) => e.cpu));
    expect(ranAfter.size).toBe(16);
    expect(idleWhileWaiting(rows, 16, 16, scenario.run.durationNs).filter(([, n]) => n > WAKE_UP_LATENCY_NS)).toEqual([]);
  });
});

describe('placement: an idle core before an SMT sibling of a busy one', () => {
  test.each([[2, 8], [4, 8], [8, 8], [4, 4]])('SMT%i, %i always-busy processes on 16 vCPUs spread over the cores', (smt, processes) => {
    const base = findBuiltin('same-hardware')!;
    const scenario = validateScenario({
      ...base,
      source: { ...base.source, smt }, destination: { ...base.destination, smt },
      guest: { ...base.guest, vcpus: 16, processes, utilization: 1 },
      migration: { ...base.migration, enabled: false },
    }, 'placement');
    const sim = new Simulation(scenario, 1, new EventLog(null, []));
    sim.runUntil(50_000_000);
    const perCore = new Map<number, number>();
    sim.liveState().cpuPid.forEach((pid, cpu) => {
      if (pid >= 0) perCore.set(coreOf(cpu, smt), (perCore.get(coreOf(cpu, smt)) ?? 0) + 1);
    });
    const cores = 16 / smt;
    // As even as it gets: every core has floor or ceil of processes / cores.
    expect([...perCore.values()].reduce((a, b) => a + b, 0)).toBe(processes);
    expect(perCore.size).toBe(Math.min(cores, processes));
    for (const n of perCore.values()) {
      expect(n).toBeGreaterThanOrEqual(Math.floor(processes / cores));
      expect(n).toBeLessThanOrEqual(Math.ceil(processes / cores));
    }
  });
});
