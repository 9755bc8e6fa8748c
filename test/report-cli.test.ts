/**
 * `migpatch report` through the built CLI in a separate process, on real SQLite traces recorded by
 * the CLI in a temporary folder (`npm run build` first): formats, lanes, grouped lanes on a large
 * guest, `--fail-on` exit codes, and bad input refused before any work.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { SqliteSink } from '../src/trace/sqlite-sink.js';
import { openTraceDb } from '../src/trace/trace-db.js';
import { migpatch, migpatchJson } from './fixtures/cli.js';
import { fakeMeta } from './fixtures/fake-run.js';

let dir: string;
const runs: Record<string, number> = {};

function record(args: string[]): number {
  return migpatchJson<{ runId: number }>(['record', '--db', 't.db', ...args], dir).runId;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env['TMPDIR'] ?? '/tmp'), 'migpatch-report-'));
  runs['p8'] = record(['--scenario', 'p8-to-p9']);
  runs['lost'] = record(['--scenario', 'lost-ipi']);
  runs['lostAll'] = record(['--scenario', 'lost-ipi', '--set', 'protocol.broadcastAck.resendScope=all']);
  runs['hung'] = record(['--scenario', 'hung-cpu']);
  runs['same'] = record(['--scenario', 'same-hardware']);
  runs['big'] = record(['--scenario', 'e1080-1920', '--set', 'run.durationNs=3500000000']);
  return () => fs.rmSync(dir, { recursive: true, force: true });
});

const read = (file: string): string => fs.readFileSync(path.join(dir, file), 'utf8');
const count = (text: string, what: string): number => text.split(what).length - 1;
/** The SVG of the figure with class `name` in an HTML report. */
const figure = (html: string, name: string): string => {
  const start = html.indexOf(`<figure class="${name}">`);
  expect(start, `figure ${name}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</figure>', start));
};

describe('HTML report', () => {
  test('a 16-vCPU run: one lane per vCPU, marks for the three messages, self-contained', () => {
    const r = migpatch(['report', String(runs['p8']), '--db', 't.db', '--out', 'p8.html'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`report of run ${runs['p8']} written to p8.html\n`);
    const html = read('p8.html');
    const timeline = figure(html, 'timeline');
    expect(count(timeline, '<g class="lane"')).toBe(16);
    for (let cpu = 0; cpu < 16; cpu++) expect(timeline).toContain(`data-cpus="${cpu}"`);
    expect(timeline).toContain('vCPU 0 (initiator)');
    // MSG1 (navy), ACK (orange) and MSG2 (green) marks, and the WAIT colour.
    for (const color of ['#0b3d91', '#e8710a', '#0f9d58', '#d93025']) expect(timeline).toContain(color);
    expect(figure(html, 'accounting')).toContain('stale +300.00 %');
    expect(html).toContain('patched (attempt 1 of 1');
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    expect(html.match(/https?:\/\/[^"]*/g)).toEqual(expect.arrayContaining(['http://www.w3.org/2000/svg']));
    expect(new Set(html.match(/https?:\/\/[^"]*/g))).toEqual(new Set(['http://www.w3.org/2000/svg']));
  });

  test('e1080-1920: lanes grouped by 16 vCPUs, and the file stays small', () => {
    const r = migpatch(['report', String(runs['big']), '--db', 't.db', '--format', 'html', '--out', 'big.html'], dir);
    expect(r.code).toBe(0);
    const html = read('big.html');
    const timeline = figure(html, 'timeline');
    expect(count(timeline, '<g class="lane"')).toBe(120);
    expect(timeline).toContain('data-cpus="0-15"');
    expect(timeline).toContain('data-cpus="1904-1919"');
    expect(fs.statSync(path.join(dir, 'big.html')).size).toBeLessThan(1_000_000);
  });

  test('a run that retried gets close-ups of its first and last attempt; a run without attempts shows the migration pause', () => {
    expect(migpatch(['report', String(runs['hung']), '--db', 't.db', '--out', 'hung.html'], dir).code).toBe(0);
    const hung = read('hung.html');
    expect(hung).toContain('gave up after 5 aborted attempt(s)');
    expect(count(hung, '<figure class="timeline-first-attempt">')).toBe(1);
    expect(count(hung, '<figure class="timeline-last-attempt">')).toBe(1);
    expect(migpatch(['report', String(runs['same']), '--db', 't.db', '--out', 'same.html'], dir).code).toBe(0);
    const same = read('same.html');
    expect(same).toContain('nothing to patch');
    expect(same).toContain('the migration pause and resume');
  });

  test('with a baseline: deltas and verdicts per metric', () => {
    const r = migpatch(['report', String(runs['lostAll']), '--baseline', String(runs['lost']), '--db', 't.db', '--out', 'vs.html'], dir);
    expect(r.code).toBe(0);
    const html = read('vs.html');
    expect(html).toContain(`<th>baseline (run ${runs['lost']})</th>`);
    expect(html).toMatch(/<td>resends<\/td><td class="num">1<\/td><td class="num">15<\/td><td class="num">\+14<\/td><td class="num">\+1400\.00 %<\/td><td>worse<\/td>/);
  });
});

describe('Markdown report', () => {
  test('--out writes the SVG charts beside it and links them', () => {
    const r = migpatch(['report', String(runs['p8']), '--db', 't.db', '--out', 'rep.md'], dir);
    expect(r.code).toBe(0);
    const md = read('rep.md');
    expect(md).toContain('![');
    expect(md).toContain('](rep-timeline.svg)');
    expect(md).toContain('](rep-accounting.svg)');
    expect(md).toMatch(/\| accounting_error_stale \| \+300\.00 % \|/);
    const svg = read('rep-timeline.svg');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(count(svg, '<g class="lane"')).toBe(16);
    expect(read('rep-accounting.svg')).toContain('accounting error');
  });

  test('without --out it goes to stdout, with no SVG files and a note saying how to get them', () => {
    const before = fs.readdirSync(dir).length;
    const r = migpatch(['report', String(runs['p8']), '--db', 't.db'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# migpatch report — run \d+: p8-to-p9/);
    expect(r.stdout).toContain('pass --out FILE.md to get it');
    expect(r.stdout).not.toContain('<svg');
    expect(fs.readdirSync(dir).length).toBe(before);
  });
});

describe('--fail-on', () => {
  const report = (args: string[]) => migpatch(['report', String(runs['lostAll']), '--db', 't.db', ...args], dir);

  test('not exceeded: exit 0', () => {
    const r = report(['--out', 'ok.html', '--fail-on', 'violations>0', '--fail-on', 'accounting_error_after>0.01']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(read('ok.html')).toContain('Checks (--fail-on): all passed');
  });

  test('exceeded: exit 1, each exceeded threshold on stderr, and the report is still written', () => {
    const r = report(['--baseline', String(runs['lost']), '--out', 'gate.html',
      '--fail-on', 'resends>+10%', '--fail-on', 'quiesce_ns>+10%', '--fail-on', 'accounting_error_stale>=3']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('migpatch: fail-on exceeded: resends>+10%: resends = 15 vs baseline 1, change +1400.00 %, threshold > +10 %');
    expect(lines[1]).toMatch(/^migpatch: fail-on exceeded: accounting_error_stale>=3: accounting_error_stale = \+300\.00 % \(3\.0+\d*\), threshold >= 3$/);
    const html = read('gate.html');
    expect(html).toContain('Checks (--fail-on): 2 exceeded');
  });

  test('malformed, unknown metric, or relative without a baseline: exit 2 before any work', () => {
    for (const [args, message] of [
      [['--fail-on', 'quiesce_ns>>1'], /--fail-on 'quiesce_ns>>1': expected METRIC \(>\|>=\|<\|<=\) \[\+\|-\]NUMBER\[%\]/],
      [['--fail-on', 'quiesce>1'], /unknown metric 'quiesce'/],
      [['--fail-on', 'quiesce_ns>+10%'], /is relative to a baseline: pass --baseline RUN/],
    ] as const) {
      const r = report([...args, '--out', 'never.html']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(fs.existsSync(path.join(dir, 'never.html'))).toBe(false);
    }
  });
});

describe('report refuses bad input with one line and exit 2, writing nothing', () => {
  test('unknown run, unknown baseline, unwritable --out, bad --format', () => {
    for (const [args, message] of [
      [['77', '--db', 't.db', '--out', 'x.html'], /^migpatch: unknown run 77 in t\.db/],
      [[String(runs['p8']), '--baseline', '78', '--db', 't.db', '--out', 'x.html'], /^migpatch: unknown run 78 in t\.db/],
      [[String(runs['p8']), '--db', 't.db', '--out', 'no/such/dir/x.html'], /^migpatch: --out no\/such\/dir\/x\.html: folder .* does not exist/],
      [[String(runs['p8']), '--db', 't.db', '--out', '.'], /^migpatch: --out \.: is a directory/],
      [[String(runs['p8']), '--db', 't.db', '--format', 'pdf'], /argument 'pdf' is invalid/],
    ] as const) {
      const r = migpatch(['report', ...args], dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(fs.existsSync(path.join(dir, 'x.html'))).toBe(false);
  });

  test('a run that never finished, as the run or as the baseline, and an empty database', async () => {
    const file = path.join(dir, 'running.db');
    const db = await openTraceDb(file, 'write');
    new SqliteSink(db).begin(fakeMeta('interrupted'));
    db.close();
    const before = fs.readFileSync(file);
    for (const args of [['1'], ['last', '--baseline', '1']]) {
      const r = migpatch(['report', ...args, '--db', 'running.db', '--out', 'y.html'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('migpatch: run 1 is still running or was interrupted (status running)\n');
    }
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    fs.writeFileSync(path.join(dir, 'empty.db'), '');
    const r = migpatch(['report', '1', '--db', 'empty.db'], dir);
    expect([r.code, r.stderr]).toEqual([2, 'migpatch: empty.db holds no migpatch trace yet (record a run first)\n']);
    expect(fs.existsSync(path.join(dir, 'y.html'))).toBe(false);
  });

  test('a markdown report whose chart file cannot be written is refused before any work', () => {
    fs.mkdirSync(path.join(dir, 'blocked-timeline.svg'));
    const r = migpatch(['report', String(runs['p8']), '--db', 't.db', '--out', 'blocked.md'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out blocked-timeline\.svg: is a directory/);
    expect(fs.existsSync(path.join(dir, 'blocked.md'))).toBe(false);
  });
});
