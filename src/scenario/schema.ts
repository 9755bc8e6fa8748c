/**
 * A small declarative schema language for scenario JSON. One node describes one field: its type,
 * bounds, unit and one line of documentation. The same nodes drive validation (`validate.ts`),
 * `--set` path checking (`overrides.ts`) and the documented field list (`scenario-schema.ts`).
 *
 * The constructors are typed against the TypeScript type a node validates ({@link NodeFor}), so a
 * field added to `scenario.ts` without a schema node, or given a node of the wrong kind, is a
 * compile error rather than a silently unchecked field.
 */
import type { JsonObject } from './json-util.js';

/** Units of numeric fields, as shown in the field list. */
export type Unit = 'ns' | 'bytes' | 'bytes/s' | 'Hz' | 'count' | 'index' | 'ratio' | 'words' | 'per s';

/** A problem found by an object-level check: the field it concerns and the message tail. */
export interface Problem {
  readonly field: string;
  /** Text after the field's path, e.g. `must be >= medianNs (4000), got 100`. */
  readonly tail: string;
}

interface NodeBase {
  /** One line for the field list. */
  readonly doc: string;
  /**
   * Value used when the key is missing, computed from the raw parent object; when the key is given
   * as an object it is merged onto this default. Returns undefined when there is no default.
   */
  defaultFrom?(parent: JsonObject): unknown;
}

/** An integer in [min, max]. */
export interface IntNode extends NodeBase {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
  readonly unit: Unit;
  /** An extra rule: returns the message tail when the value breaks it. */
  refine?(value: number): string | undefined;
}

/** A finite number in [min, max], or (min, max] when `minExclusive`. */
export interface NumberNode extends NodeBase {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  readonly minExclusive: boolean;
  readonly unit: Unit;
}

/** `true` or `false`. */
export interface BoolNode extends NodeBase {
  readonly kind: 'bool';
}

/** A string of bounded length, optionally matching a pattern. */
export interface StringNode extends NodeBase {
  readonly kind: 'string';
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern?: TextPattern;
}

/** A pattern a string must match, and what it means in words (for messages and the field list). */
export interface TextPattern {
  readonly regex: RegExp;
  /** Completes "must be ...", e.g. `one line of text`. */
  readonly says: string;
}

/** One of a fixed set of values (strings, or null where the type allows it). */
export interface EnumNode<T extends string | null = string | null> extends NodeBase {
  readonly kind: 'enum';
  readonly values: readonly T[];
}

/** An object with exactly the listed fields, in this (canonical) order. */
export interface ObjectNode<T = unknown> extends NodeBase {
  readonly kind: 'object';
  readonly fields: Readonly<Record<string, AnyNode>>;
  /** A rule across this object's fields, run after each field is valid. */
  check?(value: object): Problem | undefined;
  /** Compile time only: the type this node validates (never set). */
  readonly phantom?: T;
}

/** An array of bounded length whose items all match `items`. */
export interface ArrayNode<E = unknown> extends NodeBase {
  readonly kind: 'array';
  readonly items: AnyNode;
  readonly maxItems: number;
  /** Field of the items (objects) whose values must be unique. */
  readonly uniqueBy?: string;
  /** Compile time only: the item type (never set). */
  readonly phantom?: E;
}

/** A tagged union of objects: the `kind` field picks the variant. */
export interface UnionNode<T = unknown> extends NodeBase {
  readonly kind: 'union';
  readonly variants: Readonly<Record<string, ObjectNode>>;
  /** Compile time only: the union type (never set). */
  readonly phantom?: T;
}

/** Any schema node, as the walkers see it. */
export type AnyNode = IntNode | NumberNode | BoolNode | StringNode | EnumNode | ObjectNode | ArrayNode | UnionNode;

/** The kind of node that may describe a value of type `T`. */
export type NodeFor<T> = [T] extends [boolean]
  ? BoolNode
  : [T] extends [number]
    ? IntNode | NumberNode
    : [T] extends [string | null]
      ? string extends T
        ? StringNode
        : EnumNode<Extract<T, string | null>>
      : [T] extends [readonly (infer E)[]]
        ? ArrayNode<E>
        : [T] extends [{ readonly kind: string }]
          ? UnionNode<T>
          : ObjectNode<T>;

/** One node per field of `T`, none missing. */
export type FieldsOf<T> = { readonly [K in keyof T]-?: NodeFor<T[K]> };

/** Describes an integer field. */
export function int(doc: string, unit: Unit, min: number, max: number, extra: Partial<IntNode> = {}): IntNode {
  return { ...extra, kind: 'int', doc, unit, min, max };
}

/** Describes a real-valued field; `minExclusive` makes the lower bound open. */
export function num(doc: string, unit: Unit, min: number, max: number, minExclusive = false): NumberNode {
  return { kind: 'number', doc, unit, min, max, minExclusive };
}

/** Describes a boolean field. */
export function bool(doc: string): BoolNode {
  return { kind: 'bool', doc };
}

/** Describes a free-text field. */
export function str(doc: string, minLength: number, maxLength: number, pattern?: TextPattern): StringNode {
  return pattern === undefined
    ? { kind: 'string', doc, minLength, maxLength }
    : { kind: 'string', doc, minLength, maxLength, pattern };
}

/** Describes a field with a fixed set of values. */
export function oneOf<T extends string | null>(doc: string, values: readonly T[]): EnumNode<T> {
  return { kind: 'enum', doc, values };
}

/** Describes an object with exactly the given fields; `check` relates them to each other. */
export function obj<T>(doc: string, fields: FieldsOf<T>, check?: (value: T) => Problem | undefined): ObjectNode<T> {
  const node: ObjectNode<T> = { kind: 'object', doc, fields: fields as Readonly<Record<string, AnyNode>> };
  // The walker only calls `check` on an object it has just built from these fields, so it is a T.
  return check === undefined ? node : { ...node, check: (value: object) => check(value as T) };
}

/** Describes a bounded array. */
export function arr<E>(doc: string, items: NodeFor<E>, maxItems: number, uniqueBy?: keyof E & string): ArrayNode<E> {
  const node: ArrayNode<E> = { kind: 'array', doc, items: items as AnyNode, maxItems };
  return uniqueBy === undefined ? node : { ...node, uniqueBy };
}

/** Describes a tagged union; each variant's `kind` field must be a one-value enum of its tag. */
export function union<T extends { readonly kind: string }>(
  doc: string,
  variants: { readonly [K in T['kind']]: ObjectNode<Extract<T, { readonly kind: K }>> },
): UnionNode<T> {
  return { kind: 'union', doc, variants };
}

/** The same node with a default computed from the raw parent object when the key is missing. */
export function withDefault<N extends AnyNode>(node: N, defaultFrom: (parent: JsonObject) => unknown): N {
  return { ...node, defaultFrom };
}
