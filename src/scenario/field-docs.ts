/**
 * The documented field list of a scenario, generated from the same schema that validates it, so
 * the documentation cannot drift from what is accepted.
 */
import type { AnyNode } from './schema.js';
import { SCENARIO_SCHEMA } from './scenario-schema.js';

/** One documented scenario field. */
export interface FieldDoc {
  /** Dotted path; `[]` stands for any array index, `[kind=x]` for a union variant. */
  readonly path: string;
  /** Type and accepted values, e.g. `integer 1..16384` or `"per-cpu" | "all"`. */
  readonly type: string;
  /** Unit of a numeric field, else the empty string. */
  readonly unit: string;
  readonly doc: string;
  /** Whether the field may be omitted (it then defaults from the catalog). */
  readonly defaulted: boolean;
}

/** An array's item type: a union's variants, else the item's type name. */
function itemText(items: AnyNode): string {
  return items.kind === 'union' ? typeText(items) : typeText(items).split(' ')[0] ?? '';
}

function typeText(node: AnyNode): string {
  switch (node.kind) {
    case 'int': return `integer ${node.min}..${node.max}`;
    case 'number': return `number ${node.minExclusive ? '(' : '['}${node.min}, ${node.max}]`;
    case 'bool': return 'boolean';
    case 'string':
      return `string of ${node.minLength}..${node.maxLength} chars${node.pattern ? `, ${node.pattern.says}` : ''}`;
    case 'enum': return node.values.map((v) => JSON.stringify(v)).join(' | ');
    case 'object': return 'object';
    case 'array': return `array of ${itemText(node.items)}, ${node.maxItems} max`;
    case 'union': return Object.keys(node.variants).map((k) => `kind=${k}`).join(' | ');
  }
}

function collect(node: AnyNode, path: string, rows: FieldDoc[]): void {
  const unit = node.kind === 'int' || node.kind === 'number' ? node.unit : '';
  // A union's row would repeat its array's; its variants' fields follow instead.
  if (path !== '' && node.kind !== 'union') {
    rows.push({ path, type: typeText(node), unit, doc: node.doc, defaulted: node.defaultFrom !== undefined });
  }
  if (node.kind === 'object') {
    for (const [key, child] of Object.entries(node.fields)) collect(child, path === '' ? key : `${path}.${key}`, rows);
  } else if (node.kind === 'array') {
    collect(node.items, node.items.kind === 'union' ? path : `${path}[]`, rows);
  } else if (node.kind === 'union') {
    for (const [kind, variant] of Object.entries(node.variants)) {
      for (const [key, child] of Object.entries(variant.fields)) collect(child, `${path}[kind=${kind}].${key}`, rows);
    }
  }
}

/** Every field of a scenario in canonical order, with type, unit and one line of documentation. */
export function scenarioFieldDocs(): readonly FieldDoc[] {
  const rows: FieldDoc[] = [];
  collect(SCENARIO_SCHEMA, '', rows);
  return rows;
}
