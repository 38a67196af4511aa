/**
 * Prisma's implicit many-to-many relations (PURE: schema AST in, data out). Such a relation has no model: Prisma
 * manages a relation table `_<relation name>` with two columns, `A` and `B`, holding the `@id`s of the two models
 * (https://www.prisma.io/docs/orm/prisma-schema/data-model/relations/many-to-many-relations#conventions-for-relation-tables-in-implicit-m-n-relations).
 * `A` points at the model whose name comes first in alphabetical order, `B` at the other; the relation name is the
 * one given in `@relation("…")`, else `<A>To<B>` (e.g. `_CategoryToPost`). Prisma creates the table from the
 * schema alone — on SQLite with a unique index `_<name>_AB_unique`, on PostgreSQL (Prisma 6) with a primary key
 * `_<name>_AB_pkey` — and each column takes the type of the `@id` it references.
 *
 * Because the table has no model, the conversion would otherwise give it no copy plan and its rows, the relation
 * itself, would be lost. This module finds the relations so that convert.ts can plan their tables.
 */
import type { Field, Model } from "@mrleebo/prisma-ast";
import { findFieldAttribute, firstPositional, namedArgument, unquote } from "./ast.js";

export interface ImplicitManyToMany {
  /** The relation table, `_` + relation name: the same name on SQLite and on PostgreSQL. */
  readonly table: string;
  readonly relation: string;
  /** The model whose `@id` column `A` holds (first in alphabetical order). */
  readonly modelA: string;
  /** The model whose `@id` column `B` holds. */
  readonly modelB: string;
  /**
   * The list fields of the relation: `[field on modelA (pointing at modelB), field on modelB]`. In a self-relation
   * both are on the same model, and which of them reads `A` depends on Prisma's field order, so read-back reads both.
   */
  readonly fields: readonly [{ readonly model: string; readonly field: string }, { readonly model: string; readonly field: string }];
}

/** The relation name of a field's `@relation("X")` / `@relation(name: "X")`, if any. */
function relationNameOf(field: Field): string | undefined {
  const attr = findFieldAttribute(field, "relation");
  return unquote(firstPositional(attr)) ?? unquote(namedArgument(attr, "name"));
}

/** A list relation field without `fields:`: one side of a many-to-many, or the back side of a one-to-many. */
function isListRelation(field: Field, modelNames: ReadonlySet<string>): boolean {
  if (field.array !== true || typeof field.fieldType !== "string" || !modelNames.has(field.fieldType)) return false;
  return namedArgument(findFieldAttribute(field, "relation"), "fields") === undefined;
}

/** Prisma compares model names as strings; they are ASCII identifiers, so code-unit order is byte order. */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every implicit many-to-many relation of a schema: two list relation fields (no `fields:` on either) with the same
 * relation name, pointing at each other's models.
 */
export function findImplicitManyToMany(models: readonly Model[]): ImplicitManyToMany[] {
  const modelNames = new Set(models.map((m) => m.name));
  interface Side {
    readonly model: string;
    readonly field: string;
    readonly target: string;
    readonly relation: string;
  }
  const sides: Side[] = [];
  for (const model of models) {
    for (const p of model.properties) {
      if (p.type !== "field" || !isListRelation(p, modelNames)) continue;
      const target = p.fieldType as string;
      const [first, second] = [model.name, target].sort(byName);
      sides.push({ model: model.name, field: p.name, target, relation: relationNameOf(p) ?? `${first}To${second}` });
    }
  }
  const found: ImplicitManyToMany[] = [];
  const used = new Set<Side>();
  for (const side of sides) {
    if (used.has(side)) continue;
    const other = sides.find((o) => o !== side && !used.has(o) && o.relation === side.relation && o.model === side.target && o.target === side.model);
    if (!other) continue; // the list side of a one-to-many: its other side has `fields:`
    used.add(side).add(other);
    const [a, b] = byName(side.model, other.model) <= 0 ? [side, other] : [other, side];
    found.push({
      table: `_${side.relation}`,
      relation: side.relation,
      modelA: a.model,
      modelB: b.model,
      fields: [
        { model: a.model, field: a.field },
        { model: b.model, field: b.field },
      ],
    });
  }
  return found;
}
