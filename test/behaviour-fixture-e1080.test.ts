/** Behaviour does not drift on the 1,920-vCPU built-in either (seeds 1–20; see behaviour-fixture.test.ts). */
import { describe, expect, it } from 'vitest';
import { behaviourOf, expectedRows, FIXTURE_SEEDS } from './fixtures/behaviour.js';

describe('behaviour fixture: e1080-1920 for seeds 1-20', () => {
  const expected = expectedRows('e1080-1920', () => FIXTURE_SEEDS.map((seed) => behaviourOf('e1080-1920', seed)));
  for (const row of expected) {
    it(`e1080-1920 seed ${row.seed}`, () => {
      expect(behaviourOf(row.scenario, row.seed)).toEqual(row);
    });
  }
});
