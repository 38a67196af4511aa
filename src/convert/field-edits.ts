/** Small edits of a Prisma field or model AST: maps, keys, native types, defaults, the @@ignore note. Pure. */
import { type Attribute, type Block, type Field, type Model } from "@mrleebo/prisma-ast";
import type { SqliteColumn, SqliteTable } from "../core/catalog.js";
import { blockAttributes, findFieldAttribute, makeAttribute, makeFunc, namedArgument, quote, removeNamedArgument, unquote } from "./ast.js";
import type { ColumnTypeChoice } from "../core/column-type.js";
import type { Decision } from "../core/decisions.js";
import { convertDefault, type DefaultValue } from "./defaults.js";

export const IGNORE_DOC = "/// The underlying table does not contain a valid unique identifier";

/**
 * Native types that are what Prisma's postgresql connector uses anyway for the scalar
 * (https://www.prisma.io/docs/orm/reference/prisma-schema-reference#model-field-scalar-types): a user's schema
 * does not need them spelled out.
 */
export const PG_SCALAR_DEFAULT_NATIVE: Readonly<Record<string, string>> = {
  String: "Text()",
  DateTime: "Timestamp(3)",
  Decimal: "Decimal(65,30)",
};

export function setFieldMap(field: Field, name: string): void {
  field.attributes = (field.attributes ?? []).filter((a) => !(a.name === "map" && a.group === undefined));
  field.attributes.push(makeAttribute("map", [quote(name)]));
}

export function setBlockMap(model: Model, name: string): void {
  model.properties = model.properties.filter((p) => !(p.type === "attribute" && p.kind === "object" && p.name === "map"));
  model.properties.push({ type: "attribute", kind: "object", name: "map", args: [{ type: "attributeArgument", value: quote(name) }] });
}

export function dropKey(field: Field): void {
  field.attributes = field.attributes?.filter((a) => !(a.name === "id" && a.group === undefined));
  field.optional = true;
}

/** A model without a usable key must be `@@ignore`d for Prisma to accept it (the table is still created). */
export function withoutKey(properties: Model["properties"]): Model["properties"] {
  const kept = properties.filter((p) => !(p.type === "attribute" && p.kind === "object" && p.name === "id"));
  if (!kept.some((p) => p.type === "attribute" && p.kind === "object" && p.name === "ignore")) {
    kept.push({ type: "break" }, { type: "attribute", kind: "object", name: "ignore", args: [] });
  }
  return kept;
}

export function hasAutoincrement(field: Field): boolean {
  const def = findFieldAttribute(field, "default");
  const v = def?.args?.[0]?.value as { type?: string; name?: string } | undefined;
  return v?.type === "function" && v.name === "autoincrement";
}

export function sameFieldList(a: { args?: { value: unknown }[] }, b: { args?: { value: unknown }[] }): boolean {
  const list = (x: typeof a) => {
    const v = x.args?.[0]?.value as { type?: string; args?: unknown[] } | undefined;
    return v?.type === "array" ? JSON.stringify(v.args) : undefined;
  };
  return list(a) !== undefined && list(a) === list(b);
}

export function idListIncludes(attr: { args?: { value: unknown }[] }, fieldName: string): boolean {
  const first = attr.args?.[0]?.value as { type?: string; args?: unknown[] } | undefined;
  return first?.type === "array" && (first.args ?? []).some((a) => a === fieldName);
}

export function applyType(field: Field, choice: ColumnTypeChoice): void {
  field.fieldType = choice.prismaType;
  field.attributes = (field.attributes ?? []).filter((a) => a.group !== "db");
  if (choice.native) {
    field.attributes.push(makeAttribute(choice.native.name, choice.native.args.map(String), "db"));
  }
  if (field.attributes.length === 0) delete field.attributes;
}

/**
 * Defaults come from SQLite's own default SQL (PRAGMA table_info.dflt_value), not from Prisma's rendering of
 * it, which turns expressions into string literals. `autoincrement()` is kept as introspected.
 */
export function applyDefault(field: Field, column: SqliteColumn, choice: ColumnTypeChoice): string | undefined {
  if (hasAutoincrement(field)) return undefined;
  field.attributes = (field.attributes ?? []).filter((a) => !(a.name === "default" && a.group === undefined));
  const converted = convertDefault(column.defaultSql, choice);
  if (converted.value) field.attributes.push(makeAttribute("default", [defaultToAst(converted.value)]));
  if (field.attributes.length === 0) delete field.attributes;
  return converted.note;
}

/** A user's `@default` is kept (cuid(), uuid(), now(), enum values, literals); only SQLite SQL in dbgenerated() is converted. */
export function applyUserDefault(field: Field, column: SqliteColumn, choice: ColumnTypeChoice): string | undefined {
  const def = findFieldAttribute(field, "default");
  const v = def?.args?.[0]?.value as { type?: string; name?: string } | undefined;
  if (v?.type !== "function" || v.name !== "dbgenerated") return undefined;
  const before = column.defaultSql ?? "(none)";
  field.attributes = (field.attributes ?? []).filter((a) => a !== def);
  const converted = convertDefault(column.defaultSql, choice);
  if (converted.value) field.attributes.push(makeAttribute("default", [defaultToAst(converted.value)]));
  if (field.attributes.length === 0) delete field.attributes;
  const now = converted.value ? `@default(${printDefault(converted.value)})` : "no default";
  return `SQLite default ${before} (dbgenerated) converted for PostgreSQL: ${now}${converted.note ? `; ${converted.note}` : ""}`;
}

export function printDefault(value: DefaultValue): string {
  switch (value.kind) {
    case "now":
      return "now()";
    case "dbgenerated":
      return `dbgenerated(${quote(value.sql)})`;
    case "string":
      return quote(value.value);
    default:
      return String(value.value);
  }
}

/** In a user's schema, a native type that is the postgresql default for the field's scalar is left unsaid. */
export function dropDefaultNative(field: Field): void {
  const db = field.attributes?.find((a) => a.group === "db");
  if (!db || typeof field.fieldType !== "string") return;
  const args = (db.args ?? []).map((a) => String(a.value)).join(",");
  if (PG_SCALAR_DEFAULT_NATIVE[field.fieldType] !== `${db.name}(${args})`) return;
  field.attributes = field.attributes?.filter((a) => a !== db);
  if (field.attributes?.length === 0) delete field.attributes;
}

/** Prisma's SQLite connector declares every Decimal as bare DECIMAL: Decimal(65,30) is what the user already had. */
export function withoutBareDecimalNote(note: string | undefined): string | undefined {
  const rest = note
    ?.split("; ")
    .filter((part) => !/without a \(valid\) precision becomes Decimal\(65,30\)/.test(part))
    .join("; ");
  return rest ? rest : undefined;
}

export function defaultToAst(value: DefaultValue): Parameters<typeof makeAttribute>[1] extends (infer V)[] | undefined ? V : never {
  switch (value.kind) {
    case "now":
      return makeFunc("now");
    case "dbgenerated":
      return makeFunc("dbgenerated", [quote(value.sql)]);
    case "number":
      return value.value;
    case "string":
      return quote(value.value);
    case "boolean":
      return value.value;
  }
}

/**
 * SQLite names the indexes behind UNIQUE constraints `sqlite_autoindex_<table>_<n>`; they mean nothing in
 * PostgreSQL, so the `map:` is dropped and Prisma's default name (`<table>_<columns>_key`) applies.
 */
export function renameAutoIndex(attr: Attribute, table: SqliteTable, decisions: Decision[]): void {
  const map = unquote(namedArgument(attr, "map"));
  if (map && /^sqlite_autoindex_/i.test(map)) {
    removeNamedArgument(attr, "map");
    if (attr.args && attr.args.length === 0) delete attr.args;
    decisions.push({ table: table.name, code: "index-name", message: `SQLite's internal index name ${map} replaced by Prisma's default` });
  }
}

/** Prisma marks models without a usable key `@@ignore`; once our types make the key valid, lift it. */
export function unignoreIfKeyed(model: Model): boolean {
  const ignore = blockAttributes(model).find((a) => a.name === "ignore");
  if (!ignore) return false;
  const hasId =
    model.properties.some((p) => p.type === "field" && findFieldAttribute(p, "id")) ||
    blockAttributes(model).some((a) => a.name === "id");
  if (!hasId) return false;
  model.properties = model.properties.filter((p) => p !== ignore);
  return true;
}

export function removeIgnoreDoc(list: Block[], model: Model): void {
  const at = list.indexOf(model);
  const prev = list[at - 1];
  if (prev?.type === "comment" && prev.text.startsWith(IGNORE_DOC)) list.splice(at - 1, 1);
}
