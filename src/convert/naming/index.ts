/**
 * The naming pass (PURE): an introspected schema gets the names a Prisma team would write (plan-names.ts), each
 * through `@map`/`@@map` (apply-names.ts), and one decision per renamed model lists what was renamed. Never run
 * on a user's own schema (`--schema`): its names are theirs. `--naming keep` skips it.
 */
import { type Enum, type Model } from "@mrleebo/prisma-ast";
import { columnNameOf, fieldsOf, tableNameOf, parseSchema, printSchema } from "../ast.js";
import type { Decision } from "../../core/decisions.js";
import type { ImplicitManyToMany } from "../implicit-m2m.js";
import { applyNames, applyNamesToModels } from "./apply-names.js";
import { planNames, type NamingPlan } from "./plan-names.js";

export { applyNames } from "./apply-names.js";
export { planNames, RESERVED_MODEL_NAMES, type NamingPlan } from "./plan-names.js";

/** `prisma`: Prisma's conventions (the default for an introspected database); `keep`: the database's names. */
export type NamingMode = "prisma" | "keep";
export const NAMING_MODES: readonly NamingMode[] = ["prisma", "keep"];

/** The decision code of a rename: the schema shows it too, as `@map`/`@@map`. */
export const NAMING_DECISION = "naming";

export interface NamingResult {
  readonly schema: string;
  readonly plan: NamingPlan;
  readonly decisions: readonly Decision[];
}

/** `sqliteNames`: PostgreSQL table name (a model's `@@map`) → SQLite table name, where they differ. */
export function nameSchema(schema: string, sqliteNames: ReadonlyMap<string, string> = new Map()): NamingResult {
  const ast = parseSchema(schema);
  const models = ast.list.filter((b): b is Model => b.type === "model");
  const plan = planNames({ models, otherTypes: ast.list.filter((b): b is Enum => b.type === "enum").map((e) => e.name) });
  const decisions = describeRenames(models, plan, sqliteNames);
  applyNamesToModels(models, plan);
  return { schema: `${printSchema(ast).trim()}\n`, plan, decisions };
}

/** What the pass renamed in each model, read before the plan is applied (`models` still carry their old names). */
function describeRenames(models: readonly Model[], plan: NamingPlan, sqliteNames: ReadonlyMap<string, string>): Decision[] {
  const oldNames = new Set(models.map((m) => m.name));
  const out: Decision[] = [];
  for (const model of models) {
    const table = tableNameOf(model);
    const parts: string[] = [];
    const to = plan.models.get(model.name) ?? model.name;
    if (to !== model.name) parts.push(`model ${to} (was ${model.name}; @@map keeps the table name)`);
    const pinned = plan.pinned.get(model.name);
    if (pinned !== undefined) parts.push(`model name ${model.name} kept: another name would change which model comes first, and so the A/B columns, of an implicit many-to-many table`);
    const fields = plan.fields.get(model.name) ?? new Map<string, string>();
    const columns: string[] = [];
    const relations: string[] = [];
    for (const f of fieldsOf(model)) {
      const name = fields.get(f.name) ?? f.name;
      if (name === f.name) continue;
      const isRelation = typeof f.fieldType === "string" && oldNames.has(f.fieldType);
      if (isRelation) relations.push(`${name} (was ${f.name})`);
      else columns.push(`${name} ← ${columnNameOf(f)}`);
    }
    if (columns.length > 0) parts.push(`fields ${columns.join(", ")} (@map keeps the column names)`);
    if (relations.length > 0) parts.push(`relation fields ${relations.join(", ")}`);
    if (parts.length > 0) out.push({ table: sqliteNames.get(table) ?? table, code: NAMING_DECISION, message: `Prisma names: ${parts.join("; ")}` });
  }
  return out;
}

/** The same renames in another schema of the same database (the SQLite one the read-back reads through). */
export function renameSchema(schema: string, plan: NamingPlan): string {
  return applyNames(schema, plan);
}

/** An implicit many-to-many relation's model and field names after the renames (its table keeps its name). */
export function renameImplicitRelation(r: ImplicitManyToMany, plan: NamingPlan): ImplicitManyToMany {
  const model = (m: string) => plan.models.get(m) ?? m;
  const field = (m: string, f: string) => plan.fields.get(m)?.get(f) ?? f;
  return {
    ...r,
    modelA: model(r.modelA),
    modelB: model(r.modelB),
    fields: [
      { model: model(r.fields[0].model), field: field(r.fields[0].model, r.fields[0].field) },
      { model: model(r.fields[1].model), field: field(r.fields[1].model, r.fields[1].field) },
    ],
  };
}
