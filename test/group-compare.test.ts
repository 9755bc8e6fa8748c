/**
 * Pairing the cells of two sweep groups, without a database: by the parameters that vary within
 * them (protocol, --set paths), or as wholes when each group is one cell.
 */
import { describe, expect, test } from 'vitest';
import { InputError } from '../src/core/errors.js';
import { CellSamples } from '../src/sweep/cell-samples.js';
import { compareGroups } from '../src/sweep/group-compare.js';
import type { GroupData } from '../src/sweep/group-data.js';
import type { SweepParams } from '../src/sweep/sweep-params.js';

const PARAMS: SweepParams = {
  scenario: 'p8-to-p9', seeds: { from: 1, to: 12 }, protocols: null, sets: [], swarm: false, allFaults: false, events: false,
};
const OPTIONS = { alpha: 0.05, thresholdPct: 5 };

/** A cell of `runs` runs whose wait metric is `wait` + i. */
function cell(protocol: string, grid: Record<string, unknown>, wait: number, runs = 12): CellSamples {
  const c = new CellSamples(protocol, grid);
  for (let i = 0; i < runs; i++) c.addRun([{ name: 'cpu_wait_max_ns', value: wait + i, unit: 'ns', better: 'lower' }]);
  return c;
}

function group(name: string, cells: CellSamples[]): GroupData {
  const sweep = { sweepId: 1, group: name, createdAt: '', toolVersion: '', command: '', params: PARAMS, plannedRuns: null };
  return { sweep, cells, complete: cells.reduce((n, c) => n + c.runs, 0), failed: 0, unfinished: 0 };
}

describe('compareGroups', () => {
  test('single-cell groups are compared as wholes, whatever their protocols', () => {
    const r = compareGroups(group('a', [cell('broadcast-ack', {}, 20_000)]), group('b', [cell('int3-poke', {}, 0)]), OPTIONS);
    expect(r.pairedBy).toEqual([]);
    expect(r.cells[0]!.metrics[0]).toMatchObject({ name: 'cpu_wait_max_ns', verdict: 'better' });
    expect(r.counts).toEqual({ better: 1, worse: 0, same: 0, na: 0 });
  });

  test('grid cells are paired by equal values, in the baseline order, whatever order the new group has', () => {
    const a = group('a', [cell('x', { 'guest.vcpus': 8 }, 1000), cell('x', { 'guest.vcpus': 16 }, 1000), cell('x', { 'guest.vcpus': 32 }, 1000)]);
    const b = group('b', [cell('x', { 'guest.vcpus': 64 }, 1000), cell('x', { 'guest.vcpus': 16 }, 5000), cell('x', { 'guest.vcpus': 8 }, 1000)]);
    const r = compareGroups(a, b, OPTIONS);
    expect(r.pairedBy).toEqual(['guest.vcpus']);
    expect(r.cells.map((c) => [c.a.label, c.b.label, c.metrics[0]!.verdict])).toEqual([
      ['x guest.vcpus=8', 'x guest.vcpus=8', 'same'],
      ['x guest.vcpus=16', 'x guest.vcpus=16', 'worse'],
    ]);
    expect(r.unpaired).toEqual([{ group: 'a', cell: 'x guest.vcpus=32' }, { group: 'b', cell: 'x guest.vcpus=64' }]);
  });

  test('groups that vary different parameters, or share no cell, cannot be compared', () => {
    const byProtocol = group('p', [cell('x', {}, 1), cell('y', {}, 1)]);
    const byGrid = group('g', [cell('x', { 'guest.vcpus': 8 }, 1), cell('x', { 'guest.vcpus': 16 }, 1)]);
    expect(() => compareGroups(byProtocol, byGrid, OPTIONS)).toThrow(InputError);
    expect(() => compareGroups(byProtocol, byGrid, OPTIONS)).toThrow(/vary different parameters \(p: protocol; g: guest\.vcpus\)/);
    const other = group('o', [cell('z', {}, 1), cell('w', {}, 1)]);
    expect(() => compareGroups(byProtocol, other, OPTIONS)).toThrow(/no cell in common/);
  });

  test('a paired cell with fewer than 9 runs is an input error', () => {
    expect(() => compareGroups(group('a', [cell('x', {}, 1, 9)]), group('b', [cell('x', {}, 1, 8)]), OPTIONS))
      .toThrow(/group b, cell x: 8 complete run\(s\); comparing distributions needs at least 9 a side/);
  });
});
