/**
 * Which Prisma model and field hold each PostgreSQL column of a converted schema, read back from its text: the
 * names an app's code uses (`prisma.user.findMany({ where: { name: … } })`), whatever renaming produced them. Pure.
 */
import { type Model } from "@mrleebo/prisma-ast";
import { blockAttributes, columnNameOf, fieldsOf, findFieldAttribute, namedArgument, tableNameOf, parseSchema } from "./ast.js";
import { topLevelBlocks } from "./schema-blocks.js";

export interface SchemaField {
  readonly model: string;
  readonly field: string;
  /** The Prisma scalar (String, Int, …) or the enum's name. */
  readonly type: string;
  /** A key (`@id`, `@@id`, a generated `cuid()`/`uuid()`) or a relation's scalar (`@relation(fields: [...])`): never searched by text. */
  readonly key: boolean;
  /** `@db.*` attribute, e.g. { name: "VarChar", args: ["40"] }; undefined for the scalar's default. */
  readonly native?: { readonly name: string; readonly args: readonly string[] };
}

/** PostgreSQL table → column → its field. Each model is parsed on its own (schema-blocks.ts). */
export function schemaFields(schema: string): Map<string, Map<string, SchemaField>> {
  const out = new Map<string, Map<string, SchemaField>>();
  for (const { keyword, start, end } of topLevelBlocks(schema)) {
    if (keyword !== "model") continue;
    const model = parseSchema(schema.slice(start, end)).list.find((b): b is Model => b.type === "model");
    if (!model) continue;
    const columns = new Map<string, SchemaField>();
    const keys = keyFields(model);
    for (const f of fieldsOf(model)) {
      if (typeof f.fieldType !== "string") continue;
      const db = f.attributes?.find((a) => a.group === "db");
      columns.set(columnNameOf(f), {
        model: model.name,
        field: f.name,
        type: f.fieldType,
        key: keys.has(f.name),
        ...(db ? { native: { name: db.name, args: (db.args ?? []).map((a) => String(a.value)) } } : {}),
      });
    }
    out.set(tableNameOf(model), columns);
  }
  return out;
}

/** Field names of the model's keys: @id, @@id, generated ids, and the scalars of its relations. */
function keyFields(model: Model): Set<string> {
  const names = new Set<string>();
  const listed = (v: unknown): string[] =>
    typeof v === "object" && v !== null && (v as { type?: string }).type === "array" ? (v as { args: unknown[] }).args.map(String) : [];
  for (const f of fieldsOf(model)) {
    if (findFieldAttribute(f, "id")) names.add(f.name);
    const def = JSON.stringify(findFieldAttribute(f, "default")?.args ?? []);
    if (/"(cuid|uuid|nanoid)"/.test(def)) names.add(f.name);
    for (const n of listed(namedArgument(findFieldAttribute(f, "relation"), "fields"))) names.add(n);
  }
  for (const a of blockAttributes(model)) {
    if (a.name !== "id") continue;
    const first = a.args?.[0]?.value;
    for (const n of listed(first)) names.add(n);
    for (const n of listed(namedArgument(a, "fields"))) names.add(n);
  }
  return names;
}
