/**
 * The typed event codec follows from the table of event kinds: the committed generated file equals
 * the generator's output, every encoder writes its fields into the documented columns, and every
 * decoder reads them back under their names; the views and lookup rows come from the same table.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as codec from '../src/format/event-codec.js';
import { camelName, eventCodecSource } from '../src/format/event-codec-source.js';
import { Ev, EVENT_KINDS } from '../src/format/event-kinds.js';
import { batchRow, namedColumns, storedValue, type EventWriter, type StoredEventRow } from '../src/format/event-row.js';
import { eventViewColumns, eventViewSelectSql, EVENT_KIND_ROWS, LOOKUP_TABLES } from '../src/format/event-schema.js';
import { ColumnBatch } from '../src/format/column-batch.js';

const CODEC_PATH = fileURLToPath(new URL('../src/format/event-codec.ts', import.meta.url));

const pascal = (snake: string): string => {
  const c = camelName(snake);
  return c.charAt(0).toUpperCase() + c.slice(1);
};

/** A writer that records the positional row it is given and returns a marker. */
class RecordingWriter implements EventWriter<number> {
  last: readonly number[] = [];
  emit(kind: number, cpu: number, a: number, b: number, c: number): number {
    this.last = [kind, cpu, a, b, c];
    return 42;
  }
}

describe('event codec', () => {
  it('the committed event-codec.ts is the generator output', () => {
    const expected = eventCodecSource();
    if (process.env.MIGPATCH_UPDATE_CODEC === '1') writeFileSync(CODEC_PATH, expected);
    expect(readFileSync(CODEC_PATH, 'utf8')).toBe(expected);
  });

  for (const info of EVENT_KINDS) {
    it(`${info.name}: encode, then decode by row and by column`, () => {
      const slots = (['cpu', 'a', 'b', 'c'] as const);
      const used = slots.filter((s) => info[s] !== null);
      // Distinct values per slot so a swapped column is caught.
      const value = (slot: typeof slots[number]): number => 100 + slots.indexOf(slot);
      const encode = (codec as unknown as Record<string, (w: EventWriter<number>, ...v: number[]) => number>)[`emit${pascal(info.name)}`];
      expect(encode).toBeTypeOf('function');
      const w = new RecordingWriter();
      expect(encode!(w, ...used.map(value))).toBe(42);
      expect(w.last[0]).toBe(info.code);
      for (const [i, slot] of slots.entries()) {
        if (info[slot] === null) expect(w.last[i + 1]).toBeNaN();
        else expect(w.last[i + 1]).toBe(value(slot));
      }

      const batch = new ColumnBatch(4);
      batch.firstSeq = 7;
      batch.push(5_000, w.last[0]!, w.last[1]!, w.last[2]!, w.last[3]!, w.last[4]!);
      const row = batchRow(batch, 0);
      const decoded = codec.decodeEvent(row) as unknown as Record<string, unknown>;
      const expected: Record<string, unknown> = { kind: info.name, seq: 7, tNs: 5_000 };
      for (const slot of used) expected[camelName(info[slot]!)] = value(slot);
      expect(decoded).toEqual(expected);
      expect(namedColumns(row)).toEqual(used.map((s) => [info[s], value(s)]));

      for (const slot of used.filter((s) => s !== 'cpu')) {
        const name = `${camelName(info.name)}${pascal(info[slot]!)}`;
        const read = (codec as unknown as Record<string, (b: ColumnBatch, i: number) => number>)[name];
        expect(read, name).toBeTypeOf('function');
        expect(read!(batch, 0)).toBe(value(slot));
      }
    });
  }

  it('an unknown kind decodes to its raw columns', () => {
    const row: StoredEventRow = { seq: 1, tNs: 2, kind: 999, cpu: 3, a: 4, b: null, c: 6 };
    expect(codec.decodeEvent(row)).toEqual({ kind: 'unknown', code: 999, seq: 1, tNs: 2, cpu: 3, a: 4, b: null, c: 6 });
    expect(namedColumns(row)).toEqual([['cpu', 3], ['a', 4], ['b', null], ['c', 6]]);
  });

  it('stored values: NaN is null and -0 is 0', () => {
    expect(storedValue(NaN)).toBeNull();
    expect(Object.is(storedValue(-0), 0)).toBe(true);
    expect(storedValue(3.5)).toBe(3.5);
  });

  it('views and lookup rows follow the table', () => {
    const ipi = EVENT_KINDS.find((k) => k.code === Ev.IPI_SEND)!;
    expect(eventViewColumns(ipi)).toEqual(['run_id', 'seq', 't_ns', 'cpu', 'dst', 'msg', 'attempt']);
    expect(eventViewSelectSql(ipi)).toBe(
      'select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "dst", "b" as "msg", "c" as "attempt" '
      + 'from events where kind = 41 and kind not between 10 and 19',
    );
    const acct = EVENT_KINDS.find((k) => k.code === Ev.ACCT)!;
    expect(eventViewSelectSql(acct)).toBe(
      'select "run_id", "seq", "t_ns", "cpu" as "cpu", "a" as "pid", "b" as "truth_ns", "c" as "charged_ns" '
      + 'from events where kind = 14',
    );
    expect(EVENT_KIND_ROWS.map((r) => r.code)).toEqual(EVENT_KINDS.map((k) => k.code));
    const msg = LOOKUP_TABLES.find((t) => t.table === 'msg_types')!;
    expect(msg.rows).toEqual([[1, 'MSG1'], [2, 'ACK'], [3, 'MSG2'], [4, 'SYNC'], [5, 'STOP']]);
  });
});
