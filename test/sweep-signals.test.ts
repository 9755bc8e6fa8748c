/**
 * A sweep stopped part-way, as a user stops one: the built binary in a child process, signalled
 * (SIGINT, SIGTERM) or killed (SIGKILL) while it stores runs in a real SQLite file. What completed
 * is kept, no run is left 'running', the group is reported incomplete (exit 2 without
 * --allow-partial, and said with it), and `sweep --resume` completes it with the same per-run
 * event hashes as a sweep that was never stopped.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migpatch } from './fixtures/cli.js';
import { peek, rows, sleep, startMigpatch, waitForRuns } from './fixtures/sweep-process.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

const SEEDS = 200;
const SWEEP = ['sweep', '--scenario', 'p8-to-p9', '--set', 'guest.vcpus=8', '--seeds', `1..${SEEDS}`, '--jobs', '2', '--group', 'g'];
const RESUME = ['sweep', '--resume', 'g', '--jobs', '2'];

/** Seed → event hash of the uninterrupted sweep. */
let reference: Map<number, string>;
/** How long the uninterrupted sweep took, in ms: the crash test's kill moments spread over it. */
let referenceMs = 0;
let refDir = '';

beforeAll(() => {
  refDir = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-ref-'));
  const started = performance.now();
  const r = migpatch([...SWEEP, '--db', 'ref.db'], refDir);
  referenceMs = performance.now() - started;
  expect(r.code, r.stderr).toBe(0);
  reference = hashesBySeed(path.join(refDir, 'ref.db'));
  expect(reference.size).toBe(SEEDS);
});

afterAll(() => {
  fs.rmSync(refDir, { recursive: true, force: true });
});

function hashesBySeed(file: string): Map<number, string> {
  const stored = rows<{ seed: number; event_hash: string }>(file,
    "select seed, event_hash from runs where group_name = 'g' and status = 'complete' order by run_id");
  const bySeed = new Map<number, string>();
  for (const r of stored) {
    expect(bySeed.has(r.seed), `seed ${r.seed} stored once`).toBe(false);
    bySeed.set(r.seed, r.event_hash);
  }
  return bySeed;
}

function statusCounts(file: string): Record<string, number> {
  const counted = rows<{ status: string; n: number }>(file, "select status, count(*) as n from runs where group_name = 'g' group by status");
  return Object.fromEntries(counted.map((r) => [r.status, r.n]));
}

/** What every reader must find after any stop: a sound file, no run shown running, no partial run shown complete. */
function expectSound(dir: string, file: string): void {
  expect(peek(file, 'pragma integrity_check')).toBe('ok');
  const incompleteTotals = peek(file, `select count(*) from runs where status = 'complete'
    and (event_count is null or event_hash is null or end_ns is null or violations is null
      or not exists (select 1 from metrics m where m.run_id = runs.run_id))`);
  expect(incompleteTotals).toBe(0);
  const listed = migpatch(['runs', '--db', file, '--json'], dir);
  expect(listed.code, listed.stderr).toBe(0);
  const runs = JSON.parse(listed.stdout) as { status: string }[];
  expect(runs.filter((r) => r.status === 'running')).toEqual([]);
}

describe('sweep stopped by a signal', () => {
  test('SIGINT: completed runs kept, none running, the group refused as incomplete, then resumed to the same hashes', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'trace.db');
    const sweep = startMigpatch([...SWEEP, '--db', db], dir);
    expect(await waitForRuns(db, 'g', 10, sweep)).toBe(true);
    sweep.child.kill('SIGINT');
    const ended = await sweep.ended;
    expect(ended.code, ended.stderr).toBe(130);
    // The orderly stop (not the forced exit after the grace period) says what it kept and how to go on.
    const stored = Number(/(\d+) of 200 planned runs stored/.exec(ended.stderr)?.[1]);
    expect(stored).toBeGreaterThanOrEqual(10);
    expect(stored).toBeLessThan(SEEDS);
    expect(ended.stderr).toContain(`migpatch sweep --resume g --db ${db}`);
    expect(statusCounts(db)).toEqual({ complete: stored });
    expectSound(dir, db);
    expect(peek(db, "select planned_runs from sweeps where group_name = 'g'")).toBe(SEEDS);

    // Readers refuse the partial group, naming it, unless allowed; allowed, they still say so.
    const report = migpatch(['report', '--group', 'g', '--db', db], dir);
    expect(report.code).toBe(2);
    expect(report.stdout).toBe('');
    expect(report.stderr.trim().split('\n')).toHaveLength(1);
    expect(report.stderr).toContain(`sweep group g is incomplete: ${stored} of 200 planned runs stored`);
    const refDb = path.join(refDir, 'ref.db');
    for (const args of [['g', 'g', '--db', db, '--db-b', refDb], ['g', 'g', '--db', refDb, '--db-b', db]]) {
      const diff = migpatch(['diff', '--group', ...args], dir);
      expect(diff.code).toBe(2);
      expect(diff.stderr).toContain('is incomplete');
    }
    const baseline = migpatch(['report', '--group', 'g', '--baseline-group', 'g', '--db', db], dir);
    expect(baseline.code).toBe(2);

    const partial = migpatch(['report', '--group', 'g', '--db', db, '--allow-partial'], dir);
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stdout).toContain(`Warning: sweep group g is incomplete: ${stored} of 200 planned runs stored`);
    expect(partial.stderr).toContain('is incomplete');
    const html = migpatch(['report', '--group', 'g', '--db', db, '--allow-partial', '--format', 'html'], dir);
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toContain('is incomplete');
    const diffJson = migpatch(['diff', '--group', 'g', 'g', '--db', refDb, '--db-b', db, '--allow-partial', '--json'], dir);
    expect(diffJson.code, diffJson.stderr).toBe(0);
    expect((JSON.parse(diffJson.stdout) as { incomplete: string[] }).incomplete).toEqual([
      `sweep group g is incomplete: ${stored} of 200 planned runs stored (complete it with: migpatch sweep --resume g --db ${db})`,
    ]);
    const listed = migpatch(['runs', '--db', db, '--json'], dir);
    expect(listed.stderr).toContain('sweep group g is incomplete');
    const runs = JSON.parse(listed.stdout) as { incompleteGroup: string | null }[];
    expect(runs.every((r) => r.incompleteGroup === 'g')).toBe(true);

    // Resume runs only what is missing; the hashes are those of the uninterrupted sweep.
    const resumed = migpatch([...RESUME, '--db', db, '--json'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as { runs: number; resumed: boolean }).runs).toBe(SEEDS - stored);
    expect(hashesBySeed(db)).toEqual(reference);
    expect(statusCounts(db)).toEqual({ complete: SEEDS });
    const whole = migpatch(['report', '--group', 'g', '--db', db], dir);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).not.toContain('incomplete');
    const quiet = migpatch(['runs', '--db', db], dir);
    expect(quiet.stderr).toBe('');

    // Resuming again is a no-op that says so; nothing is written.
    const again = migpatch([...RESUME, '--db', db], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is complete (200 of 200 planned runs stored): nothing to resume');
    expect(peek(db, 'select count(*) from runs')).toBe(SEEDS);
  });

  test('SIGTERM: exit 143, completed runs kept, none running', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'trace.db');
    const sweep = startMigpatch([...SWEEP, '--db', db], dir);
    expect(await waitForRuns(db, 'g', 1, sweep)).toBe(true);
    sweep.child.kill('SIGTERM');
    const ended = await sweep.ended;
    expect(ended.code, ended.stderr).toBe(143);
    expect(ended.stderr).toMatch(/sweep g interrupted by SIGTERM: \d+ of 200 planned runs stored; run the rest with: migpatch sweep --resume g/);
    expectSound(dir, db);
    expect(migpatch(['report', '--group', 'g', '--db', db], dir).code).toBe(2);
  });
});

/** A small seeded generator (a 32-bit LCG): the kill moments are random but the same on every run. */
function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('sweep killed with SIGKILL', () => {
  test('at 10 seeded moments: the file stays sound, no partial run reads complete, and resume completes the group', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'trace.db');
    const uniform = seededUniform(9);
    const KILLS = 10;
    for (let k = 0; k < KILLS; k++) {
      // From 0.2 s to the end of a whole sweep: early kills land before the group exists, late ones after it is whole.
      const atMs = 200 + uniform() * Math.max(0, referenceMs - 200);
      const groupExists = peek(db, "select count(*) from sweeps where group_name = 'g'") === 1;
      const run = startMigpatch(groupExists ? [...RESUME, '--db', db] : [...SWEEP, '--db', db], dir);
      await Promise.race([sleep(atMs), run.ended]);
      run.child.kill('SIGKILL');
      const ended = await run.ended;
      expect(ended.signal === 'SIGKILL' || ended.code === 0 || ended.code === 2, `${ended.code} ${ended.stderr}`).toBe(true);
      if (!fs.existsSync(db)) continue;
      expectSound(dir, db);
      const stored = Number(peek(db, "select count(*) from runs where group_name = 'g'") ?? 0);
      if (peek(db, "select count(*) from sweeps where group_name = 'g'") === 1 && stored < SEEDS) {
        const report = migpatch(['report', '--group', 'g', '--db', db], dir);
        expect(report.code).toBe(2);
        expect(report.stderr).toContain(`sweep group g is incomplete: ${stored} of 200 planned runs stored`);
      }
    }
    // Whatever the kills left, a fresh sweep or a resume completes the group with the reference hashes.
    if (peek(db, "select count(*) from sweeps where group_name = 'g'") !== 1) {
      expect(migpatch([...SWEEP, '--db', db], dir).code).toBe(0);
    } else if (Number(peek(db, "select count(*) from runs where group_name = 'g'")) < SEEDS) {
      const resumed = migpatch([...RESUME, '--db', db], dir);
      expect(resumed.code, resumed.stderr).toBe(0);
    }
    expect(hashesBySeed(db)).toEqual(reference);
    expectSound(dir, db);
  });
});
