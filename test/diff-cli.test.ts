/**
 * `migpatch diff` through the built CLI in a separate process, on real SQLite traces recorded by
 * the CLI itself in a temporary folder (`npm run build` first).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, test } from 'vitest';
import type { RunDiff } from '../src/query/run-diff.js';
import { SqliteSink } from '../src/trace/sqlite-sink.js';
import { openTraceDb } from '../src/trace/trace-db.js';
import { migpatch, migpatchJson } from './fixtures/cli.js';
import { fakeMeta } from './fixtures/fake-run.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

/** Records into `db` (relative to `cwd`) and returns the run id. */
function record(cwd: string, db: string, args: string[]): number {
  return migpatchJson<{ runId: number }>(['record', '--db', db, ...args], cwd).runId;
}

/** One folder, one database, recorded once for the whole file (`useTempDirs` cleans after each test). */
let dir: string;
const runs: Record<string, number> = {};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env['TMPDIR'] ?? '/tmp'), 'migpatch-diff-'));
  runs['p8'] = record(dir, 't.db', ['--scenario', 'p8-to-p9']);
  runs['p9'] = record(dir, 't.db', ['--scenario', 'p9-to-p8']);
  runs['p8seed2'] = record(dir, 't.db', ['--scenario', 'p8-to-p9', '--seed', '2']);
  runs['lost'] = record(dir, 't.db', ['--scenario', 'lost-ipi']);
  runs['lostAll'] = record(dir, 't.db', ['--scenario', 'lost-ipi', '--set', 'protocol.broadcastAck.resendScope=all']);
  runs['p8x64'] = record(dir, 'other.db', ['--scenario', 'p8-to-p9', '--set', 'guest.vcpus=64']);
  return () => fs.rmSync(dir, { recursive: true, force: true });
});

const diffJson = (a: number, b: number, extra: string[] = []): RunDiff =>
  migpatchJson<RunDiff>(['diff', String(a), String(b), '--db', 't.db', ...extra], dir);

describe('diff between scenarios', () => {
  test('p8-to-p9 vs p9-to-p8 names the processor change and the accounting-error change', () => {
    const r = migpatch(['diff', String(runs['p8']), String(runs['p9']), '--db', 't.db'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('source.processor: "POWER8" -> "POWER9"');
    expect(r.stdout).toContain('destination.processor: "POWER9" -> "POWER8"');
    expect(r.stdout).toMatch(/accounting_error_stale\s+│ \+300\.00 % │ -75\.00 %\s+│ -375\.00 pp │ -125\.00 % │ better/);

    const d = diffJson(runs['p8']!, runs['p9']!);
    expect(d.scenario).toContainEqual({ path: 'source.processor', kind: 'changed', old: 'POWER8', new: 'POWER9' });
    expect(d.scenario).toContainEqual({ path: 'source.purr', kind: 'changed', old: 'scaled', new: 'unscaled' });
    const stale = d.metrics.find((m) => m.name === 'accounting_error_stale')!;
    expect(stale.a).toBeCloseTo(3.0, 3);
    expect(stale.b).toBeCloseTo(-0.75, 3);
    expect(stale.verdict).toBe('better');
    // Same seed: the streams are compared, and part where the stale accounting first differs.
    expect(d.events.status).toBe('diverged');
  });

  test('across databases and vCPU counts (--db-b): scenario path and both wait distributions', () => {
    const d = diffJson(runs['p8']!, runs['p8x64']!, ['--db-b', 'other.db']);
    expect(d.b.db).toBe('other.db');
    expect(d.scenario).toEqual([{ path: 'guest.vcpus', kind: 'changed', old: 16, new: 64 }]);
    expect(d.wait.a.vcpus).toBe(16);
    expect(d.wait.b.vcpus).toBe(64);
    expect(d.wait.a.waited).toBe(15); // the initiator never waits: it counts as 0
    expect(d.wait.a.maxNs).toBe(d.metrics.find((m) => m.name === 'cpu_wait_max_ns')!.a);
    expect(d.wait.b.totalNs).toBe(d.metrics.find((m) => m.name === 'cpu_wait_total_ns')!.b);
    expect(d.wait.a.p50Ns).toBeLessThanOrEqual(d.wait.a.p95Ns);
  });
});

describe('diff and the event streams', () => {
  test('same scenario, two seeds: scenario identical, streams not compared', () => {
    const d = diffJson(runs['p8']!, runs['p8seed2']!);
    expect(d.scenario).toEqual([]);
    expect(d.events).toEqual({ status: 'not-compared', reason: 'seeds differ (1 vs 2): every random draw differs' });
    const r = migpatch(['diff', String(runs['p8']), String(runs['p8seed2']), '--db', 't.db'], dir);
    expect(r.stdout).toContain('scenario: identical');
    expect(r.stdout).toContain('events: not compared, seeds differ (1 vs 2)');
  });

  test('same seed, another protocol parameter: the first divergent event, both sides decoded', () => {
    const d = diffJson(runs['lost']!, runs['lostAll']!);
    expect(d.scenario).toEqual([{ path: 'protocol.broadcastAck.resendScope', kind: 'changed', old: 'per-cpu', new: 'all' }]);
    expect(d.events.status).toBe('diverged');
    if (d.events.status !== 'diverged') return;
    expect(d.events.a?.kind).toBe('resend');
    expect(d.events.a?.fields).toMatchObject({ count: 1 });
    expect(d.events.b?.fields).toMatchObject({ count: 15 });
    expect(d.events.a?.seq).toBe(d.events.seq);
    const r = migpatch(['diff', String(runs['lost']), String(runs['lostAll']), '--db', 't.db'], dir);
    expect(r.stdout).toMatch(new RegExp(`events: first divergence at seq ${d.events.seq}, t ${d.events.tNs} ns`));
    expect(r.stdout).toMatch(/resend cpu=0 attempt=1 count=1 round=1\n.*resend cpu=0 attempt=1 count=15 round=1/);
    expect(d.metrics.find((m) => m.name === 'resends')).toMatchObject({ a: 1, b: 15, delta: 14, verdict: 'worse' });
  });

  test('a run against itself is identical', () => {
    const d = diffJson(runs['p8']!, runs['p8']!);
    expect(d.events.status).toBe('identical');
    expect(d.metrics.every((m) => m.verdict === 'same' || m.verdict === 'n/a')).toBe(true);
  });
});

describe('diff refuses bad input with one line and exit 2, touching nothing', () => {
  const refused = (args: string[], cwd: string, message: RegExp): void => {
    const r = migpatch(['diff', ...args], cwd);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  };

  test('unknown run, in either database', () => {
    refused([String(runs['p8']), '99', '--db', 't.db'], dir, /^migpatch: unknown run 99 in t\.db/);
    refused([String(runs['p8']), '2', '--db', 't.db', '--db-b', 'other.db'], dir, /^migpatch: unknown run 2 in other\.db/);
    refused(['x', '1', '--db', 't.db'], dir, /invalid run 'x'/);
  });

  test('a run still running, an empty file, a foreign database, a missing file', async () => {
    const cwd = tempDir();
    const file = path.join(cwd, 'running.db');
    const db = await openTraceDb(file, 'write');
    new SqliteSink(db).begin(fakeMeta('interrupted'));
    db.close();
    const before = fs.readFileSync(file);
    refused(['1', '1', '--db', 'running.db'], cwd, /run 1 is still running or was interrupted/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);

    fs.writeFileSync(path.join(cwd, 'empty.db'), '');
    refused(['1', '1', '--db', 'empty.db'], cwd, /empty\.db holds no migpatch trace yet/);
    expect(fs.statSync(path.join(cwd, 'empty.db')).size).toBe(0);

    const foreign = new Database(path.join(cwd, 'foreign.db'));
    foreign.exec('create table customers (id integer)');
    foreign.close();
    refused(['1', '1', '--db', 'foreign.db'], cwd, /not a migpatch trace \(tables: customers\)/);
    refused(['1', '1', '--db', 'nothing.db'], cwd, /no trace database at nothing\.db/);
    expect(fs.existsSync(path.join(cwd, 'nothing.db'))).toBe(false);
  });
});
