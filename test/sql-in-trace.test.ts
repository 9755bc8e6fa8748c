/**
 * SQL lives in src/trace only: the dependency rule `sql-only-in-trace` reports a module elsewhere
 * that imports better-sqlite3 or Kysely, and no module outside src/trace reaches the raw connection
 * (`db.sqlite`, `db.kysely`) of an open trace to run SQL of its own.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');

/** Folders exempt from the check below: none (export/ and replay/ moved their SQL into src/trace too). */
const PENDING: readonly string[] = [];

/** A use of an open trace's raw connection, `db.sqlite` or `db.kysely` (not a `.sqlite` file name in quotes). */
const RAW_CONNECTION = /\.(sqlite|kysely)\b(?!['`])/;

/** Every .ts file under `dir`, relative to ROOT. */
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
}

describe('SQL only in src/trace', () => {
  it('reports a module outside src/trace that imports better-sqlite3 or Kysely', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migpatch-sql-rule-'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    fs.mkdirSync(path.join(dir, 'src', 'report'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'src', 'trace'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', 'report', 'facts.ts'), "import Database from 'better-sqlite3';\nexport const db = Database;\n");
    fs.writeFileSync(path.join(dir, 'src', 'report', 'query.ts'), "import { sql } from 'kysely';\nexport const q = sql;\n");
    fs.writeFileSync(path.join(dir, 'src', 'trace', 'store.ts'), "import Database from 'better-sqlite3';\nexport const db = Database;\n");
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
    let output: string;
    try {
      output = execFileSync(DEPCRUISE, ['src', '--config', CONFIG, '--output-type', 'err'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      const e = err as { stdout: string; stderr: string };
      output = `${e.stdout}${e.stderr}`;
    }
    expect(output).toMatch(/sql-only-in-trace: src\/report\/facts\.ts → \S*node_modules\/better-sqlite3\//);
    expect(output).toMatch(/sql-only-in-trace: src\/report\/query\.ts → \S*node_modules\/kysely\//);
    expect(output).not.toMatch(/sql-only-in-trace: src\/trace\//);
  });

  it('no module outside src/trace reaches the raw connection of a trace', () => {
    const offenders = sources('src')
      .filter((f) => !f.startsWith('src/trace/') && !PENDING.some((p) => f.startsWith(p)))
      .flatMap((f) => fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n')
        .map((line, i) => ({ at: `${f}:${i + 1}`, line }))
        .filter(({ line }) => RAW_CONNECTION.test(line)))
      .map(({ at, line }) => `${at}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });

  it('the check finds a use of the raw connection, and not a file name', () => {
    expect(RAW_CONNECTION.test("  const n = db.sqlite.prepare('select 1').get();")).toBe(true);
    expect(RAW_CONNECTION.test('  const rows = await this.#db.kysely.selectFrom(\'runs\');')).toBe(true);
    expect(RAW_CONNECTION.test("  const file = 'old.sqlite';")).toBe(false);
  });
});
