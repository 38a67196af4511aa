/**
 * Small helpers over @mrleebo/prisma-ast nodes. String values in that AST keep their quotes
 * (`"\"users\""`), so reading and writing names goes through `unquote`/`quote` here.
 */
import type { Attribute, BlockAttribute, Field, Func, Model, Property, Value } from "@mrleebo/prisma-ast";

export function unquote(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return JSON.parse(value) as string;
  return value;
}

/** A Prisma string literal. Prisma strings use JSON-style escapes. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

export function fieldsOf(model: Model): Field[] {
  return model.properties.filter((p): p is Field => (p as Property).type === "field");
}

export function blockAttributes(model: Model): BlockAttribute[] {
  return model.properties.filter(
    (p): p is BlockAttribute => (p as Property).type === "attribute" && (p as BlockAttribute).kind === "object",
  );
}

export function findFieldAttribute(field: Field, name: string, group?: string): Attribute | undefined {
  return field.attributes?.find((a) => a.name === name && a.group === group);
}

/** The first positional argument of an attribute (e.g. the name in `@map("x")`). */
export function firstPositional(attr: Attribute | BlockAttribute | undefined): Value | Func | undefined {
  const arg = attr?.args?.[0];
  if (!arg) return undefined;
  const v = arg.value as { type?: string };
  if (v && typeof v === "object" && v.type === "keyValue") return undefined;
  return arg.value as Value | Func;
}

/** A named argument such as `map:` in `@unique(map: "x")`. */
export function namedArgument(attr: Attribute | BlockAttribute | undefined, key: string): Value | undefined {
  for (const arg of attr?.args ?? []) {
    const v = arg.value as { type?: string; key?: string; value?: Value };
    if (v && typeof v === "object" && v.type === "keyValue" && v.key === key) return v.value;
  }
  return undefined;
}

export function removeNamedArgument(attr: Attribute | BlockAttribute, key: string): void {
  if (!attr.args) return;
  attr.args = attr.args.filter((arg) => {
    const v = arg.value as { type?: string; key?: string };
    return !(v && typeof v === "object" && v.type === "keyValue" && v.key === key);
  });
}

/** Table name of a model: `@@map("t")` or the model name. */
export function tableNameOf(model: Model): string {
  const map = blockAttributes(model).find((a) => a.name === "map" && a.group === undefined);
  return unquote(firstPositional(map)) ?? model.name;
}

/** Column name of a field: `@map("c")` or the field name. */
export function columnNameOf(field: Field): string {
  return unquote(firstPositional(findFieldAttribute(field, "map"))) ?? field.name;
}

export function makeAttribute(name: string, args: Value[] = [], group?: string): Attribute {
  return {
    type: "attribute",
    kind: "field",
    name,
    ...(group ? { group } : {}),
    args: args.map((value) => ({ type: "attributeArgument", value })),
  } as Attribute;
}

export function makeFunc(name: string, params: Value[] = []): Func {
  return { type: "function", name, params };
}
