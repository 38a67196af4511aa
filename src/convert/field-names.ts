/**
 * Which Prisma model and field hold each PostgreSQL column of a converted schema, read back from its text: the
 * names an app's code uses (`prisma.user.findMany({ where: { name: … } })`), whatever renaming produced them. Pure.
 */
import { getSchema, type Model } from "@mrleebo/prisma-ast";
import { columnNameOf, fieldsOf, tableNameOf } from "./ast.js";

export interface SchemaField {
  readonly model: string;
  readonly field: string;
  /** The Prisma scalar (String, Int, …) or the enum's name. */
  readonly type: string;
  /** `@db.*` attribute, e.g. { name: "VarChar", args: ["40"] }; undefined for the scalar's default. */
  readonly native?: { readonly name: string; readonly args: readonly string[] };
}

/** PostgreSQL table → column → its field. */
export function schemaFields(schema: string): Map<string, Map<string, SchemaField>> {
  const out = new Map<string, Map<string, SchemaField>>();
  for (const block of getSchema(schema).list) {
    if (block.type !== "model") continue;
    const model = block as Model;
    const columns = new Map<string, SchemaField>();
    for (const f of fieldsOf(model)) {
      if (typeof f.fieldType !== "string") continue;
      const db = f.attributes?.find((a) => a.group === "db");
      columns.set(columnNameOf(f), {
        model: model.name,
        field: f.name,
        type: f.fieldType,
        ...(db ? { native: { name: db.name, args: (db.args ?? []).map((a) => String(a.value)) } } : {}),
      });
    }
    out.set(tableNameOf(model), columns);
  }
  return out;
}
