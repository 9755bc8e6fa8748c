/**
 * `runSweep` as a library call, from the TypeScript sources (no compiled worker: the runs are
 * simulated in this thread, the path a library user without a build takes), into a real file.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { InputError } from '../src/core/errors.js';
import { parseSetOptions } from '../src/sweep/grid.js';
import { loadGroup } from '../src/sweep/group-data.js';
import { runSweep } from '../src/sweep/run-sweep.js';
import { SweepPool } from '../src/sweep/sweep-pool.js';
import type { SweepParams } from '../src/sweep/sweep-params.js';
import { getRun } from '../src/trace/runs.js';
import { openTraceDb } from '../src/trace/trace-db.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

const PARAMS: SweepParams = {
  scenario: 'p8-to-p9', seeds: { from: 1, to: 3 }, protocols: ['broadcast-ack', 'no-quiesce'],
  sets: parseSetOptions(['guest.vcpus=8', 'run.durationNs=1200000000']), swarm: false, allFaults: false, events: false,
};

describe('runSweep in this thread', () => {
  test('stores every run under the group, in order, and reports cells and failing seeds', async () => {
    expect(SweepPool.available()).toBe(false);
    const dbPath = path.join(tempDir(), 'x.db');
    const progress: number[] = [];
    const report = await runSweep({ params: PARAMS, jobs: 2, group: null, dbPath, command: 'migpatch sweep ...', onProgress: (done) => progress.push(done) });
    expect(report).toMatchObject({ group: 'sweep-1', runs: 6, complete: 6, failed: 0, traceLevel: 'summary' });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    expect(report.cells.map((c) => [c.protocol, c.runs])).toEqual([['broadcast-ack', 3], ['no-quiesce', 3]]);
    expect(report.failing.map((f) => [f.runId, f.seed, f.kind])).toEqual([[4, 1, 'violations'], [5, 2, 'violations'], [6, 3, 'violations']]);

    const db = await openTraceDb(dbPath, 'read');
    try {
      const run = await getRun(db, '5');
      expect(run).toMatchObject({ seed: 2, protocol: 'no-quiesce', traceLevel: 'summary', groupName: 'sweep-1', gridJson: '{}', label: 'sweep-1' });
      const group = loadGroup(db, 'sweep-1');
      expect(group.cells.map((c) => [c.label, c.runs])).toEqual([['broadcast-ack', 3], ['no-quiesce', 3]]);
      expect(group.sweep.params).toEqual(JSON.parse(JSON.stringify(PARAMS)));
    } finally {
      db.close();
    }
    const second = await runSweep({ params: { ...PARAMS, protocols: null }, jobs: 1, group: null, dbPath, command: '' });
    expect(second.group).toBe('sweep-2');
  });

  test('bad input is refused before the database is opened', async () => {
    const dbPath = path.join(tempDir(), 'missing', 'x.db');
    await expect(runSweep({ params: PARAMS, jobs: 0, group: null, dbPath, command: '' })).rejects.toThrow(/--jobs 0/);
    await expect(runSweep({ params: { ...PARAMS, sets: parseSetOptions(['protocol.name=int3-poke']) }, jobs: 1, group: null, dbPath, command: '' }))
      .rejects.toThrow(/--set protocol\.name would override --protocol/);
    await expect(runSweep({ params: PARAMS, jobs: 1, group: 'a b', dbPath, command: '' })).rejects.toBeInstanceOf(InputError);
    await expect(runSweep({ params: PARAMS, jobs: 1, group: null, dbPath, command: '' })).rejects.toThrow(/directory .*missing does not exist/);
  });
});
