/**
 * Stage 4 — convert (PURE: no I/O). Rewrites the schema Prisma introspected from SQLite into a `postgresql`
 * schema: native types chosen from the declared SQLite type *and* the data profile, defaults re-derived from
 * SQLite's own default SQL, SQLite-internal index names replaced by Prisma's defaults. Returns the new schema
 * text, the decisions a reviewer should read, and the per-table column plan the copy stage encodes with.
 */
import { type Enum, type Field, type Model } from "@mrleebo/prisma-ast";
import { columnNameOf, findFieldAttribute, tableNameOf, parseSchema, printSchema } from "./ast.js";
import type { Decision } from "../core/decisions.js";
import { assertPostgresLimits } from "./limits.js";
import { pgNamesFor, renameMessage } from "./pg-names.js";
import { fitConstraintNames } from "./constraint-names.js";
import { reconcileRelations, type LeftOutForeignKey } from "./relations.js";
import { findImplicitManyToMany } from "./implicit-m2m.js";
import { type ConvertInput, type TablePlan, planTable, planRelationTable } from "./table-plan.js";
import { reattachDocComments, rewriteUserDatasource, rewriteDatasource, ensureGenerator, declareExtension } from "./datasource.js";
import { planNocase } from "./nocase.js";
import { setBlockMap, unignoreIfKeyed, removeIgnoreDoc } from "./field-edits.js";
import { convertModel, sqliteColumnsOf, widenColumnPlans } from "./convert-model.js";

export type { ColumnPlan, ConvertInput, TablePlan } from "./table-plan.js";

export interface ConvertResult {
  readonly schema: string;
  readonly decisions: readonly Decision[];
  readonly tables: readonly TablePlan[];
  /** SQLite foreign keys not in the schema (relations.ts): the orphan check must ignore them. */
  readonly leftOutForeignKeys?: readonly LeftOutForeignKey[];
}

export function convertSchema(input: ConvertInput): ConvertResult {
  assertPostgresLimits(input.catalog.tables);
  const ast = parseSchema(input.pulledSchema);
  const decisions: Decision[] = [];
  const userMode = input.source === "user";
  const modelNames = new Set(ast.list.filter((b): b is Model => b.type === "model").map((m) => m.name));
  // Enum fields are kept as the user wrote them: SQLite stores them as TEXT, the migration creates the enum type.
  const enumNames = new Set(userMode ? ast.list.filter((b): b is Enum => b.type === "enum").map((e) => e.name) : []);
  const catalogByName = new Map(input.catalog.tables.map((t) => [t.name, t]));
  const tables: TablePlan[] = [];
  const modelTables = new Map<Model, string>();
  /** model → its `@id` column (SQLite name) and its table's plan: what an implicit m-n relation table references. */
  const idPlans = new Map<string, { readonly column: string; readonly plan: TablePlan }>();

  // PostgreSQL truncates identifiers beyond 63 bytes, refuses some (pg-names.ts); tables and views share one namespace.
  const nocase = planNocase(input.catalog, input.citext ?? { available: true });
  const pgTableNames = pgNamesFor([...input.catalog.tables.map((t) => t.name), ...input.catalog.views.map((v) => v.name)], "table");

  if (userMode) rewriteUserDatasource(ast.list, decisions);
  else rewriteDatasource(ast.list);
  ensureGenerator(ast.list);

  for (const block of [...ast.list]) {
    if (block.type !== "model") continue;
    const tableName = tableNameOf(block);
    const table = catalogByName.get(tableName);
    if (!table) continue;
    const pgTable = pgTableNames.get(table.name) ?? { name: table.name };
    const pgName = pgTable.name;
    if (pgName !== table.name) {
      setBlockMap(block, pgName);
      decisions.push({ table: table.name, code: "identifier", message: renameMessage("table", table.name, pgTable) });
    }
    // Read before convertModel, which may @map the column to a PostgreSQL name.
    const idField = block.properties.find((p): p is Field => p.type === "field" && findFieldAttribute(p, "id") !== undefined);
    const columnPlans = convertModel(block, table, input, modelNames, enumNames, decisions, nocase);
    if (unignoreIfKeyed(block)) removeIgnoreDoc(ast.list, block);
    const plan = planTable(table, pgName, columnPlans, block);
    tables.push(plan);
    modelTables.set(block, table.name);
    if (idField) idPlans.set(block.name, { column: columnNameOf(idField), plan });
  }
  const models = ast.list.filter((b): b is Model => b.type === "model");
  for (const relation of findImplicitManyToMany(models)) {
    const table = catalogByName.get(relation.table);
    if (!table || tables.some((p) => p.name === table.name)) continue;
    const plan = planRelationTable(table, pgTableNames.get(table.name)?.name ?? table.name, relation, idPlans, input.profiles.get(table.name));
    if (plan) tables.push(plan);
  }
  // What only the whole schema shows: constraint names sharing one namespace, both sides of each relation.
  decisions.push(...fitConstraintNames(modelTables, [...pgTableNames.values()].map((n) => n.name)));
  const relations = reconcileRelations(modelTables);
  decisions.push(...relations.decisions);
  widenColumnPlans(tables, relations.widened, modelTables);
  const leftOutForeignKeys = relations.leftOut.map(({ model, fields }) => sqliteColumnsOf(tables, modelTables.get(model)!, fields));
  // Tables Prisma does not represent at all still hold data the user expects to find.
  for (const t of input.catalog.tables) {
    if (!tables.some((p) => p.name === t.name)) {
      decisions.push({ table: t.name, code: "not-in-schema", message: "Prisma could not represent this table; it is not migrated" });
    }
  }
  if (tables.some((t) => t.columns.some((c) => c.nocase === "citext"))) declareExtension(ast.list, "citext");
  const printed = `${printSchema(ast).trim()}\n`;
  return { schema: userMode ? reattachDocComments(printed) : printed, decisions, tables, leftOutForeignKeys };
}
