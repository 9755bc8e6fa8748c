/**
 * SQL errors of `migpatch query`, worded for the user: SQLite's own message, then a hint for the
 * mistakes people make with this schema and this SQLite build (double-quoted strings, a mistyped
 * table or column, a keyword used as a column name). One line, so the CLI prints `migpatch: ...`.
 */
import { closest } from '../scenario/did-you-mean.js';
import { columnsOf, schemaObjects, sqlFunctionNames } from '../trace/schema-objects.js';
import type { TraceDb } from '../trace/trace-db.js';

/** How to list every table and view, quoted for a shell. */
export const LIST_TABLES_QUERY = `migpatch query "select type, name from sqlite_master where type in ('table', 'view') order by name"`;

/** The message for an SQLite error raised by `sqlText`: `SQL error: <SQLite's message>[; hint: ...]`. */
export function sqlErrorMessage(e: Error, db: TraceDb, sqlText: string): string {
  const hint = hintFor(e.message, db, sqlText);
  return `SQL error: ${e.message}${hint === null ? '' : `; hint: ${hint}`}`;
}

function hintFor(message: string, db: TraceDb, sqlText: string): string | null {
  let m: RegExpExecArray | null;
  if ((m = /^no such column: "(.*)"/.exec(message)) !== null) return doubleQuoteHint(m[1] ?? '', db, sqlText);
  if ((m = /^no such column: (\S+)$/.exec(message)) !== null) return columnHint(m[1] ?? '', db, sqlText);
  if ((m = /^no such table: (\S+)$/.exec(message)) !== null) return tableHint(m[1] ?? '', db);
  if ((m = /^no such function: (\S+)$/.exec(message)) !== null) return functionHint(m[1] ?? '', db);
  if ((m = /^ambiguous column name: (\S+)$/.exec(message)) !== null) {
    return `several tables in the query have a column ${m[1]}: qualify it with its table or alias, e.g. r.${m[1]}`;
  }
  if ((m = /^near "([^"]*)": syntax error$/.exec(message)) !== null) return keywordHint(m[1] ?? '', db);
  if (message === 'incomplete input') return 'the statement ends too early (a missing operand, parenthesis or closing quote?)';
  return null;
}

/** SQLite here is built with SQLITE_DQS=0: "x" is an identifier, never a string. */
function doubleQuoteHint(word: string, db: TraceDb, sqlText: string): string {
  const column = closest(word, columnsOf(db, referencedObjects(db, sqlText)));
  const alsoColumn = column === undefined ? '' : ` (or, if you meant the column, ${column})`;
  return `in this SQLite, double quotes name columns and tables; write text in single quotes: '${word}'${alsoColumn}. ` +
    `In a shell, wrap the whole query in double quotes: migpatch query "select * from runs where scenario_name = 'p8-to-p9'"`;
}

function columnHint(qualified: string, db: TraceDb, sqlText: string): string {
  const word = qualified.slice(qualified.lastIndexOf('.') + 1);
  const objects = referencedObjects(db, sqlText);
  const columns = columnsOf(db, objects);
  const suggestion = closest(word, columns);
  const guess = suggestion === undefined ? '' : `did you mean ${suggestion}? `;
  if (objects.length === 0) return `${guess}list the tables and their columns with ${LIST_TABLES_QUERY}`;
  const listed = objects.map((o) => `${o}(${columnsOf(db, [o]).join(', ')})`).join('; ');
  return `${guess}columns: ${listed}`;
}

function tableHint(qualified: string, db: TraceDb): string {
  const word = qualified.slice(qualified.lastIndexOf('.') + 1);
  const names = schemaObjects(db);
  const suggestion = closest(word, names);
  const guess = suggestion === undefined ? '' : `did you mean ${suggestion}? `;
  const eventViews = names.filter((n) => n.startsWith('ev_'));
  const others = names.filter((n) => !n.startsWith('ev_'));
  return `${guess}tables and views: ${others.join(', ')}, and one ev_<kind> view per event kind ` +
    `(${eventViews.length}, e.g. ev_cpu_state, ev_ipi_send; kinds in table event_kinds); all: ${LIST_TABLES_QUERY}`;
}

function functionHint(word: string, db: TraceDb): string {
  const names = sqlFunctionNames(db);
  const suggestion = closest(word, names);
  const guess = suggestion === undefined ? '' : `did you mean ${suggestion}? `;
  return `${guess}functions: migpatch query "select distinct name from pragma_function_list order by name" ` +
    '(percentile(x, p), median(x), JSON, math and window functions are available)';
}

/** `select order from runs` fails with a bare syntax error; name the cause when a column has that name. */
function keywordHint(word: string, db: TraceDb): string | null {
  if (word === '' || !/^[A-Za-z_]+$/.test(word)) return null;
  const isColumn = columnsOf(db, schemaObjects(db)).some((c) => c.toLowerCase() === word.toLowerCase());
  return isColumn ? `${word} is an SQL keyword; to use the column of that name, write it in double quotes: "${word}"` : null;
}

/** Schema objects whose names appear as words in the query text. */
function referencedObjects(db: TraceDb, sqlText: string): string[] {
  const words = new Set(sqlText.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []);
  return schemaObjects(db).filter((name) => words.has(name.toLowerCase()));
}
