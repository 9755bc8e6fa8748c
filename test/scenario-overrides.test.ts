import { describe, expect, test } from 'vitest';
import { InputError } from '../src/core/errors.js';
import { findBuiltin } from '../src/scenario/builtins.js';
import { loadScenario } from '../src/scenario/load-scenario.js';
import { applyOverrides } from '../src/scenario/overrides.js';

function errorOf(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('--set on a built-in', () => {
  test('numbers, strings and enums', () => {
    const s = loadScenario('p8-to-p9', ['guest.vcpus=64', 'protocol.broadcastAck.resendScope=all', 'source.name=1234']);
    expect(s.guest.vcpus).toBe(64);
    expect(s.protocol.broadcastAck.resendScope).toBe('all');
    expect(s.source.name).toBe('1234');
  });

  test('a later --set of the same path wins', () => {
    expect(loadScenario('p8-to-p9', ['guest.vcpus=8', 'guest.vcpus=12']).guest.vcpus).toBe(12);
  });

  test('whole JSON values: arrays and objects', () => {
    const s = loadScenario('lost-ipi', ['faults=[]', 'destination.numa={"nodes":4,"generation":7}']);
    expect(s.faults).toEqual([]);
    expect(s.destination.numa).toEqual({ nodes: 4, generation: 7 });
  });

  test('array elements by index, and appending a whole element', () => {
    expect(loadScenario('lost-ipi', ['faults.0.cpu=2']).faults[0]).toMatchObject({ cpu: 2 });
    const fault = '{"kind":"hung-cpu","cpu":1,"atNs":5,"durationNs":-1}';
    // The omitted anchor defaults to the start of the run.
    expect(loadScenario('p8-to-p9', [`faults.0=${fault}`]).faults).toEqual([{ ...JSON.parse(fault) as object, after: 'start' }]);
    expect(loadScenario('p8-to-p9', ['guest.routines.1.words=100']).guest.routines[1]?.words).toBe(100);
  });

  test('changing the processor brings its catalog defaults', () => {
    const s = loadScenario('p8-to-p9', ['source.processor=POWER10']);
    expect(s.source.processor).toBe('POWER10');
    expect(s.source.purr).toBe('unscaled');
    const back = loadScenario('p8-to-p9', ['destination.processor=POWER8']);
    expect(back.destination.purr).toBe('scaled');
  });

  test('a field of a catalog-defaulted object completes the rest from the catalog', () => {
    const s = loadScenario('x86-tsc', ['source.latency.ipi.medianNs=5000', 'destination.purr=null']);
    expect(s.source.latency.ipi).toEqual({ medianNs: 5_000, p99Ns: 6_000 });
    expect(s.source.latency.ack).toEqual(findBuiltin('x86-tsc')?.source.latency.ack);
    expect(s.destination.purr).toBeNull();
  });

  test('a processor of another family is reported as such, before its SMT mode', () => {
    expect(errorOf(() => loadScenario('p8-to-p9', ['destination.processor=x86-icelake'])).message)
      .toContain('destination.processor x86-icelake (x86) is not in the family of source.processor POWER8 (power)');
  });

  test('changing a fault kind re-validates the element against the new kind', () => {
    const e = errorOf(() => loadScenario('lost-ipi', ['faults.0.kind=hung-cpu']));
    expect(e.message).toContain('unknown key faults.0.msg');
  });

  test('the value is validated after the override', () => {
    expect(errorOf(() => loadScenario('p8-to-p9', ['guest.vcpus=0'])).message)
      .toBe('scenario p8-to-p9: guest.vcpus must be an integer >= 1, got 0');
    expect(errorOf(() => loadScenario('p8-to-p9', ['guest.vcpus=abc'])).message)
      .toContain('guest.vcpus must be an integer in [1, 16384], got "abc"');
  });
});

describe('--set errors', () => {
  const cases: [string, string][] = [
    ['guest.vcpu=4', 'scenario p8-to-p9: --set guest.vcpu=4: unknown path guest.vcpu (did you mean guest.vcpus?)'],
    ['gust.vcpus=4', 'unknown path gust (did you mean guest?)'],
    ['guest.vcpus', '--set guest.vcpus: expected path=value'],
    ['=4', 'expected path=value'],
    ['guest..vcpus=4', 'has an empty segment'],
    ['guest.vcpus.x=4', 'unknown path guest.vcpus.x: guest.vcpus is a single value'],
    ['faults.0.cpu=2', 'faults.0 does not exist: faults has 0 elements'],
    ['guest.routines.x.words=2', 'guest.routines.x does not exist'],
    ['guest.routines.5={}', 'guest.routines.5 does not exist: guest.routines has 3 elements'],
    ['extends=p9-to-p8', 'unknown path extends'],
  ];
  test.each(cases)('%s', (set, fragment) => {
    const e = errorOf(() => loadScenario('p8-to-p9', [set]));
    expect(e.message).toContain(fragment);
    expect(e.exitCode).toBe(2);
  });

  test('a path through a value of the wrong shape', () => {
    const e = errorOf(() => applyOverrides({ guest: 5 }, ['guest.vcpus=1'], 'x'));
    expect(e.message).toBe('scenario x: --set guest.vcpus=1: cannot set guest.vcpus: guest is not an object');
  });

  test('a union element without a valid kind', () => {
    const e = errorOf(() => applyOverrides({ faults: [{ kind: 'nope' }] }, ['faults.0.cpu=1'], 'x'));
    expect(e.message).toContain('cannot set faults.0.cpu: faults.0 has no valid kind');
  });
});

describe('applyOverrides', () => {
  test('does not modify its input', () => {
    const input = { guest: { vcpus: 4 } };
    const out = applyOverrides(input, ['guest.vcpus=8'], 'x');
    expect(input).toEqual({ guest: { vcpus: 4 } });
    expect(out).toEqual({ guest: { vcpus: 8 } });
  });

  test('a missing = in a value is fine: only the first = splits', () => {
    expect(applyOverrides({}, ['description=a=b'], 'x')).toEqual({ description: 'a=b' });
  });
});
