import { describe, expect, test } from 'vitest';
import { hostThreads } from '../src/scenario/host-shape.js';
import { BUILTIN_SCENARIOS, DEFAULT_SCENARIO_NAME, findBuiltin } from '../src/scenario/builtins.js';
import { listScenarios, loadScenario } from '../src/scenario/load-scenario.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { validateScenario } from '../src/scenario/validate.js';

function builtin(name: string): Scenario {
  const s = findBuiltin(name);
  if (s === undefined) throw new Error(`no built-in ${name}`);
  return s;
}

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

describe('built-in scenarios', () => {
  test('include at least the ones the README lists, with unique names and the default among them', () => {
    const names = BUILTIN_SCENARIOS.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining([
      'p8-to-p9', 'p9-to-p8', 'p9-to-p10', 'same-hardware', 'numa-change', 'x86-tsc', 'lost-ipi', 'hung-cpu', 'e1080-1920',
    ]));
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain(DEFAULT_SCENARIO_NAME);
  });

  test.each(BUILTIN_SCENARIOS.map((s) => [s.name, s] as const))('%s validates, round-trips and is deep-frozen', (_, s) => {
    const again = validateScenario(JSON.parse(JSON.stringify(s)), s.name);
    expect(again).toEqual(s);
    expect(JSON.stringify(again)).toBe(JSON.stringify(s));
    expect(isDeepFrozen(s)).toBe(true);
    expect(s.description).toMatch(/^[^\n]{10,}$/);
  });

  test.each(BUILTIN_SCENARIOS.map((s) => [s.name] as const))('loading %s by name gives the built-in', (name) => {
    expect(loadScenario(name, [])).toEqual(builtin(name));
  });

  test('listScenarios gives name and description of each, in order', () => {
    expect(listScenarios()).toEqual(BUILTIN_SCENARIOS.map((s) => ({ name: s.name, description: s.description })));
  });

  test('p8-to-p9 is the seed example: POWER8 SMT4 scaled PURR -> POWER9 SMT4 unscaled, busy', () => {
    const s = builtin('p8-to-p9');
    expect([s.source.processor, s.source.smt, s.source.purr]).toEqual(['POWER8', 4, 'scaled']);
    expect([s.destination.processor, s.destination.smt, s.destination.purr]).toEqual(['POWER9', 4, 'unscaled']);
    expect(s.guest.utilization).toBe(1);
    expect(s.guest.routines.map((r) => r.name)).toEqual(['acct.purr_to_cputime', 'cpu.feature_fixups', 'numa.distance_table']);
    expect(s.migration.memoryBytes).toBe(1024 ** 3);
    expect(s.faults).toEqual([]);
  });

  test('derived scenarios differ from their base only where stated', () => {
    const base = builtin('p8-to-p9');
    const lost = builtin('lost-ipi');
    expect({ ...lost, name: base.name, description: base.description, faults: [] }).toEqual(base);
    expect(lost.faults).toEqual([{ kind: 'lost-ipi', cpu: 3, msg: 'MSG1', count: 1 }]);
    const hung = builtin('hung-cpu');
    expect(hung.run.durationNs).toBe(3_000_000_000);
    expect(hung.faults).toEqual([{ kind: 'hung-cpu', cpu: 5, after: 'start', atNs: 1_000_000_000, durationNs: -1 }]);
  });

  test('p9-to-p10 changes the PVR but not the PURR mode; same-hardware changes nothing but the name', () => {
    const p10 = builtin('p9-to-p10');
    expect(p10.source.purr).toBe(p10.destination.purr);
    const same = builtin('same-hardware');
    expect({ ...same.destination, name: same.source.name }).toEqual(same.source);
  });

  test('numa-change and x86-tsc', () => {
    const numa = builtin('numa-change');
    expect([numa.source.numa.generation, numa.destination.numa.generation]).toEqual([1, 2]);
    const x86 = builtin('x86-tsc');
    expect(x86.source.purr).toBeNull();
    expect(x86.source.timebaseHz).not.toBe(x86.destination.timebaseHz);
    expect(x86.guest.routines[0]?.name).toBe('time.tsc_to_ns');
    expect(x86.detection.rules[0]).toEqual({ when: 'timebase_hz', routine: 'time.tsc_to_ns' });
  });

  test('e1080-1920 fills 1,920 hardware threads on both hosts', () => {
    const s = builtin('e1080-1920');
    expect(hostThreads(s.source)).toBe(1_920);
    expect(hostThreads(s.destination)).toBe(1_920);
    expect(s.guest.vcpus).toBe(1_920);
    expect(s.destination.numa).toEqual({ nodes: 16, generation: 2 });
  });
});
