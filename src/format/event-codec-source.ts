/**
 * Writes the source of `event-codec.ts` from the table of event kinds ({@link EVENT_KINDS}), so that
 * the typed encoders, decoders and column accessors cannot drift from the table. A test compares
 * the committed file with this output; `MIGPATCH_UPDATE_CODEC=1 npx vitest run test/event-codec`
 * rewrites it after a change to the table.
 */
import { EVENT_KINDS, type EventKindInfo } from './event-kinds.js';

/** The positional columns of an event row, in storage order. */
const SLOTS = ['cpu', 'a', 'b', 'c'] as const;

/** `send_seq` → `sendSeq`. */
export function camelName(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
}

/** `ipi_send` → `IpiSend`. */
function pascalName(snake: string): string {
  const camel = camelName(snake);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

/** The key of {@link Ev} for a kind (`ipi_send` → `IPI_SEND`). */
function evKey(info: EventKindInfo): string {
  return info.name.toUpperCase();
}

/** The used slots of a kind with their field names. */
function usedSlots(info: EventKindInfo): readonly (readonly [typeof SLOTS[number], string])[] {
  return SLOTS.flatMap((slot) => {
    const name = info[slot];
    return name === null ? [] : [[slot, name] as const];
  });
}

function encoder(info: EventKindInfo): string {
  const used = usedSlots(info);
  const params = used.map(([, name]) => `${camelName(name)}: number`);
  const args = SLOTS.map((slot) => {
    const name = info[slot];
    return name === null ? 'NaN' : camelName(name);
  });
  const doc = used.length === 0 ? '' : ` (${used.map(([, n]) => n).join(', ')})`;
  return [
    `/** Emits \`${info.name}\`: ${info.doc}${doc}. */`,
    `export function emit${pascalName(info.name)}<R>(w: EventWriter<R>${params.map((p) => `, ${p}`).join('')}): R {`,
    `  return w.emit(${info.code} /* Ev.${evKey(info)} */, ${args.join(', ')});`,
    '}',
  ].join('\n');
}

function decodedType(info: EventKindInfo): string {
  const fields = usedSlots(info).map(([, name]) => `  readonly ${camelName(name)}: number | null;`);
  return [
    `/** A decoded \`${info.name}\` event: ${info.doc}. */`,
    `export interface ${pascalName(info.name)}Event {`,
    `  readonly kind: '${info.name}';`,
    '  readonly seq: number;',
    '  readonly tNs: number;',
    ...fields,
    '}',
  ].join('\n');
}

function decodeCase(info: EventKindInfo): string {
  const fields = usedSlots(info).map(([slot, name]) => `${camelName(name)}: row.${slot}`);
  return `    case Ev.${evKey(info)}: return { kind: '${info.name}', seq: row.seq, tNs: row.tNs${fields.map((f) => `, ${f}`).join('')} };`;
}

function accessors(info: EventKindInfo): string {
  return usedSlots(info).filter(([slot]) => slot !== 'cpu').map(([slot, name]) => [
    `/** \`${name}\` of the \`${info.name}\` event at index \`i\` of a batch (NaN when unset). */`,
    `export function ${camelName(info.name)}${pascalName(name)}(batch: EventBatch, i: number): number {`,
    `  return batch.${slot}[i] as number;`,
    '}',
  ].join('\n')).join('\n\n');
}

/** The complete source of `src/format/event-codec.ts`. */
export function eventCodecSource(kinds: readonly EventKindInfo[] = EVENT_KINDS): string {
  const union = kinds.map((k) => `  | ${pascalName(k.name)}Event`).join('\n');
  return `/**
 * GENERATED from the table of event kinds (\`event-kinds.ts\`) by \`event-codec-source.ts\`: do not
 * edit; change the table and run \`MIGPATCH_UPDATE_CODEC=1 npx vitest run test/event-codec\`.
 *
 * The only code that knows which positional column (\`cpu\`, \`a\`, \`b\`, \`c\`) holds which field:
 * - encoders \`emit<Kind>(writer, ...fields)\`, one per kind, with named parameters; they allocate
 *   nothing and return what the writer returns (the simulator's writer returns the event's seq);
 * - \`decodeEvent(row)\`, a stored row as a discriminated union with named fields, for readers of rows;
 * - column accessors \`<kind><Field>(batch, i)\`, allocation-free, for hot loops over an EventBatch.
 */
import { Ev } from './event-kinds.js';
import type { EventBatch } from './trace-types.js';
import type { EventWriter, StoredEventRow } from './event-row.js';

// ---- encoders ----

${kinds.map(encoder).join('\n\n')}

// ---- decoded events ----

${kinds.map(decodedType).join('\n\n')}

/** An event of a kind this version does not know (a newer trace): its raw columns. */
export interface UnknownEvent {
  readonly kind: 'unknown';
  readonly code: number;
  readonly seq: number;
  readonly tNs: number;
  readonly cpu: number | null;
  readonly a: number | null;
  readonly b: number | null;
  readonly c: number | null;
}

/** Any decoded event; \`kind\` tells which. */
export type DecodedEvent =
${union}
  | UnknownEvent;

/** Decodes a stored row into its kind's named fields. */
export function decodeEvent(row: StoredEventRow): DecodedEvent {
  switch (row.kind) {
${kinds.map(decodeCase).join('\n')}
    default: return { kind: 'unknown', code: row.kind, seq: row.seq, tNs: row.tNs, cpu: row.cpu, a: row.a, b: row.b, c: row.c };
  }
}

// ---- column accessors ----

${kinds.map(accessors).filter((s) => s !== '').join('\n\n')}
`;
}
