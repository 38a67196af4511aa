/**
 * Index and constraint names written in the schema (`map:` of `@id`, `@unique`, `@relation`, `@@id`, `@@unique`,
 * `@@index`) that PostgreSQL cannot hold: longer than 63 bytes (SQLite has no limit; Django writes 64-byte
 * `…_uniq` names, Grafana a 65-byte index name). Prisma refuses them outright (P1012 "The constraint name … is
 * too long"), PostgreSQL would truncate them. They get identifiers.ts's deterministic short form, distinct from
 * every other name of the schema: indexes (and the indexes behind keys and unique constraints) share the
 * schema's namespace with its tables (https://www.postgresql.org/docs/current/catalog-pg-class.html). Pure.
 */
import type { Attribute, BlockAttribute, Field, Model } from "@mrleebo/prisma-ast";
import { namedArgument, quote, unquote } from "./ast.js";
import type { Decision } from "../core/decisions.js";
import { fitIdentifier, PG_MAX_IDENTIFIER_BYTES, utf8Length } from "./identifiers.js";

/** The attributes whose `map:` names a PostgreSQL index or constraint. */
const FIELD_ATTRIBUTES = new Set(["id", "unique", "relation"]);
const BLOCK_ATTRIBUTES = new Set(["id", "unique", "index"]);

interface MapArgument {
  readonly table: string;
  readonly attribute: Attribute | BlockAttribute;
  readonly name: string;
}

function mapArguments(models: ReadonlyMap<Model, string>): MapArgument[] {
  const out: MapArgument[] = [];
  const add = (table: string, attribute: Attribute | BlockAttribute): void => {
    const name = unquote(namedArgument(attribute, "map"));
    if (name !== undefined) out.push({ table, attribute, name });
  };
  for (const [model, table] of models) {
    for (const p of model.properties) {
      if (p.type === "field") {
        for (const a of (p as Field).attributes ?? []) if (a.group === undefined && FIELD_ATTRIBUTES.has(a.name)) add(table, a);
      } else if (p.type === "attribute" && p.kind === "object" && p.group === undefined && BLOCK_ATTRIBUTES.has(p.name)) {
        add(table, p as BlockAttribute);
      }
    }
  }
  return out;
}

function setMapArgument(attribute: Attribute | BlockAttribute, name: string): void {
  for (const arg of attribute.args ?? []) {
    const v = arg.value as { type?: string; key?: string; value?: unknown };
    if (v && typeof v === "object" && v.type === "keyValue" && v.key === "map") v.value = quote(name);
  }
}

/**
 * Shorten every `map:` name beyond 63 bytes in place. `models`: each model with its SQLite table name (for the
 * decision); `taken`: the PostgreSQL table (and view) names of the schema.
 */
export function fitConstraintNames(models: ReadonlyMap<Model, string>, taken: Iterable<string>): Decision[] {
  const args = mapArguments(models);
  const used = new Set(taken);
  for (const a of args) if (utf8Length(a.name) <= PG_MAX_IDENTIFIER_BYTES) used.add(a.name);
  const decisions: Decision[] = [];
  for (const a of args) {
    if (utf8Length(a.name) <= PG_MAX_IDENTIFIER_BYTES) continue;
    const fitted = fitIdentifier(a.name, used).name;
    setMapArgument(a.attribute, fitted);
    decisions.push({
      table: a.table,
      code: "index-name",
      message: `${a.attribute.name === "relation" ? "foreign key" : "index"} name ${a.name} is longer than PostgreSQL's 63-byte limit; created as "${fitted}"`,
    });
  }
  return decisions;
}
