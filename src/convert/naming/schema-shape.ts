/**
 * What the naming pass reads from a schema (PURE): each model's fields sorted into scalars, foreign-key relation
 * fields (`@relation(fields: …)`), back-relation fields, and the sides of implicit many-to-many relations.
 */
import type { Field, Model } from "@mrleebo/prisma-ast";
import { fieldsOf, findFieldAttribute, firstPositional, namedArgument, unquote } from "../ast.js";
import { findImplicitManyToMany, type ImplicitManyToMany } from "../implicit-m2m.js";

export interface ForeignKeyField {
  readonly field: Field;
  readonly target: string;
  /** The scalar fields holding the key (`fields:`). */
  readonly from: readonly string[];
  readonly relation: string | undefined;
}

export interface BackField {
  readonly field: Field;
  readonly target: string;
  readonly relation: string | undefined;
}

export interface ManyToManySide {
  readonly field: Field;
  readonly target: string;
  readonly relation: ImplicitManyToMany;
}

export interface ModelShape {
  readonly model: Model;
  readonly scalars: readonly Field[];
  readonly foreignKeys: readonly ForeignKeyField[];
  readonly backs: readonly BackField[];
  readonly manyToMany: readonly ManyToManySide[];
}

/** `@relation("X")` or `@relation(name: "X")`. */
export function relationNameOf(field: Field): string | undefined {
  const attr = findFieldAttribute(field, "relation");
  return unquote(firstPositional(attr)) ?? unquote(namedArgument(attr, "name"));
}

/** The field names of an array argument (`fields: [a, b]`), without their arguments (`a(sort: Desc)` → a). */
export function arrayNames(value: unknown): string[] | undefined {
  const v = value as { type?: string; args?: unknown[] } | undefined;
  if (v?.type !== "array") return undefined;
  return (v.args ?? []).map((a) => (typeof a === "string" ? a : String((a as { name?: string }).name)));
}

export function readShapes(models: readonly Model[]): ModelShape[] {
  const modelNames = new Set(models.map((m) => m.name));
  const m2m = findImplicitManyToMany(models);
  const sideOf = (model: string, field: string): ImplicitManyToMany | undefined =>
    m2m.find((r) => r.fields.some((s) => s.model === model && s.field === field));
  return models.map((model) => {
    const scalars: Field[] = [];
    const foreignKeys: ForeignKeyField[] = [];
    const backs: BackField[] = [];
    const manyToMany: ManyToManySide[] = [];
    for (const field of fieldsOf(model)) {
      const type = typeof field.fieldType === "string" ? field.fieldType : "";
      if (!modelNames.has(type)) {
        scalars.push(field);
        continue;
      }
      const from = arrayNames(namedArgument(findFieldAttribute(field, "relation"), "fields"));
      const relation = relationNameOf(field);
      const pair = from === undefined ? sideOf(model.name, field.name) : undefined;
      if (from !== undefined) foreignKeys.push({ field, target: type, from, relation });
      else if (pair) manyToMany.push({ field, target: type, relation: pair });
      else backs.push({ field, target: type, relation });
    }
    return { model, scalars, foreignKeys, backs, manyToMany };
  });
}
