/**
 * `migpatch record`, `runs`, `metrics` and `scenarios` as a user runs them: the built binary in a
 * separate process, real files in temporary folders.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { BUILTIN_SCENARIOS } from '../src/scenario/builtins.js';
import { migpatch, migpatchJson } from './fixtures/cli.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

interface RecordJson {
  runId: number;
  eventHash: string;
  eventCount: number;
  violations: number;
  metrics: { name: string; value: number | null }[];
}

function fileDigest(file: string): string {
  return fs.existsSync(file) ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') : 'absent';
}

describe('record, runs, metrics, scenarios', () => {
  test('record prints the run and its metrics; runs and metrics read it back', () => {
    const dir = tempDir();
    const r = migpatch(['record', '--db', 'x.db', '--label', 'first'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^run 1 recorded in x\.db: p8-to-p9, seed 1, broadcast-ack; \d+ events/);
    expect(r.stdout).toMatch(/accounting_error_stale\s*│\s*\+300\.00 %/);
    const runs = migpatchJson<{ runId: number; label: string; status: string }[]>(['runs', '--db', 'x.db'], dir);
    expect(runs).toMatchObject([{ runId: 1, label: 'first', status: 'complete' }]);
    const m = migpatchJson<{ metrics: { name: string; value: number }[] }>(['metrics', 'last', '--db', 'x.db'], dir);
    expect(m.metrics.find((x) => x.name === 'attempts')?.value).toBe(1);
    const table = migpatch(['metrics', '1', '--db', 'x.db'], dir);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/quiesce_ns/);
  });

  test('MIGPATCH_DB chooses the database when --db is absent', () => {
    const dir = tempDir();
    const r = migpatch(['record', '--scenario', 'same-hardware'], dir, { MIGPATCH_DB: 'env.db' });
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'env.db'))).toBe(true);
  });

  test('without --db or MIGPATCH_DB, the run goes to traces/migpatch.db, created if needed', () => {
    const dir = tempDir();
    expect(migpatch(['record', '--scenario', 'same-hardware'], dir).code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'traces', 'migpatch.db'))).toBe(true);
  });

  test('scenarios lists every built-in; --json prints each in full, ready to edit and load', () => {
    const dir = tempDir();
    const list = migpatch(['scenarios'], dir);
    for (const name of ['p8-to-p9', 'p9-to-p8', 'p9-to-p10', 'same-hardware', 'numa-change', 'x86-tsc', 'lost-ipi', 'hung-cpu', 'no-quiesce', 'e1080-1920',
      'kvm-80vcpu', 'shared-lpar-steal', 'p8-to-p9-bigcore', 'lpm-entry-flush', 'lpm-rendezvous', 'pseries-suspend-retry']) {
      expect(list.stdout).toContain(name);
    }
    const all = migpatchJson<{ name: string; guest: { vcpus: number } }[]>(['scenarios'], dir);
    expect(all).toHaveLength(BUILTIN_SCENARIOS.length);
    const edited = { ...all.find((s) => s.name === 'p8-to-p9')!, name: 'mine', guest: { ...all[0]!.guest, vcpus: 8 } };
    fs.writeFileSync(path.join(dir, 'mine.json'), JSON.stringify(edited));
    const r = migpatchJson<RecordJson>(['record', '--scenario', './mine.json', '--db', 'x.db'], dir);
    expect(r.violations).toBe(0);
  });

  test('hung-cpu: aborts are not violations, record exits 0', () => {
    const dir = tempDir();
    const r = migpatch(['record', '--scenario', 'hung-cpu', '--db', 'x.db', '--json'], dir);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as RecordJson;
    expect(out.metrics.find((m) => m.name === 'aborts')!.value).toBeGreaterThan(0);
  });
});

describe('determinism across processes', () => {
  test('same scenario and seed: same event hash in two processes; another seed: another hash', () => {
    const dir = tempDir();
    const a = migpatchJson<RecordJson>(['record', '--scenario', 'lost-ipi', '--seed', '7', '--db', 'a.db'], dir);
    const b = migpatchJson<RecordJson>(['record', '--scenario', 'lost-ipi', '--seed', '7', '--db', 'b.db'], dir);
    const c = migpatchJson<RecordJson>(['record', '--scenario', 'lost-ipi', '--seed', '8', '--db', 'a.db'], dir);
    expect(b.eventHash).toBe(a.eventHash);
    expect(b.eventCount).toBe(a.eventCount);
    expect(c.eventHash).not.toBe(a.eventHash);
  });

  test('changing only protocol parameters leaves the workload draws unchanged', () => {
    const dir = tempDir();
    // A guest that is not always busy, so processes draw bursts and sleeps from the workload stream.
    const base = ['record', '--scenario', 'lost-ipi', '--set', 'guest.utilization=0.6', '--seed', '3'];
    const a = migpatchJson<RecordJson>([...base, '--db', 'a.db'], dir);
    const b = migpatchJson<RecordJson>([...base, '--set', 'protocol.broadcastAck.ackTimeoutNs=3000000',
      '--set', 'protocol.broadcastAck.resendScope=all', '--db', 'b.db'], dir);
    expect(b.eventHash).not.toBe(a.eventHash); // the protocol did change the run
    const draws = (db: string, sql: string): Map<number, number[]> => {
      const conn = new Database(path.join(dir, db), { readonly: true });
      try {
        const byKey = new Map<number, number[]>();
        for (const [key, value] of conn.prepare(sql).raw().all() as [number, number][]) {
          byKey.set(key, [...(byKey.get(key) ?? []), value]);
        }
        return byKey;
      } finally {
        conn.close();
      }
    };
    // Each process's sequence of sleeps is the same draws; timing differs, so one run may get
    // further in a sequence than the other.
    const expectSamePrefixes = (a: Map<number, number[]>, b: Map<number, number[]>, keys: number): void => {
      expect(a.size).toBe(keys);
      let compared = 0;
      for (const [key, xs] of a) {
        const ys = b.get(key) ?? [];
        const n = Math.min(xs.length, ys.length);
        expect(ys.slice(0, n), `sequence of ${key}`).toEqual(xs.slice(0, n));
        compared += n;
      }
      expect(compared).toBeGreaterThan(keys * 5);
    };
    const sleeps = 'select pid, sleep_ns from ev_proc_sleep order by seq';
    expectSamePrefixes(draws('a.db', sleeps), draws('b.db', sleeps), 32);
    // The compared sequences reach past the point where the protocol made the runs diverge.
    const lateSleeps = draws('a.db', `select 0, count(*) from ev_proc_sleep where t_ns > (select min(t_ns) from ev_attempt_begin)`);
    expect(lateSleeps.get(0)![0]).toBeGreaterThan(32 * 5);
  });
});

describe('bad input: one line, exit 2, nothing written', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown scenario', ['--scenario', 'p8-to-p99'], /unknown scenario "p8-to-p99" \(did you mean p8-to-p9\?\)/],
    ['unreadable file', ['--scenario', 'missing.json'], /missing\.json.*(ENOENT|no such file)/i],
    ['malformed JSON', ['--scenario', 'bad.json'], /bad\.json.*(JSON|line \d+)/],
    ['unknown key', ['--scenario', 'unknown-key.json'], /unknown key guest\.vcpu \(did you mean guest\.vcpus\?\)/],
    ['wrong type', ['--set', 'guest.vcpus="many"'], /guest\.vcpus must be an integer/],
    ['zero vCPUs', ['--set', 'guest.vcpus=0'], /guest\.vcpus must be an integer >= 1, got 0/],
    ['negative vCPUs', ['--set', 'guest.vcpus=-4'], /guest\.vcpus must be an integer >= 1, got -4/],
    ['SMT mode the processor lacks', ['--set', 'destination.smt=3'], /destination\.smt 3 is not an SMT mode of POWER9/],
    ['more vCPUs than threads', ['--set', 'guest.vcpus=100', '--set', 'source.sockets=1', '--set', 'source.coresPerChip=4'], /guest\.vcpus 100 exceeds the 16 hardware threads of source/],
    ['negative latency', ['--set', 'source.latency.ipi.medianNs=-5'], /source\.latency\.ipi\.medianNs must be .*>= 0, got -5/],
    ['zero bandwidth', ['--set', 'migration.bandwidthBytesPerSec=0'], /migration\.bandwidthBytesPerSec must be .*> 0|migration\.bandwidthBytesPerSec must be .*>= 1/],
    ['unknown --set path', ['--set', 'guest.vcpu=4'], /unknown path guest\.vcpu \(did you mean guest\.vcpus\?\)/],
    ['--set without =', ['--set', 'guest.vcpus'], /--set guest\.vcpus.*=/],
    ['unknown protocol', ['--protocol', 'telepathy'], /protocol\.name.*telepathy/],
    ['bad seed', ['--seed', 'abc'], /--seed.*'abc'/],
    ['unknown option', ['--vcpus', '4'], /unknown option '--vcpus'/],
  ];

  test.each(cases)('%s', (_name, args, message) => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'bad.json'), '{ "name": "x", ');
    fs.writeFileSync(path.join(dir, 'unknown-key.json'), JSON.stringify({ extends: 'p8-to-p9', guest: { vcpu: 4 } }));
    const r = migpatch(['record', '--db', 'x.db', ...args], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(dir, 'x.db'))).toBe(false);
  });

  test('unknown run id, and no runs at all', () => {
    const dir = tempDir();
    expect(migpatch(['record', '--scenario', 'same-hardware', '--db', 'x.db'], dir).code).toBe(0);
    const before = fileDigest(path.join(dir, 'x.db'));
    const r = migpatch(['metrics', '42', '--db', 'x.db'], dir);
    expect([r.code, r.stderr.trim()]).toEqual([2, 'migpatch: unknown run 42 in x.db']);
    expect(migpatch(['metrics', 'latest', '--db', 'x.db'], dir).stderr).toMatch(/invalid run 'latest'/);
    expect(fileDigest(path.join(dir, 'x.db'))).toBe(before);
  });

  test('a database path that cannot be opened', () => {
    const dir = tempDir();
    const r = migpatch(['record', '--db', 'no/such/dir/x.db'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no\/such\/dir.*does not exist/);
    const m = migpatch(['runs', '--db', 'missing.db'], dir);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/missing\.db/);
    expect(fs.existsSync(path.join(dir, 'missing.db'))).toBe(false);
  });

  test('a file that is not a migpatch database is refused and left untouched', () => {
    const dir = tempDir();
    const text = path.join(dir, 'notes.db');
    fs.writeFileSync(text, 'these are my notes, not a database\n'.repeat(100));
    const before = fileDigest(text);
    for (const args of [['record', '--db', 'notes.db'], ['runs', '--db', 'notes.db']]) {
      const r = migpatch(args, dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/notes\.db is not an SQLite database/);
    }
    expect(fileDigest(text)).toBe(before);
  });
});
