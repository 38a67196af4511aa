/**
 * The names a Prisma team gives an introspected database (PURE: schema AST in, a plan out). `prisma db pull`
 * names models and fields after the tables and columns (`model users`, `user_id`) and relation fields after the
 * other model and the relation (`users_posts_author_idTousers`); the plan renames them to Prisma's conventions
 * (https://www.prisma.io/docs/orm/reference/prisma-schema-reference#naming-conventions):
 *
 * - models: PascalCase, singular (`users` → `User`, `post_tags` → `PostTag`);
 * - scalar fields: camelCase (`user_id` → `userId`); a foreign key column without a key word (`ReportsTo`) becomes
 *   `reportsToId`, so that its relation field can be `reportsTo`;
 * - foreign-key relation fields: after their key (`author_id` → `author`), else after the model they point at;
 * - back-relation fields: the other model in plural camelCase (`posts`); when the other model points here through
 *   several keys, told apart by them (`authorPosts`, `editorPosts`);
 * - implicit many-to-many fields: the other model in plural (`categories`), or the relation's own name (`votes`).
 *
 * The plan is only names: apply-names.ts writes them with `@map`/`@@map`, so tables and columns keep theirs.
 *
 * Clashes are resolved deterministically, never by input order alone: names already idiomatic keep theirs, then
 * the others in byte order of their old name take the first free candidate (singular, then as written, then with a
 * `Model` suffix, then numbered). Names are compared case-insensitively (Prisma Client's delegates lower the first
 * letter: `User` and `user` would be one `prisma.user`). Prisma's scalar type names and reserved model names are
 * never taken (P1012 "reserved scalar type name", "It is a reserved name").
 *
 * An implicit many-to-many table's columns are `A` (the model first in alphabetical order) and `B`
 * (implicit-m2m.ts): renaming its models must not change which comes first, or the rows would land in the wrong
 * columns. When it would, both models keep their names (a decision says why).
 */
import type { Model } from "@mrleebo/prisma-ast";
import { PRISMA_SCALAR_TYPES } from "../prisma-names.js";
import { tableNameOf } from "../ast.js";
import { camelCase, pascalCase, pluralCamel, pluralWords, singularCamel, singularWords, splitWords, withoutKeyWord } from "./words.js";
import { readShapes, type ModelShape } from "./schema-shape.js";

/** Names a model cannot take: scalar types, and those Prisma reserves (`PrismaClient`; `Prisma` is the client's namespace). */
export const RESERVED_MODEL_NAMES: ReadonlySet<string> = new Set([...PRISMA_SCALAR_TYPES, "Unsupported", "PrismaClient", "Prisma"]);

export interface NamingPlan {
  /** Old model name → new one, for every model. */
  readonly models: ReadonlyMap<string, string>;
  /** Old model name → old field name → new field name, for every field. */
  readonly fields: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /**
   * Old model name → old relation field name → the relation name to write: `null` when the relation needs none
   * (one relation between two models). Implicit many-to-many sides always get theirs: it names their table.
   */
  readonly relationNames: ReadonlyMap<string, ReadonlyMap<string, string | null>>;
  /** Models that keep their name so that an implicit many-to-many table keeps its A/B order: model → table. */
  readonly pinned: ReadonlyMap<string, string>;
}

export interface NamingInput {
  readonly models: readonly Model[];
  /** Enum (and other type) names of the schema: models cannot take them. */
  readonly otherTypes?: readonly string[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Takes the first free candidate (case-insensitively), else the first one numbered from 2. */
function take(candidates: readonly string[], taken: Set<string>, reserved: ReadonlySet<string> = new Set()): string {
  const list = candidates.filter((c) => c !== "");
  const free = (c: string) => !taken.has(c.toLowerCase()) && !reserved.has(c);
  let chosen = list.find(free);
  for (let i = 2; chosen === undefined; i++) if (free(`${list[0]}${i}`)) chosen = `${list[0]}${i}`;
  taken.add(chosen.toLowerCase());
  return chosen;
}

function modelCandidates(name: string): string[] {
  const words = splitWords(name);
  const singular = pascalCase(singularWords(words));
  return [singular, pascalCase(words), `${singular}Model`];
}

/** Idiomatic names first (they keep themselves), then the rest in byte order: the result does not depend on the file's order. */
function claimOrder<T>(items: readonly T[], name: (t: T) => string, first: (t: T) => string): T[] {
  const idiomatic = items.filter((t) => first(t) === name(t));
  const rest = items.filter((t) => first(t) !== name(t)).sort((a, b) => byName(name(a), name(b)));
  return [...idiomatic, ...rest];
}

function assignModels(names: readonly string[], reserved: ReadonlySet<string>, pinned: ReadonlySet<string>): Map<string, string> {
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const n of names) if (pinned.has(n)) out.set(n, take([n], taken));
  const order = claimOrder(names.filter((n) => !pinned.has(n)), (n) => n, (n) => modelCandidates(n)[0]);
  for (const n of order) out.set(n, take(modelCandidates(n), taken, reserved));
  return out;
}

export function planNames(input: NamingInput): NamingPlan {
  const shapes = readShapes(input.models);
  const reserved = new Set([...RESERVED_MODEL_NAMES, ...(input.otherTypes ?? [])]);
  const names = input.models.map((m) => m.name);
  const pinnedNames = new Set<string>();
  let models = assignModels(names, reserved, pinnedNames);
  // Pinning two models can flip another pair: repeat until stable (at most once per model).
  for (let changed = true; changed; ) {
    changed = false;
    for (const s of shapes)
      for (const side of s.manyToMany) {
        const { modelA, modelB } = side.relation;
        if (byName(models.get(modelA)!, models.get(modelB)!) > 0 && !(pinnedNames.has(modelA) && pinnedNames.has(modelB))) {
          pinnedNames.add(modelA).add(modelB);
          changed = true;
        }
      }
    if (changed) models = assignModels(names, reserved, pinnedNames);
  }
  const tableOf = new Map(shapes.map((s) => [s.model.name, tableNameOf(s.model)]));
  const pinned = new Map([...pinnedNames].map((n) => [n, tableOf.get(n) ?? n]));
  const fields = planFields(shapes, models);
  const relationNames = planRelationNames(shapes, models, fields);
  return { models, fields, relationNames, pinned };
}

/**
 * The two fields of a many-to-many relation of a model with itself. Which one reads column A is decided by Prisma
 * from the fields themselves (their order), not by anything this pass could re-derive, so the new names keep both
 * the order in the file and the order by name: `Member_A`/`Member_B` of relation "Follows" → followsA/followsB.
 * When the new pair would sort the other way round, the fields keep their names.
 */
function selfPair(relation: string, first: string, second: string): [string, string] {
  const suffix = (f: string) => {
    const words = splitWords(f);
    return words.length > 1 && words[words.length - 1].length === 1 ? [words[words.length - 1].toUpperCase()] : splitWords(f);
  };
  const rel = pluralWords(splitWords(relation));
  const pair: [string, string] = [camelCase([...rel, ...suffix(first)]), camelCase([...rel, ...suffix(second)])];
  const sign = (x: string, y: string) => Math.sign(byName(x, y));
  return pair[0].toLowerCase() !== pair[1].toLowerCase() && sign(pair[0], pair[1]) === sign(first, second) ? pair : [first, second];
}

/** Columns that alone are a foreign key and carry no key word (`ReportsTo`, `author`): named `<name>Id` in step 1. */
function bareKeyColumns(shape: ModelShape): Set<string> {
  const out = new Set<string>();
  for (const fk of shape.foreignKeys) if (fk.from.length === 1 && withoutKeyWord(fk.from[0]).length === 0) out.add(fk.from[0]);
  // A column two relations share is left as it is: neither has a better claim to its name.
  for (const c of [...out]) if (shape.foreignKeys.filter((fk) => fk.from.includes(c)).length > 1) out.delete(c);
  return out;
}

/** The words of a foreign key's columns, each without its key word (`author_id` → author; `ReportsTo` → Reports, To). */
function keyColumnWords(fk: ModelShape["foreignKeys"][number]): string[] {
  return fk.from.flatMap((f) => (withoutKeyWord(f).length > 0 ? withoutKeyWord(f) : splitWords(f)));
}

function planFields(shapes: readonly ModelShape[], models: ReadonlyMap<string, string>): Map<string, Map<string, string>> {
  const taken = new Map(shapes.map((s) => [s.model.name, new Set<string>()]));
  const out = new Map(shapes.map((s) => [s.model.name, new Map<string, string>()]));
  const newModel = (old: string) => models.get(old) ?? old;
  // 1. Columns: camelCase, else their name as it is. A foreign key column named like its relation (`ReportsTo`,
  //    `author`: no key word) becomes `<name>Id`, Prisma's way, so that the relation field can have the name.
  for (const s of shapes) {
    const bare = bareKeyColumns(s);
    const candidates = (f: { name: string }) => [...(bare.has(f.name) ? [camelCase([...splitWords(f.name), "Id"])] : []), camelCase(splitWords(f.name)), f.name];
    const order = claimOrder(s.scalars, (f) => f.name, (f) => candidates(f)[0]);
    for (const f of order) out.get(s.model.name)!.set(f.name, take(candidates(f), taken.get(s.model.name)!));
  }
  // 2. Foreign-key relation fields: after their key (`author_id` → author), else the model they point at.
  for (const s of shapes) {
    const own = s.model.name;
    for (const fk of s.foreignKeys) {
      const single = fk.from.length === 1 ? fk.from[0] : undefined;
      const keyWords = single === undefined ? [] : withoutKeyWord(single).length > 0 ? withoutKeyWord(single) : splitWords(single);
      const soleToTarget = s.foreignKeys.filter((o) => o.target === fk.target).length === 1 && fk.target !== own;
      const target = newModel(fk.target);
      out.get(own)!.set(fk.field.name, take([camelCase(keyWords), soleToTarget ? singularCamel(target) : "", camelCase([...keyColumnWords(fk), ...splitWords(target)])], taken.get(own)!));
    }
  }
  // 3. Implicit many-to-many sides: the relation's own name when it has one, else the other model in plural.
  for (const s of shapes) {
    const own = s.model.name;
    const selfSides = s.manyToMany.filter((side) => side.target === own);
    for (const side of selfSides) {
      if (out.get(own)!.has(side.field.name)) continue;
      const [first, second] = selfSides.filter((o) => o.relation === side.relation).map((o) => o.field.name);
      if (second === undefined) continue;
      const [a, b] = selfPair(side.relation.relation, first, second);
      out.get(own)!.set(first, take([a], taken.get(own)!));
      out.get(own)!.set(second, take([b], taken.get(own)!));
    }
    for (const side of s.manyToMany) {
      if (out.get(own)!.has(side.field.name)) continue;
      const r = side.relation;
      const defaultName = r.relation === `${r.modelA}To${r.modelB}`;
      const other = side.target === own ? "" : pluralCamel(newModel(side.target));
      const relWords = splitWords(r.relation);
      // The relation's name as written ("Votes" → votes, "Tagged" → tagged): it already says what the list holds.
      const named = defaultName ? "" : camelCase(relWords);
      out.get(own)!.set(side.field.name, take([named, other, camelCase(splitWords(side.field.name)), camelCase([...relWords, ...pluralWords(splitWords(newModel(side.target)))])], taken.get(own)!));
    }
  }
  // 4. Back-relation fields: the other model (plural for a list), told apart by its key when it has several here.
  const shapeOf = new Map(shapes.map((s) => [s.model.name, s]));
  for (const s of shapes) {
    const own = s.model.name;
    for (const back of s.backs) {
      const source = shapeOf.get(back.target);
      const counterpart = source?.foreignKeys.find((fk) => fk.target === own && fk.relation === back.relation && fk.field !== back.field);
      const sourceName = newModel(back.target);
      const list = back.field.array === true;
      const several = (source?.foreignKeys.filter((fk) => fk.target === own).length ?? 0) > 1 || back.target === own;
      const plain = list ? pluralCamel(sourceName) : singularCamel(sourceName);
      // Told apart by the key that points here: `author_id` → authorPosts, `ReportsTo` → reportsToEmployees.
      const keyWords = counterpart ? keyColumnWords(counterpart) : splitWords(back.field.name);
      const told = camelCase([...keyWords, ...(list ? pluralWords(splitWords(sourceName)) : splitWords(sourceName))]);
      out.get(own)!.set(back.field.name, take([several ? "" : plain, told, plain], taken.get(own)!));
    }
  }
  return out;
}

/**
 * Prisma needs a relation name only where two models are joined by more than one relation (or a model to itself).
 * Such names are written `<Model><RelationField>` (`PostAuthor`, `PostEditor`); implicit many-to-many relations keep
 * theirs, which names their table.
 */
function planRelationNames(shapes: readonly ModelShape[], models: ReadonlyMap<string, string>, fields: ReadonlyMap<string, ReadonlyMap<string, string>>): Map<string, Map<string, string | null>> {
  const out = new Map(shapes.map((s) => [s.model.name, new Map<string, string | null>()]));
  const pairKey = (a: string, b: string) => [a, b].sort(byName).join("\u0000");
  const perPair = new Map<string, number>();
  const usedNames = new Map<string, Set<string>>();
  const count = (key: string) => perPair.set(key, (perPair.get(key) ?? 0) + 1);
  for (const s of shapes) for (const fk of s.foreignKeys) count(pairKey(s.model.name, fk.target));
  for (const s of shapes)
    for (const side of s.manyToMany) {
      const key = pairKey(side.relation.modelA, side.relation.modelB);
      // Each relation once: its first side (a self-relation has both on one model).
      if (side.relation.fields[0].model === s.model.name && side.relation.fields[0].field === side.field.name) count(key);
      usedNames.set(key, (usedNames.get(key) ?? new Set()).add(side.relation.relation.toLowerCase()));
      out.get(s.model.name)!.set(side.field.name, side.relation.relation);
    }
  const shapeOf = new Map(shapes.map((s) => [s.model.name, s]));
  for (const s of shapes) {
    const own = s.model.name;
    for (const fk of s.foreignKeys) {
      const key = pairKey(own, fk.target);
      const needed = (perPair.get(key) ?? 0) > 1 || fk.target === own;
      const used = usedNames.get(key) ?? new Set<string>();
      usedNames.set(key, used);
      const name = needed ? take([`${models.get(own)}${pascalCase(splitWords(fields.get(own)!.get(fk.field.name)!))}`], used) : null;
      out.get(own)!.set(fk.field.name, name);
      const back = shapeOf.get(fk.target)?.backs.find((b) => b.target === own && b.relation === fk.relation && b.field !== fk.field);
      if (back) out.get(fk.target)!.set(back.field.name, out.get(own)!.get(fk.field.name)!);
    }
  }
  return out;
}
