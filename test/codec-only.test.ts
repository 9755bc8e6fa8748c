/**
 * Only src/format knows what an event's positional columns mean: the folders converted to the
 * codec (analysis, export, replay, describe-event) read fields by name. A file there that indexes
 * `batch.a[i]` or reads `row.b` fails this test, which names it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHECKED = ['src/analysis', 'src/export', 'src/replay', 'src/query/describe-event.ts'];

/** Positional reads: a column array indexed (`batch.a[i]`) or a row's column (`row.a`, `e.c`). */
const POSITIONAL = /\.(a|b|c)\[|\b(row|rows|e|ev|event|begin|end|send|r|batch)\.(a|b|c)\b/;

function files(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!fs.statSync(full).isDirectory()) return [entry];
  return fs.readdirSync(full).flatMap((name) => files(path.join(entry, name)));
}

/** `file:line: text` of each positional read in the given source text. */
function positionalReads(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, i) => (POSITIONAL.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
}

describe('no positional event columns outside src/format', () => {
  test('the checker finds a positional read', () => {
    expect(positionalReads('x.ts', 'const s = batch.a[i];\nok();\nconst m = row.b ?? 0;')).toEqual([
      'x.ts:1: const s = batch.a[i];', 'x.ts:3: const m = row.b ?? 0;',
    ]);
    expect(positionalReads('x.ts', 'const m = send.msg; ipiSendDst(batch, i);')).toEqual([]);
  });

  test('analysis, export, replay and describe-event read events through the codec', () => {
    const found = CHECKED.flatMap(files).filter((f) => f.endsWith('.ts'))
      .flatMap((f) => positionalReads(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });
});

describe('export and replay hold no SQL', () => {
  /** An SQL library imported, or the connection's raw handles used for a query. */
  const SQL_ACCESS = /from '(better-sqlite3|kysely)'|\bdb\.(sqlite|kysely)\b/;
  test('they call named functions of src/trace', () => {
    const found = ['src/export', 'src/replay'].flatMap(files).filter((f) => f.endsWith('.ts'))
      .flatMap((f) => fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n')
        .flatMap((line, i) => (SQL_ACCESS.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])));
    expect(found).toEqual([]);
    expect(SQL_ACCESS.test("import { sql } from 'kysely';")).toBe(true);
    expect(SQL_ACCESS.test('db.sqlite.prepare(q)')).toBe(true);
  });
});
