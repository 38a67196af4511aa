/**
 * Foreign keys PostgreSQL and Prisma require to be consistent, and SQLite does not. Pure, on the converted AST.
 *
 * - One type per key: Django declares `bigint` foreign keys that reference `integer` primary keys, and the data
 *   profile can make one side BigInt alone. Prisma refuses a relation whose two sides differ (P1012 "The type of
 *   the field … is not matching the type of the referenced field"). A key and every field that references it
 *   (transitively) form one group; a group holding both Int and BigInt becomes BigInt: what the data of any member
 *   needs, else the wider declaration. BigInt holds every Int value, so nothing changes in the data.
 * - A foreign key must reference a primary key or unique constraint in PostgreSQL
 *   (https://www.postgresql.org/docs/current/ddl-constraints.html#DDL-CONSTRAINTS-FK) and in Prisma; SQLite accepts
 *   any column (and then fails every write that checks it). Such a relation is left out, with a decision: the
 *   data of both tables is copied as it is.
 * - Sides of other, different types (TEXT referencing INTEGER: SQLite compares with affinity) are left out the
 *   same way: no single PostgreSQL type holds both columns' values. (Checked first, so a text column never joins
 *   an integer group.)
 */
import { type Attribute, type Field, type Model } from "@mrleebo/prisma-ast";
import { blockAttributes, columnNameOf, findFieldAttribute, namedArgument, tableNameOf, unquote, parseSchema, printSchema } from "./ast.js";
import type { Decision } from "../core/decisions.js";

export interface RelationResult {
  readonly decisions: Decision[];
  /** Fields whose type became BigInt: the copy must encode their column as bigint. */
  readonly widened: readonly { readonly model: Model; readonly field: Field }[];
  /** The referencing fields of each relation left out. */
  readonly leftOut: readonly { readonly model: Model; readonly fields: readonly Field[] }[];
}

/** A SQLite foreign key convert leaves out of the schema, by its table and columns (SQLite names). */
export interface LeftOutForeignKey {
  readonly table: string;
  readonly columns: readonly string[];
}

/**
 * The tables without the foreign keys convert left out: rows that would violate one of those are not orphans
 * of any PostgreSQL constraint, and must not stop the run or be changed by an --orphans policy.
 */
export function withoutLeftOutForeignKeys<T extends { readonly name: string; readonly foreignKeys: readonly { readonly from: readonly string[] }[] }>(
  tables: readonly T[],
  leftOut: readonly LeftOutForeignKey[] | undefined,
): T[] {
  if (!leftOut || leftOut.length === 0) return [...tables];
  const key = (table: string, columns: readonly string[]) => JSON.stringify([table, ...columns]);
  const out = new Set(leftOut.map((l) => key(l.table, l.columns)));
  return tables.map((t) => ({ ...t, foreignKeys: t.foreignKeys.filter((fk) => !out.has(key(t.name, fk.from))) }));
}

const INTEGERS: ReadonlySet<string> = new Set(["Int", "BigInt"]);

interface Relation {
  readonly model: Model;
  readonly field: Field;
  readonly target: Model;
  readonly from: readonly Field[];
  readonly to: readonly Field[];
}

function fieldList(attr: Attribute, key: string): string[] | undefined {
  const v = namedArgument(attr, key) as unknown as { type?: string; args?: unknown[] } | undefined;
  if (v?.type !== "array") return undefined;
  return (v.args ?? []).map((a) => String(a));
}

function relationName(attr: Attribute | undefined): string | undefined {
  const first = attr?.args?.[0]?.value;
  return typeof first === "string" ? unquote(first) : undefined;
}

function fields(model: Model): Field[] {
  return model.properties.filter((p): p is Field => p.type === "field");
}

function scalarType(field: Field): string {
  return typeof field.fieldType === "string" ? field.fieldType : "";
}

function isUniqueKey(target: Model, to: readonly Field[]): boolean {
  const names = new Set(to.map((f) => f.name));
  if (to.length === 1 && (findFieldAttribute(to[0], "id") || findFieldAttribute(to[0], "unique"))) return true;
  return blockAttributes(target).some((a) => {
    if (a.name !== "id" && a.name !== "unique") return false;
    const first = a.args?.[0]?.value as { type?: string; args?: unknown[] } | undefined;
    const list = first?.type === "array" ? (first.args ?? []).map((x) => String(x).replace(/\(.*$/, "")) : [];
    return list.length === names.size && list.every((n) => names.has(n));
  });
}

function findRelations(models: ReadonlyMap<Model, string>): Relation[] {
  const byName = new Map([...models.keys()].map((m) => [m.name, m]));
  const out: Relation[] = [];
  for (const model of models.keys()) {
    for (const field of fields(model)) {
      const rel = findFieldAttribute(field, "relation");
      const target = byName.get(scalarType(field));
      const from = rel && fieldList(rel, "fields");
      const to = rel && fieldList(rel, "references");
      if (!target || !from || !to || from.length !== to.length) continue;
      const fromFields = from.map((n) => fields(model).find((f) => f.name === n));
      const toFields = to.map((n) => fields(target).find((f) => f.name === n));
      if (fromFields.some((f) => !f) || toFields.some((f) => !f)) continue;
      out.push({ model, field, target, from: fromFields as Field[], to: toFields as Field[] });
    }
  }
  return out;
}

/** Remove a relation field and its back-relation field on the other model. */
function removeRelation(r: Relation): void {
  const name = relationName(findFieldAttribute(r.field, "relation"));
  r.model.properties = r.model.properties.filter((p) => p !== r.field);
  const back = fields(r.target).find((f) => {
    if (f === r.field || scalarType(f) !== r.model.name) return false;
    const rel = findFieldAttribute(f, "relation");
    return (rel === undefined || fieldList(rel, "fields") === undefined) && relationName(rel) === name;
  });
  if (back) r.target.properties = r.target.properties.filter((p) => p !== back);
}

function describe(r: Relation, models: ReadonlyMap<Model, string>): string {
  const cols = (fs: readonly Field[]) => fs.map((f) => columnNameOf(f)).join(", ");
  return `foreign key (${cols(r.from)}) → ${models.get(r.target)}(${cols(r.to)})`;
}

/** `models`: every model of the schema with its SQLite table name. Mutates the AST. */
export function reconcileRelations(models: ReadonlyMap<Model, string>): RelationResult {
  const decisions: Decision[] = [];
  const relations: Relation[] = [];
  const leftOut: { model: Model; fields: readonly Field[] }[] = [];
  for (const r of findRelations(models)) {
    const unrelated = r.from.findIndex((f, i) => scalarType(f) !== scalarType(r.to[i]) && !(INTEGERS.has(scalarType(f)) && INTEGERS.has(scalarType(r.to[i]))));
    if (!isUniqueKey(r.target, r.to)) {
      removeRelation(r);
      leftOut.push({ model: r.model, fields: r.from });
      decisions.push({
        table: models.get(r.model)!,
        code: "foreign-key",
        message: `${describe(r, models)} is not created: the referenced column(s) are not a primary key or unique in SQLite, and PostgreSQL requires one for a foreign key; the data of both tables is copied as it is`,
      });
    } else if (unrelated >= 0) {
      // No single PostgreSQL type holds both columns' values.
      removeRelation(r);
      leftOut.push({ model: r.model, fields: r.from });
      decisions.push({
        table: models.get(r.model)!,
        code: "foreign-key",
        message: `${describe(r, models)} is not created: ${scalarType(r.from[unrelated])} references ${scalarType(r.to[unrelated])}, and PostgreSQL and Prisma require both sides of a foreign key to have one type; the data of both tables is copied as it is`,
      });
    } else relations.push(r);
  }

  // Groups of fields joined by relations (union-find), to give each group one integer type.
  const parent = new Map<Field, Field>();
  const find = (f: Field): Field => {
    let root = f;
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(f, root);
    return root;
  };
  const owner = new Map<Field, Model>();
  for (const r of relations) {
    r.from.forEach((f, i) => {
      owner.set(f, r.model);
      owner.set(r.to[i], r.target);
      parent.set(find(f), find(r.to[i]));
    });
  }
  const groups = new Map<Field, Field[]>();
  for (const f of owner.keys()) groups.set(find(f), [...(groups.get(find(f)) ?? []), f]);
  const widened: { model: Model; field: Field }[] = [];
  for (const members of groups.values()) {
    const types = new Set(members.map(scalarType));
    if (!(types.has("Int") && types.has("BigInt"))) continue;
    const wide = members.filter((f) => scalarType(f) === "BigInt").map((f) => `${models.get(owner.get(f)!)}.${columnNameOf(f)}`).sort();
    const all = members.map((f) => `${models.get(owner.get(f)!)}.${columnNameOf(f)}`).sort();
    for (const f of members.filter((m) => scalarType(m) === "Int")) {
      f.fieldType = "BigInt";
      // Int's native types (SmallInt, Integer) do not apply to BigInt; BigInt is PostgreSQL bigint.
      f.attributes = f.attributes?.filter((a) => a.group !== "db");
      if (f.attributes?.length === 0) delete f.attributes;
      const model = owner.get(f)!;
      widened.push({ model, field: f });
      decisions.push({
        table: models.get(model)!,
        column: columnNameOf(f),
        code: "type",
        message: `Int → BigInt: a foreign key and the key it references must have one type (PostgreSQL, Prisma); ${wide.join(", ")} ${wide.length === 1 ? "is" : "are"} BigInt, so the whole group is: ${all.join(", ")}`,
      });
    }
  }

  return { decisions, widened, leftOut };
}

/**
 * The SQLite-side schema (the one Prisma Client reads the source through, for the read-back) with the same
 * relations fixed: Prisma validates relations whatever the provider, so the introspected schema that holds a
 * bigint → integer key does not generate a client either. Unchanged text when nothing needed fixing.
 */
export function reconcileSchemaRelations(schema: string): string {
  const ast = parseSchema(schema);
  const models = new Map(ast.list.filter((b): b is Model => b.type === "model").map((m) => [m, tableNameOf(m)]));
  const { decisions } = reconcileRelations(models);
  return decisions.length === 0 ? schema : `${printSchema(ast).trim()}\n`;
}
