/**
 * `replay timeline` as a user runs it (the built CLI, a real trace): one decoded line per event,
 * time ranges inclusive at both ends, vCPU and kind filters alone and together, and JSON with the
 * same entries. Every count is checked against SQL on the events table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TimelineEntry } from '../src/replay/timeline.js';
import { Ev } from '../src/format/event-kinds.js';
import { migpatch } from './fixtures/cli.js';

let dir: string;
let dbPath: string;
let sql: Database.Database;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-timeline-'));
  dbPath = path.join(dir, 'trace.db');
  expect(migpatch(['record', '--db', dbPath], dir).code).toBe(0);
  sql = new Database(dbPath, { readonly: true });
});
afterAll(() => {
  sql.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const count = (where: string): number =>
  sql.prepare(`select count(*) from events where run_id = 1 and ${where}`).pluck().get() as number;
const timeOf = (kind: number, nth = 0): number =>
  sql.prepare('select t_ns from events where run_id = 1 and kind = ? order by seq limit 1 offset ?').pluck().get(kind, nth) as number;

function lines(args: string[]): string[] {
  const r = migpatch(['replay', 'timeline', '1', '--db', dbPath, ...args], dir);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** The time, vCPU and kind of a timeline line. */
function parse(line: string): { tNs: number; cpu: string; kind: string; args: string } {
  const m = /^ *(\d+) ns {2}cpu (\S+) +(\S+) *(.*)$/.exec(line);
  expect(m, line).not.toBeNull();
  return { tNs: Number(m![1]), cpu: m![2]!, kind: m![3]!, args: m![4]! };
}

describe('replay timeline', () => {
  test('one line per event, in the documented format, codes decoded', () => {
    const all = lines([]);
    expect(all).toHaveLength(count('1'));
    expect(all[0]).toBe('            0 ns  cpu -   run_begin     vcpus=16 processes=32 duration_ns=2000000000');
    expect(all).toContain('            0 ns  cpu 0   sched_switch  prev_pid=idle next_pid=0');
    const send = all.find((l) => l.includes('ipi_send'))!;
    expect(send).toMatch(/^ +\d+ ns {2}cpu 0 {3}ipi_send {6}dst=1 msg=MSG1 attempt=1$/);
    expect(all.find((l) => l.includes(' patch_begin ')))
      .toMatch(/cpu 0 {3}patch_begin {3}routine=acct\.purr_to_cputime variant=unscaled-divide words=48$/);
    expect(all.find((l) => l.includes(' mig_resume '))).toMatch(/host=p9-dst downtime_ns=\d+$/);
    expect(all.find((l) => l.includes(' cpu_state ') && l.includes('state=wait'))).toMatch(/state=wait prev_state=handler pid=\d+$/);
    expect(all.find((l) => l.includes(' attempt_end '))).toMatch(/attempt=1 outcome=patched$/);
    const times = all.map((l) => parse(l).tNs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  test('--from and --to are inclusive and select exactly the events in between', () => {
    const from = timeOf(Ev.MIG_PAUSE);
    const to = timeOf(Ev.PHASE, 2);
    const shown = lines(['--from', String(from), '--to', String(to)]);
    expect(shown).toHaveLength(count(`t_ns between ${from} and ${to}`));
    expect(parse(shown[0]!).tNs).toBe(from);
    expect(shown.some((l) => parse(l).kind === 'mig_pause')).toBe(true);
    expect(count(`t_ns < ${from}`) + shown.length + count(`t_ns > ${to}`)).toBe(count('1'));
    expect(parse(shown.at(-1)!).tNs).toBe(to);
    expect(lines(['--from', String(from), '--to', String(from)])).toHaveLength(count(`t_ns = ${from}`));
    expect(lines(['--from', String(from + 1), '--to', String(from + 1)])).toHaveLength(count(`t_ns = ${from + 1}`));
    expect(lines(['--from', '99000000000'])).toEqual([]);
  });

  test('--cpu keeps one vCPU\'s events, --kind one kind, and both together intersect', () => {
    const cpu3 = lines(['--cpu', '3']);
    expect(cpu3).toHaveLength(count('cpu = 3'));
    expect(cpu3.every((l) => parse(l).cpu === '3')).toBe(true);
    const sends = lines(['--kind', 'ipi_send']);
    expect(sends).toHaveLength(count(`kind = ${Ev.IPI_SEND}`));
    expect(sends.every((l) => parse(l).kind === 'ipi_send')).toBe(true);
    const acct = lines(['--kind', 'acct', '--cpu', '5', '--to', '1000000000']);
    expect(acct).toHaveLength(count(`kind = ${Ev.ACCT} and cpu = 5 and t_ns <= 1000000000`));
    expect(acct.length).toBeGreaterThan(10);
    const phases = lines(['--kind', 'phase', '--cpu', '0']);
    expect(phases.map((l) => parse(l).args)).toEqual([
      'phase=rendezvous attempt=1', 'phase=patching attempt=1', 'phase=releasing attempt=1', 'phase=done attempt=1',
    ]);
  });

  test('--json prints the same entries as one array, with named arguments', () => {
    const r = migpatch(['replay', 'timeline', '1', '--db', dbPath, '--kind', 'ipi_recv', '--json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout) as TimelineEntry[];
    const seqs = sql.prepare(`select seq from events where run_id = 1 and kind = ${Ev.IPI_RECV} order by seq`).pluck().all();
    expect(entries.map((e) => e.seq)).toEqual(seqs);
    expect(entries[0]).toMatchObject({ kind: 'ipi_recv', args: { msg: 'MSG1', src: 0 } });
    const empty = migpatch(['replay', 'timeline', '1', '--db', dbPath, '--from', '99000000000', '--json'], dir);
    expect(JSON.parse(empty.stdout)).toEqual([]);
    // (The whole run's JSON exceeds what the test harness buffers from a child process.)
    const cpu7 = JSON.parse(migpatch(['replay', 'timeline', '1', '--db', dbPath, '--cpu', '7', '--json'], dir).stdout) as TimelineEntry[];
    expect(cpu7).toHaveLength(count('cpu = 7'));
    expect(cpu7.map((e) => e.seq)).toEqual(sql.prepare('select seq from events where run_id = 1 and cpu = 7 order by seq').pluck().all());
    expect(cpu7.every((e) => e.cpu === 7)).toBe(true);
  });
});
