/**
 * The documentation lives in the repository and says what the code does: docs/model.md's metrics
 * table lists exactly the metrics of src/format/metric-defs.ts with the same unit, direction and
 * definition; README.md and docs/ link only to files and sections that exist; and nothing in the
 * product points at design notes outside the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { METRICS } from '../src/format/metric-defs.js';

const MODEL_DOC = 'docs/model.md';
const BEGIN = '<!-- metrics-table:';
const END = '<!-- end metrics-table -->';

interface DocMetric {
  readonly name: string;
  readonly unit: string;
  readonly better: string;
  readonly doc: string;
}

/** The rows of the metrics table between its markers. */
function documentedMetrics(text: string): DocMetric[] {
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  expect(from, `${MODEL_DOC} has the metrics-table markers`).toBeGreaterThanOrEqual(0);
  expect(to).toBeGreaterThan(from);
  const rows = text.slice(from, to).split('\n').filter((l) => l.startsWith('| `'));
  return rows.map((row) => {
    const cells = row.split('|').slice(1, -1).map((c) => c.trim());
    expect(cells, row).toHaveLength(4);
    const [name, unit, better, doc] = cells as [string, string, string, string];
    return { name: name.replaceAll('`', ''), unit, better, doc };
  });
}

/** GitHub's anchor of a Markdown heading. */
function anchorOf(heading: string): string {
  return heading.toLowerCase().replace(/[`*_]/g, '').replace(/[^\p{L}\p{N} -]/gu, '').trim().replace(/ /g, '-');
}

function markdownFiles(): string[] {
  return ['README.md', ...fs.readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))];
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile() && /\.(ts|md|cjs|sh|json)$/.test(f));
}

describe('docs/model.md', () => {
  const text = fs.readFileSync(MODEL_DOC, 'utf8');

  test('its metrics table is src/format/metric-defs.ts: same metrics, order, units, directions, definitions', () => {
    const documented = documentedMetrics(text);
    expect(documented.map((m) => m.name)).toEqual(METRICS.map((m) => m.name));
    for (const m of METRICS) {
      const row = documented.find((d) => d.name === m.name);
      expect(row, m.name).toEqual({ name: m.name, unit: m.unit, better: m.better, doc: m.doc });
    }
  });

  test('a metric added to the code without the doc, or the other way round, is caught', () => {
    const withExtra = text.replace(END, '| `phantom_ns` | ns | lower | not in the code |\n' + END);
    expect(documentedMetrics(withExtra).map((m) => m.name)).not.toEqual(METRICS.map((m) => m.name));
    const unitChanged = text.replace('| `patch_ns` | ns |', '| `patch_ns` | count |');
    expect(documentedMetrics(unitChanged).find((m) => m.name === 'patch_ns')?.unit).toBe('count');
  });

  test('names every protocol and every fault kind the scenario accepts', async () => {
    const { PROTOCOL_NAMES } = await import('../src/protocol/registry.js');
    for (const p of PROTOCOL_NAMES) expect(text, p).toContain(`\`${p}\``);
    for (const f of ['lost-ipi', 'delayed-ipi', 'hung-cpu', 'irq-off', 'cpu-offline', 'second-migration', 'lost-notification']) {
      expect(text, f).toContain(`| \`${f}\` |`);
    }
  });
});

describe('docs/architecture.md', () => {
  test('its floors are those .dependency-cruiser.cjs enforces, in order', () => {
    const config = fs.readFileSync('.dependency-cruiser.cjs', 'utf8');
    const block = config.slice(config.indexOf('const FLOORS = ['), config.indexOf('];', config.indexOf('const FLOORS = [')));
    const enforced = [...block.matchAll(/^\s*\[([^\]]*)\]/gm)].map((m) => [...(m[1] ?? '').matchAll(/'(\w+)'/g)].map((n) => n[1]));
    const doc = fs.readFileSync('docs/architecture.md', 'utf8');
    const documented = doc.split('\n').filter((l) => /^\| \d+ \|/.test(l))
      .map((l) => [...(l.split('|')[2] ?? '').matchAll(/`(\w+)`/g)].map((n) => n[1]));
    expect(enforced.length).toBeGreaterThan(5);
    expect(documented).toEqual(enforced);
  });
});

describe('documentation stays inside the repository', () => {
  test('README.md and docs/ link only to files and sections that exist', () => {
    const problems: string[] = [];
    for (const file of markdownFiles()) {
      const body = fs.readFileSync(file, 'utf8');
      for (const [, target] of body.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (target === undefined || /^[a-z]+:/.test(target)) continue; // https:, mailto:
        const [filePart, anchor] = target.split('#') as [string, string | undefined];
        const linked = filePart === '' ? file : path.normalize(path.join(path.dirname(file), filePart));
        if (linked.startsWith('..') || !fs.existsSync(linked)) {
          problems.push(`${file}: ${target} (no such file in the repository)`);
          continue;
        }
        if (anchor === undefined || !linked.endsWith('.md')) continue;
        const anchors = fs.readFileSync(linked, 'utf8').split('\n').filter((l) => l.startsWith('#'))
          .map((l) => anchorOf(l.replace(/^#+\s*/, '')));
        if (!anchors.includes(anchor)) problems.push(`${file}: ${target} (no such section)`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('every source file README.md and docs/ name exists', () => {
    const missing = markdownFiles().flatMap((file) =>
      [...fs.readFileSync(file, 'utf8').matchAll(/(?:src|test|bench|scripts|migrations)\/[\w./-]+\.(?:ts|sh|cjs|sha256)\b/g)]
        // NNNN-what.ts is a pattern for a future file, not a name.
        .map((m) => m[0]).filter((named) => !named.includes('NNNN') && !fs.existsSync(named)).map((named) => `${file}: ${named}`));
    expect(missing).toEqual([]);
  });

  test('no source, test, bench or doc file points at design notes outside the repository', () => {
    // Spelled in pieces so that this file does not match itself.
    const outside = new RegExp(['DES', 'IGN\\.md', '|', '\\.\\./', 'shared'].join(''));
    const hits = ['README.md', ...['docs', 'src', 'test', 'bench', 'scripts', 'migrations'].flatMap(filesUnder)]
      .filter((f) => f.endsWith('.ts') || f.endsWith('.md') || f.endsWith('.sh') || f.endsWith('.cjs'))
      .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').flatMap((line, i) => (outside.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])));
    expect(hits).toEqual([]);
  });
});
