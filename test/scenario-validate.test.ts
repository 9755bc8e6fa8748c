import { describe, expect, test } from 'vitest';
import { InputError } from '../src/core/errors.js';
import type { Scenario } from '../src/scenario/scenario.js';
import { findBuiltin } from '../src/scenario/builtins.js';
import { scenarioFieldDocs } from '../src/scenario/field-docs.js';
import { validateScenario } from '../src/scenario/validate.js';

/** A scenario whose every level can be edited, to build broken ones from a built-in. */
type DeepMutable<T> = T extends readonly (infer E)[]
  ? DeepMutable<E>[]
  : T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;
type Json = DeepMutable<Scenario>;

/** A mutable copy of a built-in as plain JSON. */
function raw(name = 'p8-to-p9'): Json {
  return JSON.parse(JSON.stringify(findBuiltin(name))) as Json;
}

/** A deliberately ill-typed value, where a test feeds validation what the types forbid. */
function bad<T>(value: unknown): T {
  return value as T;
}

/** Removes a key the type says is always there. */
function drop(target: object, key: string): void {
  Reflect.deleteProperty(target, key);
}

/** Adds a key the type does not have. */
function add(target: object, key: string, value: unknown): void {
  Object.assign(target, { [key]: value });
}

/** The fault at `i`, whatever its kind, for editing its common fields. */
function fault(s: Json, i = 0): { cpu: number; atNs?: number } {
  const f = s.faults[i];
  if (f === undefined || !('cpu' in f)) throw new Error(`no fault with a vCPU at ${i}`);
  return f;
}

/** The InputError message validation gives for the built-in after `edit`. */
function errorAfter(edit: (s: Json) => void, name = 'p8-to-p9'): string {
  const s = raw(name);
  edit(s);
  try {
    validateScenario(s, 'my.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const message = (error as InputError).message;
    expect(message).not.toContain('\n');
    expect((error as InputError).exitCode).toBe(2);
    return message;
  }
  throw new Error('expected an InputError');
}

describe('validateScenario: field checks', () => {
  const cases: [string, (s: Json) => void, string][] = [
    ['below min', (s) => { s.guest.vcpus = 0; }, 'scenario my.json: guest.vcpus must be an integer >= 1, got 0'],
    ['above max', (s) => { s.guest.vcpus = 20_000; }, 'guest.vcpus must be an integer <= 16384, got 20000'],
    ['non-integer', (s) => { s.guest.hz = 99.5; }, 'guest.hz must be an integer in [1, 10000], got 99.5'],
    ['wrong type', (s) => { s.guest.processes = bad('32'); },
      'guest.processes must be an integer in [1, 100000], got "32"'],
    ['unknown key', (s) => { add(s.guest, 'vcpu', 4); },
      'scenario my.json: unknown key guest.vcpu (did you mean guest.vcpus?)'],
    ['unknown top key', (s) => { add(s, 'extends', 'p8-to-p9'); }, 'unknown key extends'],
    ['missing key', (s) => { drop(s.migration, 'maxRounds'); }, 'missing key migration.maxRounds'],
    ['missing section', (s) => { drop(s, 'protocol'); }, 'missing key protocol'],
    ['not an object', (s) => { s.guest = bad([1]); }, 'guest must be an object, got an array [1]'],
    ['bad enum', (s) => { s.source.processor = bad('POWER11'); },
      'source.processor must be one of "POWER8", "POWER9", "POWER10", "x86-icelake", "x86-sapphirerapids", got "POWER11" (did you mean "POWER10"?)'],
    ['bad scope', (s) => { s.protocol.broadcastAck.resendScope = bad('every'); },
      'protocol.broadcastAck.resendScope must be one of "per-cpu", "all"'],
    ['bool', (s) => { s.migration.enabled = bad('yes'); }, 'migration.enabled must be true or false, got "yes"'],
    ['utilization 0', (s) => { s.guest.utilization = 0; }, 'guest.utilization must be a number > 0, got 0'],
    ['utilization > 1', (s) => { s.guest.utilization = 1.5; }, 'guest.utilization must be a number <= 1, got 1.5'],
    ['bandwidth 0', (s) => { s.migration.bandwidthBytesPerSec = 0; },
      'migration.bandwidthBytesPerSec must be an integer >= 1, got 0'],
    ['memory 0', (s) => { s.migration.memoryBytes = 0; }, 'migration.memoryBytes must be an integer >= 1, got 0'],
    ['page 0', (s) => { s.migration.pageBytes = 0; }, 'migration.pageBytes must be an integer >= 1, got 0'],
    ['page not power of two', (s) => { s.migration.pageBytes = 65_000; },
      'migration.pageBytes must be a power of two, got 65000'],
    ['negative median', (s) => { s.source.latency.ipi.medianNs = -1; },
      'source.latency.ipi.medianNs must be an integer >= 0, got -1'],
    ['p99 < median', (s) => { s.guest.irqOff.duration.p99Ns = 10; },
      'guest.irqOff.duration.p99Ns must be >= medianNs (20000), got 10'],
    ['p99 < median in detection', (s) => { s.detection.notification.latency = { medianNs: 5, p99Ns: 4 }; },
      'detection.notification.latency.p99Ns must be >= medianNs (5), got 4'],
    ['routine name pattern', (s) => { s.guest.routines[1]!.name = 'Cpu.Fixups'; }, 'guest.routines.1.name must be a dotted name of lower-case letters'],
    ['duplicate routine', (s) => { s.guest.routines[2]!.name = 'cpu.feature_fixups'; },
      'guest.routines.2.name "cpu.feature_fixups" is a duplicate of guest.routines.1.name'],
    ['too many routines', (s) => { s.guest.routines = Array.from({ length: 257 }, (_, i) => ({ ...s.guest.routines[0]!, name: `r${i}` })); },
      'guest.routines must have at most 256 elements, got 257'],
    ['too many faults', (s) => { s.faults = Array.from({ length: 1025 }, () => ({ kind: 'lost-ipi', cpu: 1, msg: 'ACK', count: 1 })); },
      'faults must have at most 1024 elements'],
    ['duration bound', (s) => { s.run.durationNs = 3_600_000_000_001; },
      'run.durationNs must be an integer <= 3600000000000'],
    ['processes bound', (s) => { s.guest.processes = 100_001; }, 'guest.processes must be an integer <= 100000'],
    ['hz bound', (s) => { s.guest.hz = 10_001; }, 'guest.hz must be an integer <= 10000'],
    ['rounds bound', (s) => { s.migration.maxRounds = 1_001; }, 'migration.maxRounds must be an integer <= 1000'],
    ['fault kind', (s) => { s.faults = [bad({ kind: 'lost-ip', cpu: 1, msg: 'MSG1', count: 1 })]; },
      'faults.0.kind must be one of "lost-ipi", "hung-cpu", "delayed-ipi", "irq-off", "cpu-offline", "second-migration", "lost-notification", got "lost-ip" (did you mean "lost-ipi"?)'],
    ['fault missing kind', (s) => { s.faults = [bad({ cpu: 1 })]; }, 'missing key faults.0.kind'],
    ['fault field of other variant', (s) => { s.faults = [bad({ kind: 'lost-ipi', cpu: 1, msg: 'MSG1', count: 1, atNs: 5 })]; },
      'unknown key faults.0.atNs'],
    ['hung duration 0', (s) => { s.faults = [{ kind: 'hung-cpu', cpu: 1, after: 'start', atNs: 5, durationNs: 0 }]; },
      'faults.0.durationNs must be -1 (forever) or > 0, got 0'],
    ['hung duration -2', (s) => { s.faults = [{ kind: 'hung-cpu', cpu: 1, after: 'start', atNs: 5, durationNs: -2 }]; },
      'faults.0.durationNs must be an integer >= -1, got -2'],
    ['lost-ipi cpu -2', (s) => { s.faults = [{ kind: 'lost-ipi', cpu: -2, msg: 'MSG1', count: 1 }]; },
      'faults.0.cpu must be an integer >= -1, got -2'],
    ['root not an object', (s) => { for (const k of Object.keys(s)) drop(s, k); }, 'missing key name'],
    ['purr wrong', (s) => { s.source.purr = bad('half'); },
      'source.purr must be one of "scaled", "unscaled", null, got "half"'],
    ['name with newline', (s) => { s.name = 'a\nb'; }, 'name must be one line of text (no control characters), got "a\\nb"'],
    ['inherited key is not a field', (s) => {
      s.guest = Object.assign(Object.create({ vcpus: 4 }) as Json['guest'], { ...s.guest, vcpus: bad<number>(undefined) });
    },
      'missing key guest.vcpus'],
  ];
  test.each(cases)('%s', (_, edit, fragment) => {
    expect(errorAfter(edit)).toContain(fragment);
  });

  test('the whole value must be an object', () => {
    expect(() => validateScenario([], 'x')).toThrow('scenario x: the scenario must be an object, got an array []');
    expect(() => validateScenario(null, 'x')).toThrow('the scenario must be an object, got null');
  });

  test('input nested absurdly deep is refused before anything recurses over it', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    const s = raw();
    s.description = bad(deep);
    expect(() => validateScenario(s, 'x')).toThrow('scenario x: description.0.0.0.');
    expect(() => validateScenario(s, 'x')).toThrow('is nested more than 32 levels deep');
  });

  test('a __proto__ key is reported as unknown, not used as a prototype', () => {
    const s = JSON.parse(`{"__proto__": {"vcpus": 1}, ${JSON.stringify(raw()).slice(1)}`);
    expect(() => validateScenario(s, 'x')).toThrow('unknown key __proto__');
  });
});

describe('validateScenario: cross-field checks', () => {
  const cases: [string, (s: Json) => void, string, string?][] = [
    ['smt mode', (s) => { s.destination.smt = 3; }, 'destination.smt 3 is not an SMT mode of POWER9 (1, 2, 4, 8)'],
    ['x86 smt mode', (s) => { s.source.smt = 4; }, 'source.smt 4 is not an SMT mode of x86-icelake (1, 2)', 'x86-tsc'],
    ['purr on x86', (s) => { s.destination.purr = 'scaled'; },
      'destination.purr "scaled" must be null on x86-sapphirerapids: x86 has no PURR', 'x86-tsc'],
    ['no purr on POWER', (s) => { s.source.purr = null; }, 'source.purr must be "scaled" or "unscaled" on POWER8, got null'],
    ['vcpus fit source', (s) => { s.guest.vcpus = 97; },
      'guest.vcpus 97 exceeds the 96 hardware threads of source (2 sockets x 1 chips x 12 cores x SMT4)'],
    ['vcpus fit destination', (s) => { s.destination.smt = 2; s.guest.vcpus = 64; },
      'guest.vcpus 64 exceeds the 48 hardware threads of destination'],
    ['same family', (s) => { s.destination.processor = 'x86-icelake'; s.destination.smt = 1; },
      'destination.processor x86-icelake (x86) is not in the family of source.processor POWER8 (power)'],
    ['power guest needs PURR routine', (s) => { s.guest.routines.shift(); s.detection.rules.shift(); },
      'guest.routines must include acct.purr_to_cputime'],
    ['x86 guest needs TSC routine', (s) => { s.guest.routines.shift(); s.detection.rules.shift(); },
      'guest.routines must include time.tsc_to_ns', 'x86-tsc'],
    ['rule routine', (s) => { s.detection.rules[1]!.routine = 'cpu.feature_fixup'; },
      'detection.rules.1.routine "cpu.feature_fixup" is not in guest.routines (did you mean cpu.feature_fixups?)'],
    ['notification cpu', (s) => { s.detection.notification.cpu = 16; },
      'detection.notification.cpu 16 must be < guest.vcpus (16)'],
    ['polling cpu', (s) => { s.detection.polling.cpu = 20; }, 'detection.polling.cpu 20 must be < guest.vcpus (16)'],
    ['lost-ipi cpu', (s) => { fault(s).cpu = 16; },
      'faults.0.cpu 16 must be -1 (any) or < guest.vcpus (16)', 'lost-ipi'],
    ['hung cpu', (s) => { fault(s).cpu = 16; }, 'faults.0.cpu 16 must be < guest.vcpus (16)', 'hung-cpu'],
    ['hung at end', (s) => { fault(s).atNs = 3_000_000_000; },
      'faults.0.atNs 3000000000 must be < run.durationNs (3000000000)', 'hung-cpu'],
    ['migration start', (s) => { s.migration.startNs = 2_000_000_000; },
      'migration.startNs 2000000000 must be < run.durationNs (2000000000)'],
    ['page > memory', (s) => { s.migration.memoryBytes = 4096; },
      'migration.pageBytes 65536 must be <= migration.memoryBytes (4096)'],
    ['backoff overflow', (s) => { s.protocol.broadcastAck.retryLimit = 20; },
      'protocol.broadcastAck.retryLimit 20: the backoff before the last retry'],
  ];
  test.each(cases)('%s', (_, edit, fragment, name) => {
    expect(errorAfter(edit, name)).toContain(fragment);
  });

  test('lost-ipi cpu -1 means any and is accepted', () => {
    const s = raw('lost-ipi');
    fault(s).cpu = -1;
    expect(validateScenario(s, 'x').faults[0]).toMatchObject({ cpu: -1 });
  });
});

describe('validateScenario: host defaults and canonical form', () => {
  test('purr, timebaseHz and latency default from the catalog of the host processor', () => {
    const s = raw();
    for (const host of [s.source, s.destination]) {
      for (const key of ['purr', 'timebaseHz', 'latency']) drop(host, key);
    }
    s.destination.processor = 'POWER8';
    const v = validateScenario(s, 'x');
    expect(v.destination.purr).toBe('scaled');
    expect(v.source.timebaseHz).toBe(512_000_000);
    expect(v.source.latency.ipi).toEqual({ medianNs: 4_000, p99Ns: 12_000 });
  });

  test('a partial latency is completed from the catalog', () => {
    const s = raw();
    s.source.latency = bad({ ipi: { medianNs: 16_000, p99Ns: 35_000 } });
    const v = validateScenario(s, 'x');
    expect(v.source.latency.ipi).toEqual({ medianNs: 16_000, p99Ns: 35_000 });
    expect(v.source.latency.ack).toEqual(findBuiltin('p8-to-p9')?.source.latency.ack);
  });

  test('an explicit purr overrides the catalog', () => {
    const s = raw();
    s.destination.purr = 'scaled';
    s.source.purr = 'unscaled';
    const v = validateScenario(s, 'x');
    expect([v.source.purr, v.destination.purr]).toEqual(['unscaled', 'scaled']);
  });

  test('keys come out in canonical order whatever the input order', () => {
    const s = raw();
    const shuffled: Record<string, unknown> = Object.fromEntries(Object.entries(s).reverse());
    shuffled['guest'] = Object.fromEntries(Object.entries(s.guest).reverse());
    const v = validateScenario(shuffled, 'x');
    expect(JSON.stringify(v)).toBe(JSON.stringify(findBuiltin('p8-to-p9')));
  });

  test('the input is not modified or frozen', () => {
    const s = raw();
    drop(s.source, 'purr');
    validateScenario(s, 'x');
    expect(Object.isFrozen(s)).toBe(false);
    expect('purr' in s.source).toBe(false);
  });
});

describe('scenarioFieldDocs', () => {
  test('documents every leaf field, with units on numbers', () => {
    const docs = scenarioFieldDocs();
    const paths = docs.map((d) => d.path);
    expect(paths).toContain('guest.vcpus');
    expect(paths).toContain('source.latency.ipi.medianNs');
    expect(paths).toContain('guest.routines[].name');
    expect(paths).toContain('faults[kind=hung-cpu].durationNs');
    expect(docs.every((d) => d.doc.length > 0)).toBe(true);
    expect(docs.find((d) => d.path === 'run.durationNs')).toMatchObject({ unit: 'ns', type: 'integer 1..3600000000000' });
    expect(docs.filter((d) => d.defaulted).map((d) => d.path)).toEqual([
      'source.purr', 'source.timebaseHz', 'source.latency', 'source.idleWake', 'source.steal', 'source.mitigations',
      'source.compatMode', 'source.bigCore',
      'destination.purr', 'destination.timebaseHz', 'destination.latency', 'destination.idleWake', 'destination.steal',
      'destination.mitigations', 'destination.compatMode', 'destination.bigCore',
      'guest.kernelEntriesPerSec', 'migration.suspend', 'migration.joinTimeoutNs', 'protocol.stopMachine', 'protocol.stopMachine.ackNsPerCpu', 'protocol.int3Poke',
      'faults[kind=hung-cpu].after', 'faults[kind=irq-off].after', 'faults[kind=cpu-offline].after',
      'faults[kind=second-migration].after',
    ]);
  });
});
