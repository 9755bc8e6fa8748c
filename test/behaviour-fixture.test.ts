/**
 * Behaviour does not drift: every built-in scenario (but the 1,920-vCPU one, in its own file so the
 * two run in parallel) reproduces the committed event hash, event count and metrics for seeds 1–20.
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIOS } from '../src/scenario/builtins.js';
import { behaviourOf, expectedRows, FIXTURE_SEEDS, type BehaviourRow } from './fixtures/behaviour.js';

const NAMES = BUILTIN_SCENARIOS.map((s) => s.name).filter((n) => n !== 'e1080-1920');

describe('behaviour fixture: built-ins for seeds 1-20', () => {
  const compute = (): BehaviourRow[] => NAMES.flatMap((n) => FIXTURE_SEEDS.map((seed) => behaviourOf(n, seed)));
  const expected = expectedRows('builtins', compute);
  it('covers every built-in but e1080-1920', () => {
    expect([...new Set(expected.map((r) => r.scenario))].sort()).toEqual([...NAMES].sort());
  });
  for (const row of expected) {
    it(`${row.scenario} seed ${row.seed}`, () => {
      expect(behaviourOf(row.scenario, row.seed)).toEqual(row);
    });
  }
});
