/**
 * Writes a naming plan (plan-names.ts) into a schema (PURE: text in, text out). Every renamed model gets
 * `@@map("<table>")` and every renamed scalar field `@map("<column>")` unless it has one already, so the database
 * keeps its names and `prisma migrate diff` writes the same tables, columns and constraint names (Prisma's default
 * constraint names are built from table and column names, not from model and field names:
 * https://www.prisma.io/docs/orm/prisma-schema/data-model/database-mapping#constraint-and-index-names).
 * References to fields (`@relation(fields:, references:)`, `@@id`, `@@unique`, `@@index`) follow their renames.
 *
 * The same plan is applied to the SQLite schema the read-back's SQLite client is generated from, so that both
 * clients have the same models and fields. That schema may hold fields the plan does not know (a relation the
 * conversion left out): they keep their name, made unique in their model if a planned name took it.
 */
import { type Attribute, type BlockAttribute, type Field, type Model } from "@mrleebo/prisma-ast";
import { blockAttributes, columnNameOf, fieldsOf, findFieldAttribute, firstPositional, makeAttribute, quote, tableNameOf, parseSchema, printSchema } from "../ast.js";
import { setBlockMap, setFieldMap } from "../field-edits.js";
import type { NamingPlan } from "./plan-names.js";

type Arg = NonNullable<Attribute["args"]>[number];

function renameArray(value: unknown, names: ReadonlyMap<string, string> | undefined): void {
  const v = value as { type?: string; args?: unknown[] } | undefined;
  if (v?.type !== "array" || !v.args || !names) return;
  v.args = v.args.map((a) => {
    if (typeof a === "string") return names.get(a) ?? a;
    const fn = a as { type?: string; name?: string };
    // `field(sort: Desc)`, `field(ops: …)`: a function node named after the field.
    if (fn?.type === "function" && typeof fn.name === "string") fn.name = names.get(fn.name) ?? fn.name;
    return a;
  });
}

function keyValue(arg: Arg, key?: string): { key: string; value: unknown } | undefined {
  const v = arg.value as { type?: string; key?: string; value?: unknown };
  return v && typeof v === "object" && v.type === "keyValue" && (key === undefined || v.key === key) ? (v as { key: string; value: unknown }) : undefined;
}

/** `@relation("name", …)` / `@relation(name: "name", …)` set to `name`, or removed (null); the attribute goes if nothing is left. */
function setRelationName(field: Field, name: string | null): void {
  const attr = findFieldAttribute(field, "relation");
  const args = (attr?.args ?? []).filter((a) => typeof a.value !== "string" && keyValue(a, "name") === undefined);
  if (name !== null) args.unshift({ type: "attributeArgument", value: quote(name) } as Arg);
  if (attr) {
    attr.args = args;
    if (args.length === 0) field.attributes = field.attributes?.filter((a) => a !== attr);
    if (field.attributes?.length === 0) delete field.attributes;
  } else if (name !== null) field.attributes = [...(field.attributes ?? []), makeAttribute("relation", [quote(name)])];
}

/** A name no other field of the model has (case-insensitively): `name`, else `name2`, `name3`, …. */
function freeName(name: string, used: Set<string>): string {
  let n = name;
  for (let i = 2; used.has(n.toLowerCase()); i++) n = `${name}${i}`;
  used.add(n.toLowerCase());
  return n;
}

export function applyNamesToModels(models: readonly Model[], plan: NamingPlan): void {
  const oldNames = new Set(models.map((m) => m.name));
  // Field renames per old model name, completed with the fields this schema has and the plan does not.
  const renames = new Map<string, Map<string, string>>();
  for (const model of models) {
    const planned = plan.fields.get(model.name) ?? new Map<string, string>();
    const used = new Set([...planned.values()].map((n) => n.toLowerCase()));
    const map = new Map<string, string>();
    for (const f of fieldsOf(model)) map.set(f.name, planned.get(f.name) ?? freeName(f.name, used));
    renames.set(model.name, map);
  }
  for (const model of models) {
    const old = model.name;
    const fieldNames = renames.get(old)!;
    const newName = plan.models.get(old) ?? old;
    if (newName !== old) {
      if (!blockAttributes(model).some((a) => a.name === "map" && a.group === undefined)) setBlockMap(model, tableNameOf(model));
      model.name = newName;
    }
    for (const field of fieldsOf(model)) {
      const type = typeof field.fieldType === "string" ? field.fieldType : undefined;
      const isRelation = type !== undefined && oldNames.has(type);
      const to = fieldNames.get(field.name)!;
      if (!isRelation && to !== field.name && findFieldAttribute(field, "map") === undefined) setFieldMap(field, columnNameOf(field));
      for (const attr of field.attributes ?? []) {
        if (attr.name !== "relation" || attr.group !== undefined) continue;
        for (const arg of attr.args ?? []) {
          const kv = keyValue(arg);
          if (kv?.key === "fields") renameArray(kv.value, fieldNames);
          if (kv?.key === "references" && type !== undefined) renameArray(kv.value, renames.get(type));
        }
      }
      const relationName = plan.relationNames.get(old)?.get(field.name);
      if (isRelation && relationName !== undefined) setRelationName(field, relationName);
      if (isRelation) field.fieldType = plan.models.get(type) ?? type;
      field.name = to;
    }
    for (const attr of blockAttributes(model) as BlockAttribute[]) {
      if (!["id", "unique", "index", "fulltext"].includes(attr.name) || attr.group !== undefined) continue;
      const first = firstPositional(attr);
      if (first !== undefined) renameArray(first, fieldNames);
      for (const arg of attr.args ?? []) {
        const kv = keyValue(arg as Arg, "fields");
        if (kv) renameArray(kv.value, fieldNames);
      }
    }
  }
}

export function applyNames(schema: string, plan: NamingPlan): string {
  const ast = parseSchema(schema);
  applyNamesToModels(ast.list.filter((b): b is Model => b.type === "model"), plan);
  return `${printSchema(ast).trim()}\n`;
}
