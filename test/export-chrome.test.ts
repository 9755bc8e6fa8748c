/**
 * `migpatch export RUN --format chrome` as a user runs it: the built binary in a separate process
 * on real traces of several built-in scenarios, each export checked by the structural checker
 * (slices nest per track, flow ids numeric and paired, timestamps ordered per track) and compared
 * with the trace it came from; partial exports of an interrupted run; and every bad input.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordRun } from '../src/app/record-run.js';
import { checkChromeTraceFile } from '../src/export/check-chrome-trace.js';
import { GUEST_PID } from '../src/export/chrome-export.js';
import { PROTOCOL_NAMES } from '../src/protocol/registry.js';
import { loadScenario } from '../src/scenario/load-scenario.js';
import { CPU_STATE_NAMES } from '../src/format/event-kinds.js';
import type { TraceSink } from '../src/format/trace-types.js';
import { SqliteSink } from '../src/trace/sqlite-sink.js';
import { openTraceDb } from '../src/trace/trace-db.js';
import { migpatch, type CliResult } from './fixtures/cli.js';

/** The scenarios exported, with their run ids in the shared trace. */
const SCENARIOS = ['p8-to-p9', 'hung-cpu', 'lost-ipi'] as const;
const DB = 'trace.db';
let dir = '';

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-export-'));
  for (const scenario of SCENARIOS) {
    const r = migpatch(['record', '--scenario', scenario, '--db', DB], dir);
    if (r.code !== 0) throw new Error(`record ${scenario} failed: ${r.stderr}`);
  }
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One event of an export, loosely typed for assertions. */
interface TraceEvent {
  ph: string;
  pid: number;
  tid?: number;
  ts?: number;
  dur?: number;
  id?: number | string;
  name: string;
  bp?: string;
  cat?: string;
  args?: Record<string, unknown>;
}

function exportRun(runId: number, file: string, ...more: string[]): { r: CliResult; events: TraceEvent[]; text: string } {
  const r = migpatch(['export', String(runId), '--format', 'chrome', '--db', DB, '--out', file, ...more], dir);
  if (r.code !== 0) throw new Error(`export ${runId} exited ${r.code}: ${r.stderr}`);
  const text = fs.readFileSync(path.join(dir, file), 'utf8');
  return { r, events: (JSON.parse(text) as { traceEvents: TraceEvent[] }).traceEvents, text };
}

function sqlValue<T>(sql: string, ...params: unknown[]): T {
  const db = new Database(path.join(dir, DB), { readonly: true });
  try {
    return db.prepare(sql).pluck().get(...params) as T;
  } finally {
    db.close();
  }
}

function digest(file: string): string {
  return fs.existsSync(file) ? crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') : 'absent';
}

describe.each(SCENARIOS.map((s, i) => [s, i + 1] as const))('export of %s', (scenario, runId) => {
  let events: TraceEvent[] = [];
  let text = '';
  beforeAll(() => {
    ({ events, text } = exportRun(runId, `${scenario}.json`));
  });

  test('the structural checker accepts it: slices nest, flow ids numeric and paired, times ordered per track', async () => {
    const report = await checkChromeTraceFile(path.join(dir, `${scenario}.json`));
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.flows).toBeGreaterThan(0);
  });

  test('the container and the time format: microseconds with exactly three fraction digits', () => {
    expect(text.startsWith('{"traceEvents":[\n')).toBe(true);
    expect(text.endsWith('\n],"displayTimeUnit":"ns"}\n')).toBe(true);
    const times = [...text.matchAll(/"(?:ts|dur)":([^,}]+)/g)].map((m) => m[1]);
    expect(times.length).toBeGreaterThan(1000);
    expect(times.filter((t) => !/^[0-9]+\.[0-9]{3}$/.test(t ?? ''))).toEqual([]);
  });

  test('one named track per vCPU, plus the protocol and migration tracks; M events only name', () => {
    const vcpus = sqlValue<number>('select count(*) from vcpus where run_id = ?', runId);
    const names = events.filter((e) => e.ph === 'M');
    expect(new Set(names.map((e) => e.name))).toEqual(new Set(['process_name', 'thread_name']));
    const threads = names.filter((e) => e.name === 'thread_name').map((e) => e.args?.['name']);
    expect(threads.filter((n) => String(n).startsWith('vCPU '))).toHaveLength(vcpus);
    expect(threads).toEqual(expect.arrayContaining(['protocol attempts', 'protocol phases', 'migration']));
    expect(names.find((e) => e.name === 'process_name')?.args?.['name']).toBe(`guest: ${scenario} (run ${runId}, seed 1, broadcast-ack)`);
  });

  test('every state interval is a slice on its vCPU track, with the state name', () => {
    const intervals = sqlValue<number>('select count(*) from cpu_intervals where run_id = ? and end_ns > start_ns', runId);
    const stateSlices = events.filter((e) => e.ph === 'X' && (e.tid ?? GUEST_PID) < GUEST_PID && CPU_STATE_NAMES.includes(e.name));
    expect(stateSlices).toHaveLength(intervals);
    const waits = sqlValue<number>('select count(*) from cpu_intervals where run_id = ? and state = 4', runId);
    expect(stateSlices.filter((e) => e.name === 'wait')).toHaveLength(waits);
  });

  test('MSG1, ACK and MSG2 are flow arrows between sender and receiver, id = the send seq', () => {
    const flows = events.filter((e) => e.ph === 's' || e.ph === 'f');
    expect(flows.every((e) => typeof e.id === 'number')).toBe(true);
    expect(flows.filter((e) => e.ph === 'f').every((e) => e.bp === 'e')).toBe(true);
    const delivered = sqlValue<number>('select count(*) from ipi where run_id = ? and (recv_ns is not null or lost_ns is not null)', runId);
    expect(flows.filter((e) => e.ph === 's')).toHaveLength(delivered);
    for (const msg of ['MSG1', 'ACK', 'MSG2']) {
      const sent = sqlValue<number>('select count(*) from ipi where run_id = ? and msg = ? and (recv_ns is not null or lost_ns is not null)', runId, msg);
      expect(flows.filter((e) => e.ph === 's' && e.name === msg), msg).toHaveLength(sent);
    }
    // A flow from the send (on the sender's track) to the delivery (on the receiver's track).
    const first = sqlValue<number>("select min(send_seq) from ipi where run_id = ? and msg = 'MSG1' and recv_ns is not null", runId);
    const [src, dst] = [
      sqlValue<number>('select src from ipi where run_id = ? and send_seq = ?', runId, first),
      sqlValue<number>('select dst from ipi where run_id = ? and send_seq = ?', runId, first),
    ];
    const ends = flows.filter((e) => e.id === first);
    expect(ends.map((e) => [e.ph, e.tid])).toEqual([['s', src], ['f', dst]]);
    // Each flow point sits on a marker slice that starts where it is, on the same track (DevTools
    // binds by exact ts, pid, tid and cat); flow points come last, starts before finishes.
    for (const flow of flows) {
      expect(events.some((e) => e.ph === 'X' && e.tid === flow.tid && e.pid === flow.pid && e.ts === flow.ts && e.dur === 0 && e.cat === undefined)).toBe(true);
      expect(flow.cat).toBeUndefined();
    }
    expect(events.slice(events.length - flows.length)).toEqual(flows);
    const firstS = new Map<unknown, number>();
    for (const [i, e] of flows.entries()) if (e.ph === 's') firstS.set(e.id, i);
    for (const [i, e] of flows.entries()) if (e.ph === 'f') expect(firstS.get(e.id)).toBeLessThan(i);
  });

  test('counters: accounting error and migration dirty bytes, numeric', () => {
    const counters = events.filter((e) => e.ph === 'C');
    const acct = counters.filter((e) => e.name === 'accounting error');
    expect(acct.length).toBe(sqlValue<number>('select count(*) from acct_series where run_id = ? and error is not null', runId));
    expect(acct.every((e) => typeof e.args?.['error'] === 'number')).toBe(true);
    const dirty = counters.filter((e) => e.name === 'migration dirty bytes').map((e) => e.args?.['dirty_bytes']);
    const rounds = sqlValue<number>('select count(*) from ev_mig_round where run_id = ?', runId);
    expect(dirty).toHaveLength(rounds + 1);
    expect(dirty.at(-1)).toBe(0);
    // The stale window of a POWER8 -> POWER9 run overcharges by about +300 %.
    expect(Math.max(...acct.map((e) => e.args?.['error'] as number))).toBeGreaterThan(2.5);
  });

  test('migration phases and protocol attempts on their own tracks', () => {
    const on = (name: string): string[] => {
      const tid = events.find((e) => e.ph === 'M' && e.args?.['name'] === name)?.tid;
      return events.filter((e) => e.ph === 'X' && e.tid === tid).map((e) => e.name);
    };
    expect(on('migration')).toEqual(expect.arrayContaining(['pre-copy round 1 (full copy)', 'paused (stop-and-copy, downtime)', 'resumed on p9-dst']));
    const attempts = sqlValue<number>('select count(*) from attempts where run_id = ?', runId);
    expect(on('protocol attempts').filter((n) => n.startsWith('attempt '))).toHaveLength(attempts);
    expect(on('protocol phases')).toContain('rendezvous');
  });
});

describe('what each scenario shows', () => {
  test('hung-cpu: five aborted attempts, the give-up, and the hung vCPU never acknowledging', () => {
    const { events } = exportRun(2, 'hung.json');
    const attempts = events.filter((e) => e.ph === 'X' && e.name.startsWith('attempt ')).map((e) => e.name);
    expect(attempts).toEqual([1, 2, 3, 4, 5].map((n) => `attempt ${n}: aborted`));
    expect(events.some((e) => e.name === 'give up after 5 attempts')).toBe(true);
    expect(events.some((e) => e.tid === 5 && e.name === 'fault: hung_cpu')).toBe(true);
    expect(events.some((e) => e.ph === 's' && e.tid === 5 && e.name === 'ACK')).toBe(false);
    expect(events.some((e) => e.ph === 'X' && e.tid === 5 && e.name === 'hung')).toBe(true);
  });

  test('lost-ipi: the lost MSG1 ends its arrow on vCPU 3 where it was lost, then the resend arrives', () => {
    const { events } = exportRun(3, 'lost.json');
    const lost = events.filter((e) => e.tid === 3 && e.name === 'MSG1 from vCPU 0 lost');
    expect(lost).toHaveLength(1);
    expect(events.filter((e) => e.ph === 'f' && e.tid === 3 && e.ts === lost[0]!.ts)).toMatchObject([{ name: 'MSG1' }]);
    expect(events.some((e) => e.name === 'resend MSG1 (round 1)')).toBe(true);
    expect(events.filter((e) => e.tid === 3 && e.name === 'MSG1 from vCPU 0')).toHaveLength(1);
  });

  test('p8-to-p9: each routine rewrite on its routine\'s track, during the modifier\'s patching state', () => {
    const { events } = exportRun(1, 'patch.json');
    const tracks = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, String(e.args?.['name'])]));
    const rewrites = events.filter((e) => e.ph === 'X' && e.name.startsWith('rewrite to '));
    expect(rewrites.map((e) => [tracks.get(e.tid), e.name, e.args?.['modifier']])).toEqual([
      ['code: acct.purr_to_cputime', 'rewrite to unscaled-divide', 0],
      ['code: cpu.feature_fixups', 'rewrite to pvr-0x004e1202', 0],
    ]);
    const patching = events.find((e) => e.ph === 'X' && e.tid === 0 && e.name === 'patching')!;
    for (const p of rewrites) {
      expect(p.ts!).toBeGreaterThanOrEqual(patching.ts!);
      expect(p.ts! + p.dur!).toBeLessThanOrEqual(patching.ts! + patching.dur! + 1e-9);
    }
  });

  test('stdout and --out give the same bytes; --check reads the file back', () => {
    const { r } = exportRun(1, 'out.json', '--check');
    expect(r.stdout).toMatch(/^run 1 \(p8-to-p9\) exported to out\.json: \d+ events/);
    expect(r.stdout).toMatch(/\ncheck: ok \(/);
    // A short run: the test helper buffers at most 1 MiB of a child's stdout.
    const short = ['--db', 'short.db'];
    expect(migpatch(['record', '--set', 'run.durationNs=1250000000', ...short], dir).code).toBe(0);
    expect(migpatch(['export', 'last', ...short, '--out', 'short.json'], dir).code).toBe(0);
    const stdout = migpatch(['export', '1', ...short], dir);
    expect(stdout.code).toBe(0);
    expect(stdout.stdout.length).toBeGreaterThan(100_000);
    expect(stdout.stdout).toBe(fs.readFileSync(path.join(dir, 'short.json'), 'utf8'));
  });
});

describe('every protocol', () => {
  // Other protocols park nobody (int3-poke) or patch at once (no-quiesce), rewrite routines
  // interleaved, or use other messages: the layout must hold for all of them.
  test.each(PROTOCOL_NAMES.flatMap((p) => [['p8-to-p9', p], ['hung-cpu', p]]))('%s with %s: checked, nothing clipped', async (scenario, protocol) => {
    const db = `${scenario}-${protocol}.db`;
    expect(migpatch(['record', '--scenario', scenario, '--protocol', protocol, '--db', db], dir).code).not.toBe(2);
    const r = migpatch(['export', 'last', '--db', db, '--out', `${db}.json`], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/clipped/);
    const report = await checkChromeTraceFile(path.join(dir, `${db}.json`));
    expect(report.problems).toEqual([]);
  });
});

describe('a run that never finished', () => {
  let partialDir = '';
  beforeAll(async () => {
    partialDir = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-partial-'));
    const db = await openTraceDb(path.join(partialDir, 'p.db'), 'write');
    try {
      // A recorder that dies before finishing: every event is written, the run stays 'running'.
      const inner = new SqliteSink(db);
      const crashing: TraceSink = { begin: (m) => inner.begin(m), write: (b) => inner.write(b), finish: () => undefined, fail: (r) => inner.fail(r) };
      recordRun({ scenario: loadScenario('p8-to-p9', []), seed: 1, label: 'crashed', sink: crashing });
      recordRun({ scenario: loadScenario('p8-to-p9', []), seed: 1, label: 'complete', sink: new SqliteSink(db) });
    } finally {
      db.close();
    }
  });
  afterAll(() => fs.rmSync(partialDir, { recursive: true, force: true }));

  test('is refused with a pointer to --partial, and no file is written', () => {
    const r = migpatch(['export', '1', '--db', 'p.db', '--out', 'p.json'], partialDir);
    expect([r.code, r.stderr.trim()]).toEqual([2, 'migpatch: run 1 is still running or was interrupted (status running); export what it recorded with --partial']);
    expect(fs.readdirSync(partialDir).filter((f) => f.endsWith('.json') || f.endsWith('.tmp'))).toEqual([]);
  });

  test('--partial rebuilds its states from the events: the same vCPU tracks as the complete run', async () => {
    const partial = migpatch(['export', '1', '--db', 'p.db', '--out', 'p1.json', '--partial', '--check'], partialDir);
    expect(partial.code).toBe(0);
    expect(partial.stdout).toMatch(/\(partial: running\)/);
    expect(migpatch(['export', '2', '--db', 'p.db', '--out', 'p2.json'], partialDir).code).toBe(0);
    const vcpuLines = (file: string): string[] => fs.readFileSync(path.join(partialDir, file), 'utf8')
      .split('\n').filter((l) => /"tid":[0-9]{1,2},/.test(l));
    const lines = vcpuLines('p1.json');
    expect(lines.length).toBeGreaterThan(6000);
    expect(lines).toEqual(vcpuLines('p2.json'));
    const report = await checkChromeTraceFile(path.join(partialDir, 'p1.json'));
    expect(report.ok).toBe(true);
    expect(fs.readFileSync(path.join(partialDir, 'p1.json'), 'utf8')).toContain('partial: running');
  });
});

describe('bad input: one line, exit 2, nothing written or modified', () => {
  function expectRefused(args: string[], message: RegExp, cwd = dir): void {
    const before = digest(path.join(dir, DB));
    const r = migpatch(['export', ...args], cwd);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(new RegExp(`^migpatch: [^\\n]*${message.source}[^\\n]*\\n$`)); // one line, no stack
    expect(digest(path.join(dir, DB))).toBe(before);
    expect(fs.readdirSync(cwd).filter((f) => /^bad.*\.json$|\.tmp$/.test(f))).toEqual([]);
  }

  test('an unknown run id', () => {
    expectRefused(['99', '--db', DB, '--out', 'bad.json'], /unknown run 99 in trace\.db/);
    expectRefused(['latest', '--db', DB, '--out', 'bad.json'], /invalid run 'latest'/);
  });

  test('an unknown format', () => {
    expectRefused(['1', '--format', 'perfetto', '--db', DB, '--out', 'bad.json'], /--format.*'perfetto' is invalid.*chrome/);
  });

  test('an --out path that cannot be written is refused before any work', () => {
    expectRefused(['1', '--db', DB, '--out', 'no/such/dir/bad.json'], /--out no\/such\/dir\/bad\.json: folder .* does not exist/);
    fs.mkdirSync(path.join(dir, 'bad-folder'));
    expectRefused(['1', '--db', DB, '--out', 'bad-folder'], /--out bad-folder: is a directory/);
    fs.rmdirSync(path.join(dir, 'bad-folder'));
    expectRefused(['1', '--db', 'missing.db', '--out', 'no/such/dir/bad.json'], /--out .*does not exist/);
  });

  test('--check without --out', () => {
    expectRefused(['1', '--db', DB, '--check'], /--check needs --out/);
  });

  test('an empty, a foreign and a missing database', () => {
    new Database(path.join(dir, 'bad-empty.db')).close();
    const foreign = new Database(path.join(dir, 'bad-foreign.db'));
    foreign.exec('create table notes (body text)');
    foreign.close();
    const sums = [digest(path.join(dir, 'bad-empty.db')), digest(path.join(dir, 'bad-foreign.db'))];
    const r1 = migpatch(['export', '1', '--db', 'bad-empty.db'], dir);
    expect([r1.code, r1.stderr.trim()]).toEqual([2, 'migpatch: bad-empty.db holds no migpatch trace yet (record a run first)']);
    const r2 = migpatch(['export', '1', '--db', 'bad-foreign.db'], dir);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/bad-foreign\.db is an SQLite database but not a migpatch trace/);
    expect([digest(path.join(dir, 'bad-empty.db')), digest(path.join(dir, 'bad-foreign.db'))]).toEqual(sums);
    for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('bad-'))) fs.rmSync(path.join(dir, f));
    expectRefused(['1', '--db', 'missing.db'], /no trace database at missing\.db/);
  });
});
