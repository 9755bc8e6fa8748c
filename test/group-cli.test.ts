/**
 * `migpatch diff --group A B` and `migpatch report --group G --baseline-group B`: distributions of
 * two sweep groups compared per metric with Mann–Whitney verdicts, as a user runs them (the built
 * binary, real SQLite files).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migpatch, migpatchJson } from './fixtures/cli.js';
import { useTempDirs } from './fixtures/temp-db.js';

const tempDir = useTempDirs();

interface Verdict {
  name: string;
  nA: number;
  nB: number;
  medianA: number | null;
  medianB: number | null;
  p: number | null;
  verdict: string;
}

interface GroupDiffJson {
  groupA: string;
  groupB: string;
  pairedBy: string[];
  cells: { a: { label: string; runs: number }; b: { label: string; runs: number }; metrics: Verdict[] }[];
  unpaired: { group: string; cell: string }[];
  counts: { better: number; worse: number; same: number; na: number };
}

/** A small, fast guest whose migration and patch still happen. */
const SCENARIO = ['--scenario', 'p8-to-p9', '--set', 'guest.vcpus=8', '--set', 'run.durationNs=1200000000'];

// One database of groups, swept once for the whole file (each test reads it, or copies it to write).
let shared = '';
beforeAll(() => {
  shared = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-groups-'));
  const sweep = (group: string, extra: string[]): void => {
    const r = migpatch(['sweep', ...SCENARIO, ...extra, '--group', group, '--db', 'g.db'], shared);
    if (r.code !== 0) throw new Error(r.stderr);
  };
  sweep('ba', ['--seeds', '1..10', '--protocol', 'broadcast-ack']);
  sweep('ip', ['--seeds', '1..10', '--protocol', 'int3-poke']);
  sweep('small', ['--seeds', '1..8', '--protocol', 'int3-poke']);
  sweep('both', ['--seeds', '1..9', '--protocol', 'broadcast-ack,int3-poke']);
  sweep('both-later', ['--seeds', '20..28', '--protocol', 'int3-poke,broadcast-ack,stop-machine']);
}, 300_000);
afterAll(() => fs.rmSync(shared, { recursive: true, force: true }));

function inShared(): string {
  const dir = tempDir();
  fs.copyFileSync(path.join(shared, 'g.db'), path.join(dir, 'g.db'));
  return dir;
}

describe('diff --group', () => {
  test('int3-poke against broadcast-ack on the same seeds: nobody is parked, cpu_wait_max_ns is better; patching is slower: exit 1', () => {
    const r = migpatch(['diff', '--group', 'ba', 'ip', '--db', 'g.db', '--json'], shared);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^migpatch: \d+ metric\(s\) significantly worse in group ip than in ba\n$/);
    const d = JSON.parse(r.stdout) as GroupDiffJson;
    expect(d).toMatchObject({ groupA: 'ba', groupB: 'ip', pairedBy: [], unpaired: [] });
    expect(d.cells).toHaveLength(1);
    const m = (name: string): Verdict => d.cells[0]!.metrics.find((x) => x.name === name)!;
    expect(m('cpu_wait_max_ns')).toMatchObject({ nA: 10, nB: 10, medianB: 0, verdict: 'better' });
    expect(m('cpu_wait_max_ns').medianA).toBeGreaterThan(0);
    expect(m('cpu_wait_max_ns').p).toBeLessThan(0.001);
    expect(m('cpu_wait_total_ns').verdict).toBe('better');
    expect(m('patch_ns').verdict).toBe('worse');
    // The migration does not depend on the protocol: common random numbers make it identical.
    expect(m('downtime_ns')).toMatchObject({ verdict: 'same', p: 1 });
    // int3-poke parks nobody, so it has no quiesce time: too few values to judge.
    expect(m('quiesce_ns')).toMatchObject({ nB: 0, verdict: 'n/a' });

    const text = migpatch(['diff', '--group', 'ba', 'ip', '--db', 'g.db'], shared);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^groups: ba \(baseline\) -> ip; Mann-Whitney U, two-sided, alpha 0\.05; a change counts beyond 5 % of the baseline median\n/);
    expect(text.stdout).toMatch(/broadcast-ack \(10 runs\) -> int3-poke \(10 runs\):/);
    expect(text.stdout).toMatch(/cpu_wait_max_ns\s*│ [0-9.]+ µs\s*│ 0 ns\s*│ -100\.00 %\s*│ [<0-9. ]+│ 10 \/ 10 │ better/);
    expect(text.stdout).toMatch(/\nverdict: \d+ worse, \d+ better, \d+ same, 2 n\/a \(fewer than 9 values a side\)\n$/);
  });

  test('a group against itself is the same everywhere: exit 0', () => {
    const r = migpatch(['diff', '--group', 'ba', 'ba', '--db', 'g.db', '--json'], shared);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as GroupDiffJson;
    expect(d.counts).toEqual({ better: 0, worse: 0, same: 18, na: 0 });
    expect(d.cells[0]!.metrics.every((m) => m.verdict === 'same' && m.p === 1)).toBe(true);
  });

  test('a larger threshold turns a practical change into "same"', () => {
    const d = migpatchJson<GroupDiffJson>(['diff', '--group', 'ba', 'ip', '--threshold', '5000%', '--db', 'g.db'], shared);
    expect(d.counts).toMatchObject({ worse: 0, better: 0 });
    expect(d.cells[0]!.metrics.find((m) => m.name === 'patch_ns')!.verdict).toBe('same'); // significant, but below 5000 %
  });

  test('groups varying the same parameters are paired cell by cell; cells without a counterpart are listed', () => {
    const d = migpatchJson<GroupDiffJson>(['diff', '--group', 'both', 'both-later', '--db', 'g.db'], shared);
    expect(d.pairedBy).toEqual(['protocol']);
    expect(d.cells.map((c) => [c.a.label, c.b.label])).toEqual([['broadcast-ack', 'broadcast-ack'], ['int3-poke', 'int3-poke']]);
    expect(d.unpaired).toEqual([{ group: 'both-later', cell: 'stop-machine' }]);
  });

  test('fewer than 9 runs a side, unpairable groups, unknown groups: exit 2, one line', () => {
    const cases: [string[], RegExp][] = [
      [['ba', 'small'], /^migpatch: group small, cell int3-poke: 8 complete run\(s\); comparing distributions needs at least 9 a side/],
      [['ba', 'both'], /^migpatch: groups ba and both vary different parameters \(ba: nothing; both: protocol\)/],
      [['ba', 'nope'], /^migpatch: no sweep group 'nope' in g\.db; groups: ba, ip, small, both, both-later\n$/],
    ];
    for (const [groups, message] of cases) {
      const r = migpatch(['diff', '--group', ...groups, '--db', 'g.db'], shared);
      expect(r.code, groups.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    const threshold = migpatch(['diff', '1', '2', '--threshold', '5', '--db', 'g.db'], shared);
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toMatch(/--threshold applies to group comparisons: add --group/);
  });
});

describe('report --group', () => {
  test('against a baseline group: verdicts, box plots beside the Markdown, failing seeds; exit 1 when a metric is worse', () => {
    const dir = inShared();
    const r = migpatch(['report', '--group', 'ip', '--baseline-group', 'ba', '--out', 'r.md', '--db', 'g.db'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('report of sweep group ip written to r.md and r-distributions.svg\n');
    expect(r.stderr).toMatch(/significantly worse in group ip than in ba/);
    const md = fs.readFileSync(path.join(dir, 'r.md'), 'utf8');
    expect(md).toMatch(/^# migpatch report — sweep group ip against ba\n/);
    expect(md).toMatch(/\n## Verdicts: \d+ worse, \d+ better, \d+ same, 2 n\/a\n/);
    expect(md).toMatch(/\| ✓ cpu_wait_max_ns \| [0-9.]+ µs \| 0 ns \| -100\.00 % \| \\< 0\.0001 \| 10 \/ 10 \| better \|/);
    expect(md).toContain('![Per metric, on its own scale: ba: broadcast-ack against ip: int3-poke.](r-distributions.svg)');
    expect(md).toMatch(/\n## Failing seeds: none\n/);
    const svg = fs.readFileSync(path.join(dir, 'r-distributions.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('cpu_wait_max_ns');

    const html = migpatch(['report', '--group', 'ip', '--baseline-group', 'ba', '--out', 'r.html', '--db', 'g.db'], dir);
    expect(html.code).toBe(1);
    const page = fs.readFileSync(path.join(dir, 'r.html'), 'utf8');
    expect(page).toMatch(/<tr class="good"><td>cpu_wait_max_ns<\/td>/);
    expect(page).toContain('<figure class="distributions"><svg');
  });

  test('a group alone: its distributions, exit 0; the same group as baseline: exit 0', () => {
    const alone = migpatch(['report', '--group', 'both', '--db', 'g.db'], shared);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toMatch(/^# migpatch report — sweep group both\n/);
    expect(alone.stdout).toMatch(/\| metric \| p50 \| p95 \| p99 \| max \|/);
    expect(alone.stdout).not.toContain('## Verdicts');
    expect(migpatch(['report', '--group', 'ba', '--baseline-group', 'ba', '--db', 'g.db'], shared).code).toBe(0);
  });

  test('failing seeds are listed with their record line', () => {
    const dir = tempDir();
    migpatchJson(['sweep', ...SCENARIO, '--seeds', '1..2', '--protocol', 'no-quiesce', '--group', 'nq', '--db', 'x.db'], dir);
    const r = migpatch(['report', '--group', 'nq', '--db', 'x.db'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n## Failing seeds: 2\n\n- seed 1 \(no-quiesce, run 1\): \d+ unexpected invariant violation\(s\) — reproduce: migpatch record --scenario p8-to-p9 --seed 1 --protocol no-quiesce --set guest\.vcpus=8 --set run\.durationNs=1200000000\n/);
  });

  test('modes do not mix: exit 2, one line', () => {
    const cases: [string[], RegExp][] = [
      [['report'], /give a RUN \(an id or last\), or --group NAME/],
      [['report', '1', '--group', 'ba'], /give either a RUN \(1\) or --group ba, not both/],
      [['report', '--group', 'ba', '--fail-on', 'violations>0'], /--fail-on applies to run reports/],
      [['report', '--group', 'ba', '--baseline', '1'], /--baseline compares runs; compare groups with --baseline-group/],
      [['report', '1', '--baseline-group', 'ba'], /--baseline-group applies to group reports/],
      [['report', '--group', 'ba', '--threshold', '5'], /--threshold needs --baseline-group/],
      [['report', '--group', 'ip', '--baseline-group', 'small'], /8 complete run\(s\)/],
    ];
    for (const [args, message] of cases) {
      const r = migpatch([...args, '--db', 'g.db'], shared);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
