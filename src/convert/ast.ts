/**
 * Small helpers over @mrleebo/prisma-ast nodes. String values in that AST keep their quotes
 * (`"\"users\""`), so reading and writing names goes through `unquote`/`quote` here.
 */
import { getSchema, printSchema, type Attribute, type BlockAttribute, type Field, type Func, type Model, type Property, type Schema, type Block, type Value } from "@mrleebo/prisma-ast";
import { topLevelBlocks } from "./schema-blocks.js";

export { printSchema };

/** Text handed to the parser at once: a few dozen models (its work per call is small; its memory grows with the text). */
const PARSE_CHUNK_CHARS = 64 * 1024;

/**
 * Parse a schema.prisma: the one way into prisma-ast's parser, for two reasons of memory.
 * - The parser holds a token (~190 bytes) for every word and brace of its input, and its concrete syntax tree, until
 *   the syntax tree is built: for a 2000-model schema, ~100 MB beside the ~40 MB the syntax tree itself needs. The
 *   schema is a list of top-level blocks (https://www.prisma.io/docs/orm/reference/prisma-schema-reference), so it is
 *   parsed a run of whole blocks at a time and the lists are joined: the same list, with one chunk's tokens alive.
 * - The parser is a module-level singleton that keeps the last input's tokens (`parser.input`) until the next parse
 *   (36 MB held through the whole copy after a 2000-model schema). Parsing the empty schema hands it an empty input.
 */
export function parseSchema(text: string): Schema {
  const list: Block[] = [];
  const blocks = topLevelBlocks(text);
  try {
    let from = 0;
    for (let i = 0; i < blocks.length - 1; i++) {
      // Cut just past a block's closing brace: what follows it (newlines, comments) starts the next chunk.
      if (blocks[i].end - from < PARSE_CHUNK_CHARS) continue;
      for (const block of getSchema(text.slice(from, blocks[i].end)).list) list.push(block);
      from = blocks[i].end;
    }
    for (const block of getSchema(text.slice(from)).list) list.push(block);
  } finally {
    getSchema("");
  }
  return { type: "schema", list };
}

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
