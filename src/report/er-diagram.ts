/**
 * The converted schema drawn as a Mermaid entity-relationship diagram, for the Markdown reports (PURE: schema text
 * in, Markdown lines out). GitHub renders a ```mermaid block in pull requests and issues
 * (https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/creating-diagrams);
 * the syntax is Mermaid's `erDiagram` (https://mermaid.js.org/syntax/entityRelationshipDiagram.html):
 *
 * - one entity per model, its fields as `type name PK|FK|UK "comment"` (the comment names the column when `@map`
 *   gives the field another name);
 * - one line per relation, from the referenced model to the one holding the foreign key:
 *   `User ||--o{ Post : author` (`|o` when the key may be NULL, `o|` when it is unique: one-to-one);
 * - implicit many-to-many relations as `}o--o{`, labelled with the relation (its table is `_<name>`).
 *
 * A big schema would not render (GitHub gives up on very large diagrams): above ATTRIBUTE_LIMIT models only the key
 * fields are listed, above MODEL_LIMIT there is no diagram, and the section says so.
 */
import { type Field, type Model } from "@mrleebo/prisma-ast";
import { blockAttributes, columnNameOf, fieldsOf, findFieldAttribute, firstPositional, namedArgument, tableNameOf, parseSchema } from "../convert/ast.js";
import { findImplicitManyToMany } from "../convert/implicit-m2m.js";

export const ATTRIBUTE_LIMIT = 40;
export const MODEL_LIMIT = 200;

type Key = "PK" | "FK" | "UK";

function names(value: unknown): string[] {
  const v = value as { type?: string; args?: unknown[] } | undefined;
  if (v?.type !== "array") return [];
  return (v.args ?? []).map((a) => (typeof a === "string" ? a : String((a as { name?: string }).name)));
}

/** Mermaid comments are double-quoted strings without escapes: a `"` in a column name is shown as `'`. */
const comment = (s: string) => `"${s.replace(/"/g, "'").replace(/[\r\n]+/g, " ")}"`;

/** A Mermaid attribute type: the Prisma scalar (an `Unsupported("x")` type as `Unsupported`), `[]` dropped. */
function typeName(field: Field): string {
  const t = typeof field.fieldType === "string" ? field.fieldType : "Unsupported";
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(t) ? t : "Unsupported";
}

const KEY_ORDER: readonly Key[] = ["PK", "FK", "UK"];

/** Fields that are unique on their own (`@id`, `@unique`, a one-field `@@id`/`@@unique`): a relation on one is one-to-one. */
function singleUniques(model: Model): Set<string> {
  const out = new Set<string>();
  for (const f of fieldsOf(model)) if (findFieldAttribute(f, "id") || findFieldAttribute(f, "unique")) out.add(f.name);
  for (const a of blockAttributes(model)) {
    const list = names(firstPositional(a)).concat(names(namedArgument(a, "fields")));
    if (a.group === undefined && (a.name === "id" || a.name === "unique") && list.length === 1) out.add(list[0]);
  }
  return out;
}

function keysOf(model: Model): Map<string, Set<Key>> {
  const keys = new Map<string, Set<Key>>();
  const add = (f: string, k: Key) => keys.set(f, (keys.get(f) ?? new Set<Key>()).add(k));
  for (const f of fieldsOf(model)) {
    if (findFieldAttribute(f, "id")) add(f.name, "PK");
    if (findFieldAttribute(f, "unique")) add(f.name, "UK");
    for (const n of names(namedArgument(findFieldAttribute(f, "relation"), "fields"))) add(n, "FK");
  }
  for (const a of blockAttributes(model)) {
    if (a.group !== undefined) continue;
    const list = names(firstPositional(a)).concat(names(namedArgument(a, "fields")));
    if (a.name === "id") for (const n of list) add(n, "PK");
    // A composite unique is not a key of any one of its columns: only a single-column @@unique marks UK.
    if (a.name === "unique" && list.length === 1) add(list[0], "UK");
  }
  return keys;
}

/** The `erDiagram` source for a schema's models (no fence). */
export function erDiagram(schema: string): string[] {
  const models = parseSchema(schema).list.filter((b): b is Model => b.type === "model");
  const modelNames = new Set(models.map((m) => m.name));
  const isRelation = (f: Field) => typeof f.fieldType === "string" && modelNames.has(f.fieldType);
  const keysOnly = models.length > ATTRIBUTE_LIMIT;
  const lines = ["erDiagram"];
  for (const m of models) {
    const keys = keysOf(m);
    const table = tableNameOf(m);
    const attributes: string[] = [];
    for (const f of fieldsOf(m)) {
      if (isRelation(f)) continue;
      const k = keys.get(f.name);
      if (keysOnly && !k) continue;
      const column = columnNameOf(f);
      const parts = [typeName(f), f.name];
      if (k) parts.push(KEY_ORDER.filter((x) => k.has(x)).join(", "));
      if (column !== f.name) parts.push(comment(column));
      attributes.push(`    ${parts.join(" ")}`);
    }
    // The table's name when the model is named otherwise: the entity is the model, the comment says where it lives.
    if (table !== m.name) lines.push(`  %% ${m.name}: table ${table.replace(/[\r\n]+/g, " ")}`);
    // An entity may stand alone (Mermaid creates it from its name): a model with no field to list.
    if (attributes.length > 0) lines.push(`  ${m.name} {`, ...attributes, "  }");
    else lines.push(`  ${m.name}`);
  }
  const byName = new Map(models.map((m) => [m.name, m]));
  for (const m of models) {
    for (const f of fieldsOf(m)) {
      if (!isRelation(f)) continue;
      const from = names(namedArgument(findFieldAttribute(f, "relation"), "fields"));
      if (from.length === 0) continue;
      const target = byName.get(f.fieldType as string)!;
      const own = fieldsOf(m);
      const optional = from.some((n) => own.find((x) => x.name === n)?.optional === true);
      const unique = from.length === 1 && singleUniques(m).has(from[0]);
      const parent = optional ? "|o" : "||";
      const child = unique ? "o|" : "o{";
      lines.push(`  ${target.name} ${parent}--${child} ${m.name} : ${f.name}`);
    }
  }
  for (const r of findImplicitManyToMany(models)) lines.push(`  ${r.modelA} }o--o{ ${r.modelB} : ${comment(r.relation)}`);
  return lines;
}

/** The report's "Schema" section: the diagram in a ```mermaid fence, or why there is none. */
export function schemaSection(schema: string | undefined): string[] {
  if (schema === undefined) return [];
  let models: number;
  try {
    models = parseSchema(schema).list.filter((b) => b.type === "model").length;
  } catch {
    return [];
  }
  if (models === 0) return [];
  const out = ["## Schema", ""];
  if (models > MODEL_LIMIT) return [...out, `${models} models: too many to draw (the diagram is drawn up to ${MODEL_LIMIT}); see schema.prisma.`, ""];
  if (models > ATTRIBUTE_LIMIT) out.push(`${models} models: only their key fields are listed.`, "");
  return [...out, "```mermaid", ...erDiagram(schema), "```", ""];
}
