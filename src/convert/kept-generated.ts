/**
 * A STORED generated column holds values SQLite computed and wrote to disk. When PostgreSQL cannot compute it
 * (extras.ts: the expression does not port), dropping it would drop those values; instead it becomes an ordinary
 * column of the schema, so Prisma creates it, the copy copies it and verification checks it, and extras.ts
 * reports the decision. Prisma's introspection leaves generated columns out (PRAGMA table_info hides them), so
 * the field is added here, before conversion types it like any other column. PURE: schema text in, text out.
 */
import { type Field, type Model } from "@mrleebo/prisma-ast";
import type { SqliteCatalog } from "../core/catalog.js";
import { columnNameOf, makeAttribute, quote, tableNameOf, parseSchema, printSchema } from "./ast.js";
import { familyOf, type TypeFamily } from "./type-map.js";

/** A Prisma scalar to start from; convert.ts chooses the real type from the declaration and the data. */
const SCALAR: Readonly<Partial<Record<TypeFamily, string>>> = {
  boolean: "Boolean",
  timestamp: "DateTime",
  date: "DateTime",
  smallint: "Int",
  integer: "Int",
  "loose-integer": "Int",
  bigint: "BigInt",
  float: "Float",
  decimal: "Decimal",
  json: "Json",
  bytes: "Bytes",
};

const PRISMA_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

export function keepStoredGenerated(
  schema: string,
  catalog: SqliteCatalog,
  columns: readonly { readonly table: string; readonly column: string }[],
): string {
  if (columns.length === 0) return schema;
  const ast = parseSchema(schema);
  const models = ast.list.filter((b): b is Model => b.type === "model");
  let changed = false;
  for (const { table, column } of columns) {
    const model = models.find((m) => tableNameOf(m) === table);
    const declared = catalog.tables.find((t) => t.name === table)?.columns.find((c) => c.name === column);
    if (!model || !declared) continue;
    const fields = model.properties.filter((p): p is Field => p.type === "field");
    if (fields.some((f) => columnNameOf(f) === column)) continue;
    const taken = new Set(fields.map((f) => f.name));
    let name = PRISMA_IDENTIFIER.test(column) ? column : `c_${column.replace(/[^A-Za-z0-9_]/g, "_")}`.replace(/_+$/, "");
    for (let i = 2; taken.has(name); i++) name = `${PRISMA_IDENTIFIER.test(column) ? column : "c"}_${i}`;
    const field: Field = {
      type: "field",
      name,
      fieldType: SCALAR[familyOf(declared.declaredType)] ?? "String",
      optional: true,
      ...(name === column ? {} : { attributes: [makeAttribute("map", [quote(column)])] }),
    };
    // After the last scalar field, before the block attributes (@@id, @@index …).
    const last = model.properties.reduce((at, p, i) => (p.type === "field" ? i : at), -1);
    model.properties.splice(last + 1, 0, field);
    changed = true;
  }
  return changed ? `${printSchema(ast).trim()}\n` : schema;
}
