/**
 * Every SQL query shown in README.md and docs/ runs where users paste it: Python's `sqlite3` module
 * (stock SQLite, 3.40 on Debian 12, without `median()` or `percentile()`), on a real trace recorded
 * by the CLI. A query that needs more than stock SQLite must say so on a `-- needs:` line.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migpatch } from './fixtures/cli.js';

const ROOT = path.resolve(import.meta.dirname, '..');

/** The documents users read. */
function documents(): string[] {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f));
  return ['README.md', ...docs];
}

/** A documented query and where it is. */
interface DocumentedQuery {
  readonly where: string;
  readonly sql: string;
}

/** The queries of one Markdown text: ```sql blocks and the SQL of every `migpatch query "…"`. */
function queriesIn(file: string, text: string): DocumentedQuery[] {
  const found: DocumentedQuery[] = [];
  const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length;
  for (const m of text.matchAll(/```sql\n([\s\S]*?)```/g)) {
    // A block may hold several statements, each ending with `;` at the end of a line.
    let offset = m.index + '```sql\n'.length;
    for (const sql of (m[1] as string).split(/;\s*\n/)) {
      if (sql.replace(/--.*$/gm, '').trim() !== '') found.push({ where: `${file}:${lineOf(offset)}`, sql });
      offset += sql.length + 2;
    }
  }
  for (const m of text.matchAll(/migpatch query\s+"([^"]*)"/g)) {
    const sql = m[1] as string;
    if (sql === 'SQL') continue; // the synopsis, not a query
    found.push({ where: `${file}:${lineOf(m.index)}`, sql });
  }
  // Statements that write are documented as refused by `migpatch query`, not as queries to paste.
  return found.filter((q) => !/^\s*(delete|insert|update|drop|create|alter|replace)\b/i.test(q.sql));
}

describe('documented SQL runs on stock SQLite (Python sqlite3)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-docsql-'));
  const dbPath = path.join(dir, 'trace.db');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const queries = documents().flatMap((f) => queriesIn(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));

  beforeAll(() => {
    // Runs the documented examples refer to: run 1 (the default), a failing protocol, a sweep group.
    for (const args of [
      ['record', '--seed', '1'],
      ['record', '--scenario', 'hung-cpu', '--seed', '2'],
      ['record', '--scenario', 'lost-ipi', '--seed', '3'],
      ['sweep', '--scenario', 'p8-to-p9', '--seeds', '1..3', '--protocol', 'broadcast-ack,stop-machine', '--set', 'guest.vcpus=8'],
    ]) {
      const r = migpatch([...args, '--db', dbPath], ROOT);
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it('finds the documented queries', () => {
    expect(queries.length).toBeGreaterThan(15);
  });

  it('runs every one of them, or it says what it needs', () => {
    const portable = queries.filter((q) => !/^\s*--\s*needs:/m.test(q.sql));
    const out = execFileSync('python3', [path.join(import.meta.dirname, 'fixtures', 'run-sql-python.py')], {
      input: JSON.stringify({ db: dbPath, queries: portable.map((q) => q.sql) }), encoding: 'utf8',
    });
    const { results } = JSON.parse(out) as { sqlite_version: string; results: { rows?: number; error?: string }[] };
    const failures = portable.flatMap((q, i) => (results[i]?.error === undefined ? [] : [`${q.where}: ${results[i]?.error}`]));
    expect(failures).toEqual([]);
  });
});
