/**
 * `migpatch sweep` as a user runs it: the built binary in separate processes, real SQLite files in
 * temporary folders. Determinism whatever --jobs, the summary table, failing seeds whose record
 * line reproduces the same event hash, summary runs refused (with that line) by the commands that
 * need events, and bad input stopped before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { migpatch, migpatchJson } from './fixtures/cli.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

interface SweepJson {
  group: string;
  runs: number;
  complete: number;
  failed: number;
  traceLevel: string;
  cells: { protocol: string; grid: Record<string, unknown>; runs: number; metrics: { name: string; summary: { n: number; p50: number; p95: number; p99: number; max: number } | null }[] }[];
  failing: { runId: number; seed: number; protocol: string; kind: string; violations: number; reproduce: string }[];
}

interface StoredRun {
  run_id: number;
  seed: number;
  protocol: string;
  event_hash: string;
  status: string;
  trace_level: string;
  group_name: string;
  grid_json: string;
}

function storedRuns(file: string, group: string): StoredRun[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('select run_id, seed, protocol, event_hash, status, trace_level, group_name, grid_json from runs where group_name = ? order by run_id')
      .all(group) as StoredRun[];
  } finally {
    db.close();
  }
}

function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Expects a one-line usage error (exit 2) and returns its message. */
function expectInputError(args: readonly string[], cwd: string): string {
  const r = migpatch(args, cwd);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  return r.stderr;
}

const SMALL = ['sweep', '--scenario', 'p8-to-p9', '--set', 'guest.vcpus=8', '--set', 'run.durationNs=1200000000'];

describe('determinism', () => {
  test('the same sweep twice, and with --jobs 1 and 2, stores identical event hashes in combination order', () => {
    const dir = tempDir();
    const args = [...SMALL, '--seeds', '3..8', '--protocol', 'broadcast-ack,int3-poke', '--db', 'x.db'];
    migpatchJson<SweepJson>([...args, '--group', 'a', '--jobs', '2'], dir);
    migpatchJson<SweepJson>([...args, '--group', 'b', '--jobs', '2'], dir);
    migpatchJson<SweepJson>([...args, '--group', 'c', '--jobs', '1'], dir);
    const [a, b, c] = ['a', 'b', 'c'].map((g) => storedRuns(path.join(dir, 'x.db'), g));
    const key = (runs: StoredRun[]): string[] => runs.map((r) => `${r.protocol}/${r.seed}/${r.event_hash}`);
    expect(a).toHaveLength(12);
    expect(key(b!)).toEqual(key(a!));
    expect(key(c!)).toEqual(key(a!));
    // Combination order: protocol, then seed; consecutive run ids.
    expect(a!.map((r) => `${r.protocol}/${r.seed}`)).toEqual(
      ['broadcast-ack', 'int3-poke'].flatMap((p) => [3, 4, 5, 6, 7, 8].map((s) => `${p}/${s}`)));
    expect(a!.map((r) => r.run_id)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(new Set(a!.map((r) => r.event_hash)).size).toBe(12);
  });

  test('a sweep run has the event hash `record` gives the same scenario and seed', () => {
    const dir = tempDir();
    migpatchJson<SweepJson>([...SMALL, '--seeds', '4..5', '--db', 'x.db'], dir);
    const rec = migpatchJson<{ eventHash: string }>(['record', '--scenario', 'p8-to-p9', '--seed', '5', '--set', 'guest.vcpus=8',
      '--set', 'run.durationNs=1200000000', '--db', 'r.db'], dir);
    expect(storedRuns(path.join(dir, 'x.db'), 'sweep-1')[1]!.event_hash).toBe(rec.eventHash);
  });
});

describe('output and storage', () => {
  test('the summary table: p50, p95, p99 and max of every metric per protocol and grid point', () => {
    const dir = tempDir();
    const r = migpatch([...SMALL.slice(0, 5), '--set', 'run.durationNs=1200000000,1300000000', '--seeds', '1..4', '--db', 'x.db'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(''); // no progress bar off a terminal
    expect(r.stdout).toMatch(/^sweep sweep-1: 8 runs of p8-to-p9 stored in x\.db \(summary traces\): 8 complete, 0 failed; [0-9.]+ s wall with \d+ job\(s\)\n/);
    expect(r.stdout).toMatch(/protocol\s*│ grid point\s*│ metric\s*│ runs │ p50\s*│ p95\s*│ p99\s*│ max/);
    expect(r.stdout).toMatch(/broadcast-ack │ run\.durationNs=1200000000 │ cpu_wait_max_ns\s*│ 4\s*│ [0-9.]+ µs/);
    expect(r.stdout).toMatch(/run\.durationNs=1300000000 │ accounting_error_stale\s*│ 4\s*│ \+300\.00 %/);
    expect(r.stdout).toMatch(/failing seeds: none\n$/);

    const json = migpatchJson<SweepJson>([...SMALL, '--seeds', '1..10', '--db', 'x.db'], dir);
    expect(json).toMatchObject({ group: 'sweep-2', runs: 10, complete: 10, failed: 0, traceLevel: 'summary', failing: [] });
    const wait = json.cells[0]!.metrics.find((m) => m.name === 'cpu_wait_max_ns')!.summary!;
    expect(wait.n).toBe(10);
    expect(wait.p50).toBeLessThanOrEqual(wait.p95);
    expect(wait.p95).toBeLessThanOrEqual(wait.p99);
    expect(wait.p99).toBeLessThanOrEqual(wait.max);
    // The sweep's p50 is the median of the stored metric values (type-7 quantiles).
    const db = new Database(path.join(dir, 'x.db'), { readonly: true });
    const values = db.prepare(`select m.value from metrics m join runs r using (run_id)
      where r.group_name = 'sweep-2' and m.name = 'cpu_wait_max_ns' order by m.value`).pluck().all() as number[];
    db.close();
    expect(wait.p50).toBe((values[4]! + values[5]!) / 2);
    expect(wait.max).toBe(values[9]);
  });

  test('summary runs keep the run, metrics and chunk hashes but no events; --events keeps full traces', () => {
    const dir = tempDir();
    const file = path.join(dir, 'x.db');
    migpatchJson<SweepJson>([...SMALL, '--seeds', '1..2', '--db', 'x.db', '--group', 'sum'], dir);
    migpatchJson<SweepJson>([...SMALL, '--seeds', '1..2', '--db', 'x.db', '--group', 'full', '--events'], dir);
    const sum = storedRuns(file, 'sum');
    const full = storedRuns(file, 'full');
    expect(sum.map((r) => [r.status, r.trace_level, r.grid_json])).toEqual([['complete', 'summary', '{}'], ['complete', 'summary', '{}']]);
    expect(full.map((r) => r.trace_level)).toEqual(['full', 'full']);
    expect(full.map((r) => r.event_hash)).toEqual(sum.map((r) => r.event_hash));
    const per = (table: string, ids: number[]): number => count(file, `select count(*) from ${table} where run_id in (${ids.join(',')})`);
    const sumIds = sum.map((r) => r.run_id);
    const fullIds = full.map((r) => r.run_id);
    for (const t of ['events', 'cpu_intervals', 'acct_series']) {
      expect(per(t, sumIds), t).toBe(0);
      expect(per(t, fullIds), t).toBeGreaterThan(0);
    }
    for (const t of ['metrics', 'event_chunks', 'attempts', 'acct_windows', 'vcpus', 'hosts']) expect(per(t, sumIds), t).toBe(per(t, fullIds));
    const sweeps = new Database(file, { readonly: true }).prepare('select group_name, command, params_json from sweeps order by sweep_id').all() as
      { group_name: string; command: string; params_json: string }[];
    expect(sweeps.map((s) => s.group_name)).toEqual(['sum', 'full']);
    expect(sweeps[1]!.command).toMatch(/^migpatch sweep --scenario p8-to-p9 .* --group full --events --json$/);
    expect(JSON.parse(sweeps[1]!.params_json)).toMatchObject({ scenario: 'p8-to-p9', seeds: { from: 1, to: 2 }, events: true });
    // A full sweep run replays like any recorded run.
    expect(migpatch(['replay', 'verify', String(fullIds[0]), '--db', 'x.db'], dir).code).toBe(0);
  });
});

describe('failing seeds', () => {
  test('each with the record line that reproduces its event hash; --fail-on-violations exits 3', () => {
    const dir = tempDir();
    // no-quiesce patches without parking anyone: on a busy guest that violates safety, unexpectedly for p8-to-p9.
    const args = ['sweep', '--scenario', 'p8-to-p9', '--seeds', '1..3', '--protocol', 'broadcast-ack,no-quiesce', '--set', 'guest.vcpus=8', '--db', 'x.db'];
    const text = migpatch(args, dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/failing seeds: 3 \(reproduce each with its full trace\):\n {2}seed 1 \(no-quiesce; run 4\): \d+ unexpected invariant violation\(s\)\n {4}migpatch record --scenario p8-to-p9 --seed 1 --protocol no-quiesce --set guest\.vcpus=8\n/);

    const ci = migpatch([...args, '--json', '--fail-on-violations'], dir);
    expect(ci.code).toBe(3);
    expect(ci.stderr).toMatch(/^migpatch: 3 of 6 runs failed/);
    const json = JSON.parse(ci.stdout) as SweepJson;
    expect(json.failing.map((f) => [f.seed, f.protocol, f.kind])).toEqual([1, 2, 3].map((s) => [s, 'no-quiesce', 'violations']));
    const f = json.failing[1]!;
    expect(f.violations).toBeGreaterThan(0);
    const stored = storedRuns(path.join(dir, 'x.db'), json.group).find((r) => r.run_id === f.runId)!;

    const words = f.reproduce.split(' ');
    expect(words.slice(0, 2)).toEqual(['migpatch', 'record']);
    const again = migpatch([...words.slice(1), '--db', 'again.db', '--json'], dir);
    expect(again.code).toBe(3); // record exits 3 on unexpected violations, and stores the run
    const rec = JSON.parse(again.stdout) as { eventHash: string; violations: number };
    expect(rec.eventHash).toBe(stored.event_hash);
    expect(rec.violations).toBe(f.violations);
  });

  test('swarm runs reproduce with --swarm --all-faults', () => {
    const dir = tempDir();
    const json = migpatchJson<SweepJson>(['sweep', '--scenario', 'p8-to-p9', '--seeds', '11..12', '--swarm', '--all-faults',
      '--protocol', 'no-quiesce', '--set', 'guest.vcpus=8', '--db', 'x.db'], dir);
    expect(json.failing).toHaveLength(2);
    const f = json.failing[0]!;
    expect(f.reproduce).toBe('migpatch record --scenario p8-to-p9 --seed 11 --protocol no-quiesce --set guest.vcpus=8 --swarm --all-faults');
    const rec = JSON.parse(migpatch([...f.reproduce.split(' ').slice(1), '--db', 'r.db', '--json'], dir).stdout) as { eventHash: string };
    expect(rec.eventHash).toBe(storedRuns(path.join(dir, 'x.db'), json.group)[0]!.event_hash);
  });
});

describe('summary runs and the commands that need events', () => {
  test('replay state/timeline, export, diff and report refuse them with the record line; verify and metrics work', () => {
    const dir = tempDir();
    migpatchJson<SweepJson>([...SMALL, '--seeds', '6..7', '--protocol', 'int3-poke', '--db', 'x.db'], dir);
    const line = 'migpatch record --scenario p8-to-p9 --seed 7 --protocol int3-poke --set guest.vcpus=8 --set run.durationNs=1200000000';
    for (const args of [['replay', 'state', '2', '--at', '1000'], ['replay', 'timeline', '2', '--partial'], ['export', '2', '--out', 'x.json'],
      ['diff', '1', '2'], ['report', '2', '--out', 'r.md']]) {
      const message = expectInputError([...args, '--db', 'x.db'], dir);
      const run = args[0] === 'diff' ? 1 : 2;
      expect(message, args.join(' ')).toContain(`run ${run} is a summary run of sweep group sweep-1: its events were not stored; record it with its full trace with: `);
      if (run === 2) expect(message).toContain(line);
    }
    expect(fs.existsSync(path.join(dir, 'x.json'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'r.md'))).toBe(false);

    const verify = migpatch(['replay', 'verify', '2', '--db', 'x.db', '--json'], dir);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ identical: true, traceLevel: 'summary', events: { trace: null }, divergence: null });
    expect(migpatch(['metrics', '2', '--db', 'x.db'], dir).code).toBe(0);
    // The report of a full run may take a summary run as its baseline: only metrics come from it.
    migpatchJson(['record', '--scenario', 'p8-to-p9', '--seed', '7', '--protocol', 'int3-poke', '--set', 'guest.vcpus=8',
      '--set', 'run.durationNs=1200000000', '--db', 'x.db'], dir);
    expect(migpatch(['report', '3', '--baseline', '2', '--db', 'x.db'], dir).code).toBe(0);
  });

  test('a summary run whose model no longer reproduces it does not verify', () => {
    const dir = tempDir();
    migpatchJson<SweepJson>([...SMALL, '--seeds', '1..1', '--db', 'x.db'], dir);
    const db = new Database(path.join(dir, 'x.db'));
    db.prepare("update event_chunks set hash = '0000000000000000' where run_id = 1").run();
    db.close();
    const r = migpatch(['replay', 'verify', '1', '--db', 'x.db'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/differs from the recording from chunk 0; this summary run stored no events to show where: record it with its full trace with: migpatch record --scenario p8-to-p9 --seed 1/);
  });
});

describe('bad input: one line, exit 2, nothing written', () => {
  test.each([
    [['--seeds', '5..3'], /'--seeds <A\.\.B>' argument '5\.\.3' is invalid\. the range is empty \(5 > 3\)/],
    [['--seeds', '1-3'], /expected a seed range A\.\.B/],
    [['--seeds', '1..3', '--jobs', '0'], /'--jobs <n>' argument '0' is invalid/],
    [['--seeds', '1..3', '--protocol', 'broadcast-ack,nope'], /--protocol: unknown protocol 'nope'/],
    [['--seeds', '1..3', '--protocol', 'broadcast-ack,'], /expected protocol names separated by commas/],
    [['--seeds', '1..3', '--set', 'guest.vcpus=4,,8'], /--set guest\.vcpus=4,,8: empty value in the list/],
    [['--seeds', '1..3', '--set', 'guest.vcpus=[4,8'], /unbalanced quotes or brackets/],
    [['--seeds', '1..3', '--set', 'guest.vcpu=4,8'], /unknown path guest\.vcpu/],
    [['--seeds', '1..3', '--set', 'guest.vcpus=8,0'], /guest\.vcpus/],
    [['--seeds', '1..3', '--all-faults'], /--all-faults applies to swarm runs: add --swarm/],
    [['--seeds', '1..3', '--group', 'bad name'], /--group 'bad name': expected/],
  ])('sweep %j', (extra, message) => {
    const dir = tempDir();
    expect(expectInputError(['sweep', '--scenario', 'p8-to-p9', ...extra, '--db', 'x.db'], dir)).toMatch(message);
    expect(fs.existsSync(path.join(dir, 'x.db'))).toBe(false);
  });

  test('a group name already taken', () => {
    const dir = tempDir();
    migpatchJson<SweepJson>([...SMALL, '--seeds', '1..1', '--db', 'x.db', '--group', 'g'], dir);
    expect(expectInputError([...SMALL, '--seeds', '2..3', '--db', 'x.db', '--group', 'g'], dir)).toMatch(/sweep group g already exists in x\.db/);
    expect(count(path.join(dir, 'x.db'), 'select count(*) from runs')).toBe(1);
  });

  test('record --all-faults without --swarm', () => {
    const dir = tempDir();
    expect(expectInputError(['record', '--all-faults', '--db', 'x.db'], dir)).toMatch(/--all-faults applies to swarm runs/);
    expect(fs.existsSync(path.join(dir, 'x.db'))).toBe(false);
  });
});
