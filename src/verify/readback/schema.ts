/**
 * Read-back, schema side (PURE: text in, text/data out). Two things are read from a schema.prisma:
 * - the schema a throw-away Prisma Client is built from: the user's generators replaced by one of ours
 *   (`prisma-client-js` with `engineType = "client"`: the query compiler in WASM, used through a driver adapter, so
 *   no query-engine download — see docs/toolchain.md), and a literal datasource URL so that generating needs no
 *   environment variable (Prisma 6.19 requires a `url`; a Prisma 7 style schema has none);
 * - per model: whether the client can read it (`@@ignore`d models have no delegate), the fields that identify a row
 *   (what the sample is ordered and matched by) and its table/column names (to find convert's per-column decisions).
 */
import { type Assignment, type Block, type BlockAttribute, type Field, type Generator, type Model } from "@mrleebo/prisma-ast";
import { findImplicitManyToMany, type ImplicitManyToMany } from "../../convert/implicit-m2m.js";
import { blockAttributes, columnNameOf, fieldsOf, findFieldAttribute, firstPositional, namedArgument, quote, tableNameOf, unquote, parseSchema, printSchema } from "../../convert/ast.js";

export interface ModelInfo {
  readonly model: string;
  readonly table: string;
  /** `@@ignore`: Prisma Client has no delegate for it (https://www.prisma.io/docs/orm/prisma-schema/data-model/models#unsupported-database-features). */
  readonly ignored: boolean;
  /** `@id`/`@@id` fields, else the first `@unique`/`@@unique`; empty when the model has neither. */
  readonly keyFields: readonly string[];
  /** field name → column name, for the scalar fields the client returns. */
  readonly columns: ReadonlyMap<string, string>;
  /**
   * A String field with an index (its `@id`, `@unique`, or the first field of an `@@id`/`@@unique`/`@@index`): the
   * field an app orders by, read once in order on both sides (ordered.ts).
   */
  readonly orderedField?: string;
}

const CLIENT_PROVIDERS = new Set(["prisma-client-js", "prisma-client"]);
/** Literal URLs for the client's schema only: it is parsed, and the client connects through an adapter instead. */
const PLACEHOLDER_URL: Readonly<Record<string, string>> = { sqlite: "file:./unused.db", postgresql: "postgresql://localhost/unused" };

/** The schema text a read-back client is built from: our generator only, and a literal URL. */
export function clientSchemaText(schema: string): string {
  const ast = parseSchema(schema);
  const generators = ast.list.filter((b): b is Generator => b.type === "generator");
  // Preview features change what the schema may contain (e.g. `views`, `postgresqlExtensions`): keep the client's.
  const preview = generators
    .find((g) => CLIENT_PROVIDERS.has(unquote(assignment(g, "provider")?.value) ?? ""))
    ?.assignments.find((a): a is Assignment => a.type === "assignment" && a.key === "previewFeatures");
  const ours: Generator = {
    type: "generator",
    name: "readback",
    assignments: [
      { type: "assignment", key: "provider", value: quote("prisma-client-js") },
      { type: "assignment", key: "engineType", value: quote("client") },
      ...(preview ? [preview] : []),
    ],
  };
  const list: Block[] = [];
  for (const block of ast.list) {
    if (block.type === "generator") continue;
    if (block.type === "datasource") {
      const provider = unquote(block.assignments.find((a): a is Assignment => a.type === "assignment" && a.key === "provider")?.value) ?? "";
      block.assignments = [
        ...block.assignments.filter((a) => !(a.type === "assignment" && ["url", "directUrl", "shadowDatabaseUrl"].includes(a.key))),
        { type: "assignment", key: "url", value: quote(PLACEHOLDER_URL[provider] ?? PLACEHOLDER_URL.sqlite) },
      ];
      list.push(block, ours);
      continue;
    }
    list.push(block);
  }
  return `${printSchema({ ...ast, list }).trim()}\n`;
}

function assignment(g: Generator, key: string): Assignment | undefined {
  return g.assignments.find((a): a is Assignment => a.type === "assignment" && a.key === key);
}

/**
 * Prisma's SQLite introspection marks a model `@@ignore` when its key can be NULL (SQLite allows NULL in a
 * non-INTEGER primary key, e.g. `name TEXT PRIMARY KEY`); convert un-ignores such models for PostgreSQL, where a key
 * is NOT NULL. To compare them, the SQLite client is generated with the same change: `@@ignore` removed and the
 * key fields required. A NULL key then makes the SQLite read fail, and the model is reported as not compared.
 */
export function unignoreKeyedModels(schema: string): string {
  const ast = parseSchema(schema);
  let changed = false;
  for (const model of ast.list.filter((b): b is Model => b.type === "model")) {
    const attrs = blockAttributes(model);
    const ignore = attrs.find((a) => a.name === "ignore" && a.group === undefined);
    if (!ignore) continue;
    const fields = fieldsOf(model);
    const compositeId = attrs.find((a) => a.name === "id" && a.group === undefined);
    const keyNames = new Set(compositeId ? fieldList(compositeId) : fields.filter((f) => findFieldAttribute(f, "id")).map((f) => f.name));
    // A key Prisma cannot type (`Unsupported(...)`) cannot identify rows in a client: the model stays ignored.
    if (keyNames.size === 0 || fields.some((f) => keyNames.has(f.name) && isUnsupported(f))) continue;
    model.properties = model.properties.filter((p) => p !== ignore);
    for (const f of fields) if (keyNames.has(f.name)) f.optional = false;
    changed = true;
  }
  return changed ? `${printSchema(ast).trim()}\n` : schema;
}

/** Models of a schema, with what the read-back needs to know about each. */
export function readModels(schema: string): ModelInfo[] {
  const ast = parseSchema(schema);
  const modelNames = new Set(ast.list.filter((b): b is Model => b.type === "model").map((m) => m.name));
  return ast.list
    .filter((b): b is Model => b.type === "model")
    .map((model) => {
      const attrs = blockAttributes(model);
      const scalars = fieldsOf(model).filter((f) => !isRelation(f, modelNames) && !findFieldAttribute(f, "ignore") && !isUnsupported(f));
      return {
        model: model.name,
        table: tableNameOf(model),
        ignored: attrs.some((a) => a.name === "ignore" && a.group === undefined),
        keyFields: keyFieldsOf(scalars, attrs),
        columns: new Map(scalars.map((f) => [f.name, columnNameOf(f)])),
        ...orderedFieldOf(scalars, attrs),
      };
    });
}

/** The implicit many-to-many relations of a schema: read through their relation fields (readback-relations.ts). */
export function readRelations(schema: string): ImplicitManyToMany[] {
  return findImplicitManyToMany(parseSchema(schema).list.filter((b): b is Model => b.type === "model"));
}

function keyFieldsOf(fields: readonly Field[], attrs: readonly BlockAttribute[]): string[] {
  const id = fields.find((f) => findFieldAttribute(f, "id"));
  if (id) return [id.name];
  const compositeId = attrs.find((a) => a.name === "id" && a.group === undefined);
  if (compositeId) return fieldList(compositeId);
  // A required unique field identifies a row; a nullable one may hold NULL in several rows.
  const unique = fields.find((f) => findFieldAttribute(f, "unique") && !f.optional && !f.array) ?? fields.find((f) => findFieldAttribute(f, "unique"));
  if (unique) return [unique.name];
  const compositeUnique = attrs.find((a) => a.name === "unique" && a.group === undefined);
  return compositeUnique ? fieldList(compositeUnique) : [];
}

function orderedFieldOf(fields: readonly Field[], attrs: readonly BlockAttribute[]): { orderedField?: string } {
  const text = new Set(fields.filter((f) => f.fieldType === "String" && !f.array).map((f) => f.name));
  const single = fields.find((f) => text.has(f.name) && (findFieldAttribute(f, "id") || findFieldAttribute(f, "unique")));
  const leading = attrs.filter((a) => ["id", "unique", "index"].includes(a.name) && a.group === undefined).map((a) => fieldList(a)[0]);
  const field = single?.name ?? leading.find((f) => f !== undefined && text.has(f));
  return field === undefined ? {} : { orderedField: field };
}

/** `@@id([a, b])`, `@@unique(fields: [a, b])`: the field names. */
function fieldList(attr: BlockAttribute): string[] {
  const list = (firstPositional(attr) ?? namedArgument(attr, "fields")) as { type?: string; args?: unknown[] } | undefined;
  if (list?.type !== "array") return [];
  // An entry may carry arguments (`title(sort: Desc)`): its name is what matters here.
  return (list.args ?? []).map((a) => (typeof a === "string" ? a : (a as { name?: string }).name ?? "")).filter((n) => n !== "");
}

function isRelation(field: Field, modelNames: ReadonlySet<string>): boolean {
  return typeof field.fieldType === "string" && modelNames.has(field.fieldType);
}

function isUnsupported(field: Field): boolean {
  const t = field.fieldType as unknown;
  return (typeof t === "string" && t.startsWith("Unsupported")) || (typeof t === "object" && t !== null && (t as { name?: string }).name === "Unsupported");
}
