/**
 * Table and column names Prisma's SQLite introspection cannot turn into model and field names. Pure.
 *
 * `prisma db pull` derives a model (field) name from the table (column) name by dropping leading characters
 * that are not ASCII letters and turning every other character outside `[A-Za-z0-9_]` into `_`
 * (https://www.prisma.io/docs/orm/prisma-schema/data-model/database-mapping). Measured with 6.19.3, it then:
 * - writes two models (fields) of one name when two names clean up alike (`a b`, `a-b`, `a_b`; `1t`, `_t`, `t`),
 *   and the schema does not load (P1012);
 * - writes `model  {` for a table without an ASCII letter (`日本`, `""`): the schema does not parse;
 * - comments out a column without one (`""`, `" "`, `é`): its data would silently be left behind;
 * - keeps a table named like a scalar type (`String`, `DateTime`, …), which Prisma then refuses
 *   ("is a reserved scalar type name");
 * - fails to introspect at all ("Error describing the database") when a name contains `"`.
 *
 * So before `db pull`, such tables and columns are renamed in the schema-only clone (never in the user's file) to
 * names Prisma keeps as they are; after it, `@@map`/`@map` give every model and field its real name back.
 * Which names are kept: a name that is already clean wins over the ones that clean up like it, then the first.
 */
import { type Field, type Model } from "@mrleebo/prisma-ast";
import { columnNameOf, makeAttribute, quote, tableNameOf, parseSchema, printSchema } from "./ast.js";
import type { Decision } from "../core/decisions.js";

/** Prisma's scalar types: a model cannot be named like one (P1012 "reserved scalar type name"). */
export const PRISMA_SCALAR_TYPES: ReadonlySet<string> = new Set(["String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"]);

/** The name `prisma db pull` derives from a table or column name ("" when it cannot derive one). */
export function prismaCleanName(name: string): string {
  return name.replace(/^[^A-Za-z]+/, "").replace(/[^A-Za-z0-9_]/g, "_");
}

export interface NamedTable {
  readonly name: string;
  readonly columns: readonly string[];
}

export interface CloneRename {
  readonly real: string;
  readonly clone: string;
  /** Why the real name cannot be introspected as is. */
  readonly reason: string;
}

export interface CloneNamePlan {
  readonly tables: readonly CloneRename[];
  /** Real table name → the renames of its columns. */
  readonly columns: ReadonlyMap<string, readonly CloneRename[]>;
}

function problem(name: string, clean: string, kind: "table" | "column", keptBy: ReadonlyMap<string, string>): string | undefined {
  if (name.includes('"')) return "contains a double quote, which Prisma's introspection cannot read";
  if (clean === "") return `has no ASCII letter to derive a ${kind === "table" ? "model" : "field"} name from`;
  if (kind === "table" && PRISMA_SCALAR_TYPES.has(clean)) return `is a Prisma scalar type name (${clean}), which a model cannot have`;
  const owner = keptBy.get(clean);
  if (owner !== undefined && owner !== name) return `would be named ${clean} by Prisma, like ${kind} ${JSON.stringify(owner)}`;
  return undefined;
}

/**
 * Renames for one namespace (the tables of a file, or the columns of a table). `reserved`: names (compared
 * case-insensitively, as SQLite does) the new names must not take, besides the namespace's own.
 */
function planNamespace(names: readonly string[], kind: "table" | "column", reserved: Iterable<string>): CloneRename[] {
  const keptBy = new Map<string, string>();
  // A name that is already its own clean form keeps it; among the rest, the first one.
  for (const n of names) if (prismaCleanName(n) === n && n !== "") keptBy.set(n, n);
  for (const n of names) {
    const c = prismaCleanName(n);
    if (c !== "" && !keptBy.has(c) && !n.includes('"')) keptBy.set(c, n);
  }
  const used = new Set([...reserved, ...names, ...keptBy.keys()].map((n) => n.toLowerCase()));
  const out: CloneRename[] = [];
  for (const n of names) {
    const clean = prismaCleanName(n);
    const reason = problem(n, clean, kind, keptBy);
    if (reason === undefined) continue;
    const stem = PRISMA_SCALAR_TYPES.has(clean) && kind === "table" ? `Renamed${clean}` : clean.replace(/_+$/, "") || kind;
    let candidate = stem;
    for (let i = 2; used.has(candidate.toLowerCase()); i++) candidate = `${stem}_${i}`;
    used.add(candidate.toLowerCase());
    out.push({ real: n, clone: candidate, reason });
  }
  return out;
}

/** `otherNames`: views, indexes and triggers of the file (they share the tables' namespace in SQLite). */
export function planCloneNames(tables: readonly NamedTable[], otherNames: readonly string[] = []): CloneNamePlan {
  const columns = new Map<string, CloneRename[]>();
  for (const t of tables) {
    const renames = planNamespace(t.columns, "column", []);
    if (renames.length > 0) columns.set(t.name, renames);
  }
  return { tables: planNamespace(tables.map((t) => t.name), "table", otherNames), columns };
}

export function isEmptyPlan(plan: CloneNamePlan): boolean {
  return plan.tables.length === 0 && plan.columns.size === 0;
}

function setMap(model: Model, name: string): void {
  model.properties = model.properties.filter((p) => !(p.type === "attribute" && p.kind === "object" && p.name === "map"));
  model.properties.push({ type: "attribute", kind: "object", name: "map", args: [{ type: "attributeArgument", value: quote(name) }] });
}

function setFieldMap(field: Field, name: string): void {
  field.attributes = (field.attributes ?? []).filter((a) => !(a.name === "map" && a.group === undefined));
  field.attributes.push(makeAttribute("map", [quote(name)]));
}

/**
 * Give the models and fields of a schema pulled from the renamed clone their real table and column names
 * (`@@map`/`@map`; Prisma strings take JSON escapes, so any name is expressible), and say what was named.
 */
export function restoreCloneNames(pulledSchema: string, plan: CloneNamePlan): { schema: string; decisions: Decision[] } {
  if (isEmptyPlan(plan)) return { schema: pulledSchema, decisions: [] };
  const ast = parseSchema(pulledSchema);
  const tableByClone = new Map(plan.tables.map((r) => [r.clone, r]));
  const decisions: Decision[] = [];
  for (const block of ast.list) {
    if (block.type !== "model") continue;
    const renamed = tableByClone.get(tableNameOf(block));
    const real = renamed?.real ?? tableNameOf(block);
    if (renamed) {
      setMap(block, real);
      decisions.push({ table: real, code: "model-name", message: `model named ${block.name}: the table name ${renamed.reason} (@@map keeps the table's name)` });
    }
    const columnByClone = new Map((plan.columns.get(real) ?? []).map((r) => [r.clone, r]));
    for (const p of block.properties) {
      if (p.type !== "field") continue;
      const col = columnByClone.get(columnNameOf(p));
      if (!col) continue;
      setFieldMap(p, col.real);
      decisions.push({ table: real, column: col.real, code: "field-name", message: `field named ${p.name}: the column name ${col.reason} (@map keeps the column's name)` });
    }
  }
  return { schema: `${printSchema(ast).trim()}\n`, decisions };
}
