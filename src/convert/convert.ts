/**
 * Stage 2 — convert (PURE: no I/O). Rewrites the schema Prisma introspected from SQLite into a `postgresql`
 * schema: native types chosen from the declared SQLite type *and* the data profile, defaults re-derived from
 * SQLite's own default SQL, SQLite-internal index names replaced by Prisma's defaults. Returns the new schema
 * text, the decisions a reviewer should read, and the per-table column plan the copy stage encodes with.
 */
import { getSchema, printSchema, type Attribute, type Block, type Enum, type Field, type Model } from "@mrleebo/prisma-ast";
import type { SqliteCatalog, SqliteColumn, SqliteTable } from "../db/sqlite-source.js";
import {
  blockAttributes,
  columnNameOf,
  findFieldAttribute,
  makeAttribute,
  makeFunc,
  namedArgument,
  quote,
  removeNamedArgument,
  tableNameOf,
  unquote,
} from "./ast.js";
import type { ColumnProfile, ColumnTypeChoice, ValueKind } from "./column-type.js";
import type { Decision } from "./decisions.js";
import { convertDefault, type DefaultValue } from "./defaults.js";
import { chooseColumnType } from "./type-map.js";
import { fitNames } from "./identifiers.js";
import { assertPostgresLimits } from "./limits.js";
import { sqlSpellingFor, type SqlSpelling } from "../copy/sql-spelling.js";
import { findImplicitManyToMany, type ImplicitManyToMany } from "./implicit-m2m.js";
import { epochUnitOf } from "../copy/encode.js";

export interface ConvertInput {
  readonly pulledSchema: string;
  readonly catalog: SqliteCatalog;
  /** table → column → profile; absent for tables not profiled. */
  readonly profiles: ReadonlyMap<string, ReadonlyMap<string, ColumnProfile>>;
  /** `table.column` → type override (the CLI's --type). */
  readonly typeOverrides?: ReadonlyMap<string, string>;
  /**
   * Where `pulledSchema` comes from (default "introspected"). "user": the schema of an existing Prisma project
   * (`migrate --schema`), already checked against the database. Its names, relations, `@default`s, `@updatedAt`,
   * enums, generators and comments are the user's and are kept; only the provider, native types (same
   * data-aware rules) and what PostgreSQL needs change.
   */
  readonly source?: "introspected" | "user";
}

/** How one column's values are encoded by the copy stage. */
export interface ColumnPlan {
  /** The SQLite column name. */
  readonly name: string;
  /** The PostgreSQL column name: the same unless longer than 63 bytes (see identifiers.ts). */
  readonly pgName: string;
  readonly kind: ValueKind;
  /**
   * For timestamps stored as integers: the unix epoch unit of its integers, each decided by magnitude
   * (encode.ts epochUnitOf); "mixed" when the column holds both seconds and milliseconds.
   */
  readonly epochUnit?: "s" | "ms" | "mixed";
  /** The profile proves SQLite can spell every value in COPY text itself (src/copy/sql-spelling.ts). */
  readonly sqlSpelling?: SqlSpelling;
}

export interface TablePlan {
  /** The SQLite table name. */
  readonly name: string;
  /** The PostgreSQL table name: the same unless longer than 63 bytes (see identifiers.ts). */
  readonly pgName: string;
  readonly columns: readonly ColumnPlan[];
  /** Primary-key columns in key order (empty when the table has none): rows are named and ordered by them. */
  readonly keyColumns: readonly string[];
  /** The autoincrement column whose sequence must be moved past the copied ids. */
  readonly serialColumn?: string;
  /** Highest id AUTOINCREMENT ever handed out (sqlite_sequence), to never reuse ids. */
  readonly sequenceFloor: bigint | null;
  readonly rowCount: number;
  /** SqliteTable.estimatedBytes: the parallel copy starts with the largest tables. */
  readonly estimatedBytes?: number;
  /** The relation table of an implicit many-to-many relation: it has no model; Prisma's migration creates it. */
  readonly implicitRelation?: ImplicitManyToMany;
}

export interface ConvertResult {
  readonly schema: string;
  readonly decisions: readonly Decision[];
  readonly tables: readonly TablePlan[];
}

const INT32_MAX = 2n ** 31n - 1n;
const IGNORE_DOC = "/// The underlying table does not contain a valid unique identifier";

/**
 * Native types that are what Prisma's postgresql connector uses anyway for the scalar
 * (https://www.prisma.io/docs/orm/reference/prisma-schema-reference#model-field-scalar-types): a user's schema
 * does not need them spelled out.
 */
const PG_SCALAR_DEFAULT_NATIVE: Readonly<Record<string, string>> = {
  String: "Text()",
  DateTime: "Timestamp(3)",
  Decimal: "Decimal(65,30)",
};

export function convertSchema(input: ConvertInput): ConvertResult {
  assertPostgresLimits(input.catalog.tables);
  const ast = getSchema(input.pulledSchema);
  const decisions: Decision[] = [];
  const userMode = input.source === "user";
  const modelNames = new Set(ast.list.filter((b): b is Model => b.type === "model").map((m) => m.name));
  // Enum fields are kept as the user wrote them: SQLite stores them as TEXT, the migration creates the enum type.
  const enumNames = new Set(userMode ? ast.list.filter((b): b is Enum => b.type === "enum").map((e) => e.name) : []);
  const catalogByName = new Map(input.catalog.tables.map((t) => [t.name, t]));
  const tables: TablePlan[] = [];
  /** model → its `@id` column (SQLite name) and its table's plan: what an implicit m-n relation table references. */
  const idPlans = new Map<string, { readonly column: string; readonly plan: TablePlan }>();

  // PostgreSQL truncates identifiers beyond 63 bytes; tables and views share one namespace.
  const pgTableNames = fitNames([...input.catalog.tables.map((t) => t.name), ...input.catalog.views.map((v) => v.name)]);

  if (userMode) rewriteUserDatasource(ast.list, decisions);
  else rewriteDatasource(ast.list);
  ensureGenerator(ast.list);

  for (const block of [...ast.list]) {
    if (block.type !== "model") continue;
    const tableName = tableNameOf(block);
    const table = catalogByName.get(tableName);
    if (!table) continue;
    const pgName = pgTableNames.get(table.name) ?? table.name;
    if (pgName !== table.name) {
      setBlockMap(block, pgName);
      decisions.push({ table: table.name, code: "identifier", message: `table name is longer than PostgreSQL's 63-byte limit; created as "${pgName}" (@@map)` });
    }
    // Read before convertModel, which may @map the column to a PostgreSQL name.
    const idField = block.properties.find((p): p is Field => p.type === "field" && findFieldAttribute(p, "id") !== undefined);
    const columnPlans = convertModel(block, table, input, modelNames, enumNames, decisions);
    if (unignoreIfKeyed(block)) removeIgnoreDoc(ast.list, block);
    const plan = planTable(table, pgName, columnPlans, block);
    tables.push(plan);
    if (idField) idPlans.set(block.name, { column: columnNameOf(idField), plan });
  }
  const models = ast.list.filter((b): b is Model => b.type === "model");
  for (const relation of findImplicitManyToMany(models)) {
    const table = catalogByName.get(relation.table);
    if (!table || tables.some((p) => p.name === table.name)) continue;
    const plan = planRelationTable(table, pgTableNames.get(table.name) ?? table.name, relation, idPlans, input.profiles.get(table.name));
    if (plan) tables.push(plan);
  }
  // Tables Prisma does not represent at all still hold data the user expects to find.
  for (const t of input.catalog.tables) {
    if (!tables.some((p) => p.name === t.name)) {
      decisions.push({ table: t.name, code: "not-in-schema", message: "Prisma could not represent this table; it is not migrated" });
    }
  }
  const printed = `${printSchema(ast).trim()}\n`;
  return { schema: userMode ? reattachDocComments(printed) : printed, decisions, tables };
}

/**
 * The printer puts an empty line between a top-level `///` comment and the block it documents; a user's docs
 * stay directly above their model or enum as they wrote them.
 */
function reattachDocComments(schema: string): string {
  return schema.replace(/^(\/\/\/[^\n]*)\n(?:[ \t]*\n)+(?=(?:model|enum|view|type)\s)/gm, "$1\n");
}

/**
 * A user's datasource: provider becomes postgresql, `env(...)` URLs are kept, a literal (file:) URL is replaced by
 * `env("DATABASE_URL")` — the credential of a server belongs in the environment, not in a committed file.
 */
function rewriteUserDatasource(list: Block[], decisions: Decision[]): void {
  for (const block of list) {
    if (block.type !== "datasource") continue;
    for (const a of block.assignments) {
      if (a.type !== "assignment") continue;
      if (a.key === "provider") a.value = quote("postgresql");
      if (a.key === "url" && typeof a.value === "string") {
        decisions.push({
          table: `datasource ${block.name}`,
          code: "datasource-url",
          message: `url ${a.value} (a SQLite file) replaced by env("DATABASE_URL")`,
        });
        a.value = makeFunc("env", [quote("DATABASE_URL")]);
      }
    }
  }
}

function rewriteDatasource(list: Block[]): void {
  for (const block of list) {
    if (block.type !== "datasource") continue;
    block.assignments = block.assignments.filter(
      (a) => a.type !== "assignment" || a.key === "provider" || a.key === "url",
    );
    for (const a of block.assignments) {
      if (a.type !== "assignment") continue;
      if (a.key === "provider") a.value = quote("postgresql");
      // The credential lives in the environment, never in a file that gets committed.
      if (a.key === "url") a.value = makeFunc("env", [quote("DATABASE_URL")]);
    }
  }
}

function ensureGenerator(list: Block[]): void {
  if (list.some((b) => b.type === "generator")) return;
  const datasourceAt = list.findIndex((b) => b.type === "datasource");
  list.splice(datasourceAt + 1, 0, { type: "break" }, {
    type: "generator",
    name: "client",
    assignments: [{ type: "assignment", key: "provider", value: quote("prisma-client-js") }],
  });
}

function isRelationField(field: Field, modelNames: ReadonlySet<string>): boolean {
  return typeof field.fieldType === "string" && modelNames.has(field.fieldType);
}

function convertModel(
  model: Model,
  table: SqliteTable,
  input: ConvertInput,
  modelNames: ReadonlySet<string>,
  enumNames: ReadonlySet<string>,
  decisions: Decision[],
): ColumnPlan[] {
  const plans: ColumnPlan[] = [];
  const userMode = input.source === "user";
  const profiles = input.profiles.get(table.name);
  const compositeId = blockAttributes(model).find((a) => a.name === "id");
  const newProperties: Model["properties"] = [];
  let keyDropped = false;
  const scalarColumns = model.properties.filter((p): p is Field => p.type === "field" && !isRelationField(p, modelNames)).map(columnNameOf);
  const pgColumnNames = fitNames(scalarColumns);

  for (const prop of model.properties) {
    if (prop.type !== "field" || isRelationField(prop, modelNames)) {
      if (prop.type === "attribute") renameAutoIndex(prop as unknown as Attribute, table, decisions);
      if (prop.type === "attribute" && prop.name === "unique" && compositeId && sameFieldList(prop, compositeId)) {
        const name = unquote(namedArgument(prop, "map"));
        decisions.push({ table: table.name, code: "index", message: `unique index${name ? ` ${name}` : ""} duplicates the primary key; not created` });
        continue;
      }
      newProperties.push(prop);
      continue;
    }
    const field = prop;
    const columnName = columnNameOf(field);
    const column = table.columns.find((c) => c.name === columnName);
    if (!column) {
      newProperties.push(field);
      continue;
    }
    if (typeof field.fieldType === "string" && enumNames.has(field.fieldType)) {
      const pgName = pgColumnNames.get(column.name) ?? column.name;
      if (pgName !== column.name) {
        setFieldMap(field, pgName);
        const note = `column name is longer than PostgreSQL's 63-byte limit; created as "${pgName}" (@map)`;
        decisions.push({ table: table.name, column: column.name, code: "type", message: note });
        newProperties.push({ type: "comment", text: `// sqlite2pg: ${note}` });
      }
      newProperties.push(field);
      plans.push({ name: column.name, pgName, kind: "text" });
      continue;
    }
    let choice = chooseColumnType({
      table: table.name,
      column,
      profile: profiles?.get(column.name),
      isAutoincrementPk: findFieldAttribute(field, "default") !== undefined && hasAutoincrement(field),
      override: input.typeOverrides?.get(`${table.name}.${column.name}`),
    });
    // AUTOINCREMENT never reuses an id: if it already handed out ids beyond 32 bits, the next ones are too.
    if (hasAutoincrement(field) && choice.kind === "int" && table.sequence !== null && table.sequence > INT32_MAX) {
      choice = { prismaType: "BigInt", kind: "bigint", note: `AUTOINCREMENT has handed out ids up to ${table.sequence} (sqlite_sequence): beyond 32 bits` };
    }
    const notes: string[] = [];
    const userType = typeof field.fieldType === "string" ? field.fieldType : undefined;
    applyType(field, choice);
    if (userMode) {
      dropDefaultNative(field);
      const note = userMode && userType === "Decimal" ? withoutBareDecimalNote(choice.note) : choice.note;
      if (userType !== undefined && userType !== choice.prismaType && !userType.startsWith("Unsupported")) {
        notes.push(`Prisma type ${userType} → ${choice.prismaType}${note ? `: ${note}` : " (the data requires it)"}`);
      } else if (note) notes.push(note);
    } else if (choice.note) notes.push(choice.note);
    const profile = profiles?.get(column.name);
    const isKey = findFieldAttribute(field, "id") !== undefined || (compositeId !== undefined && idListIncludes(compositeId, field.name));
    if (isKey && profile && profile.nonNull < table.rowCount) {
      // SQLite lets NULL into a non-INTEGER primary key (https://sqlite.org/lang_createtable.html#the_primary_key);
      // PostgreSQL cannot. The table keeps its rows and loses the key, and the reviewer is told.
      dropKey(field);
      keyDropped = true;
      // Non-NULL values stay unique (PostgreSQL allows several NULLs in a unique index), as in SQLite.
      if (compositeId === undefined && !findFieldAttribute(field, "unique")) field.attributes = [...(field.attributes ?? []), makeAttribute("unique")];
      notes.push(`primary key column holds NULL in ${table.rowCount - profile.nonNull} row(s); PostgreSQL forbids that, so the table has no primary key — clean the data and add one`);
    } else if (isKey) {
      field.optional = false;
      const unique = findFieldAttribute(field, "unique");
      if (unique && findFieldAttribute(field, "id")) {
        // An index identical to the primary key's costs writes and space for nothing.
        field.attributes = field.attributes?.filter((a) => a !== unique);
        const name = unquote(namedArgument(unique, "map"));
        notes.push(`unique index${name ? ` ${name}` : ""} duplicates the primary key; not created`);
      }
    }
    const defaultNote = userMode ? applyUserDefault(field, column, choice) : applyDefault(field, column, choice);
    if (defaultNote) notes.push(defaultNote);
    for (const attr of field.attributes ?? []) renameAutoIndex(attr, table, decisions);

    const pgName = pgColumnNames.get(column.name) ?? column.name;
    if (pgName !== column.name) {
      setFieldMap(field, pgName);
      notes.push(`column name is longer than PostgreSQL's 63-byte limit; created as "${pgName}" (@map)`);
    }
    const epoch = epochUnitFor(table.name, column.name, choice, profile);
    if (epoch.note) notes.push(epoch.note);
    for (const note of notes) {
      decisions.push({ table: table.name, column: column.name, code: note === epoch.note ? "epoch" : "type", message: note });
      // In a user's schema a `///` would become part of their field's documentation (generated client docs).
      newProperties.push({ type: "comment", text: userMode ? `// sqlite2pg: ${note}` : `/// ${note}` });
    }
    newProperties.push(field);
    const sqlSpelling = sqlSpellingFor(choice.kind, profile, epoch.unit);
    plans.push({
      name: column.name,
      pgName,
      kind: choice.kind,
      ...(epoch.unit ? { epochUnit: epoch.unit } : {}),
      ...(sqlSpelling ? { sqlSpelling } : {}),
    });
  }
  model.properties = keyDropped ? withoutKey(newProperties) : newProperties;
  return plans;
}

function setFieldMap(field: Field, name: string): void {
  field.attributes = (field.attributes ?? []).filter((a) => !(a.name === "map" && a.group === undefined));
  field.attributes.push(makeAttribute("map", [quote(name)]));
}

function setBlockMap(model: Model, name: string): void {
  model.properties = model.properties.filter((p) => !(p.type === "attribute" && p.kind === "object" && p.name === "map"));
  model.properties.push({ type: "attribute", kind: "object", name: "map", args: [{ type: "attributeArgument", value: quote(name) }] });
}

function dropKey(field: Field): void {
  field.attributes = field.attributes?.filter((a) => !(a.name === "id" && a.group === undefined));
  field.optional = true;
}

/** A model without a usable key must be `@@ignore`d for Prisma to accept it (the table is still created). */
function withoutKey(properties: Model["properties"]): Model["properties"] {
  const kept = properties.filter((p) => !(p.type === "attribute" && p.kind === "object" && p.name === "id"));
  if (!kept.some((p) => p.type === "attribute" && p.kind === "object" && p.name === "ignore")) {
    kept.push({ type: "break" }, { type: "attribute", kind: "object", name: "ignore", args: [] });
  }
  return kept;
}

function hasAutoincrement(field: Field): boolean {
  const def = findFieldAttribute(field, "default");
  const v = def?.args?.[0]?.value as { type?: string; name?: string } | undefined;
  return v?.type === "function" && v.name === "autoincrement";
}

function sameFieldList(a: { args?: { value: unknown }[] }, b: { args?: { value: unknown }[] }): boolean {
  const list = (x: typeof a) => {
    const v = x.args?.[0]?.value as { type?: string; args?: unknown[] } | undefined;
    return v?.type === "array" ? JSON.stringify(v.args) : undefined;
  };
  return list(a) !== undefined && list(a) === list(b);
}

function idListIncludes(attr: { args?: { value: unknown }[] }, fieldName: string): boolean {
  const first = attr.args?.[0]?.value as { type?: string; args?: unknown[] } | undefined;
  return first?.type === "array" && (first.args ?? []).some((a) => a === fieldName);
}

function applyType(field: Field, choice: ColumnTypeChoice): void {
  field.fieldType = choice.prismaType;
  field.attributes = (field.attributes ?? []).filter((a) => a.group !== "db");
  if (choice.native) {
    field.attributes.push(makeAttribute(choice.native.name, choice.native.args.map(String), "db"));
  }
  if (field.attributes.length === 0) delete field.attributes;
}

/**
 * Defaults come from SQLite's own default SQL (PRAGMA table_info.dflt_value), not from Prisma's rendering of
 * it, which turns expressions into string literals. `autoincrement()` is kept as introspected.
 */
function applyDefault(field: Field, column: SqliteColumn, choice: ColumnTypeChoice): string | undefined {
  if (hasAutoincrement(field)) return undefined;
  field.attributes = (field.attributes ?? []).filter((a) => !(a.name === "default" && a.group === undefined));
  const converted = convertDefault(column.defaultSql, choice);
  if (converted.value) field.attributes.push(makeAttribute("default", [defaultToAst(converted.value)]));
  if (field.attributes.length === 0) delete field.attributes;
  return converted.note;
}

/** A user's `@default` is kept (cuid(), uuid(), now(), enum values, literals); only SQLite SQL in dbgenerated() is converted. */
function applyUserDefault(field: Field, column: SqliteColumn, choice: ColumnTypeChoice): string | undefined {
  const def = findFieldAttribute(field, "default");
  const v = def?.args?.[0]?.value as { type?: string; name?: string } | undefined;
  if (v?.type !== "function" || v.name !== "dbgenerated") return undefined;
  const before = column.defaultSql ?? "(none)";
  field.attributes = (field.attributes ?? []).filter((a) => a !== def);
  const converted = convertDefault(column.defaultSql, choice);
  if (converted.value) field.attributes.push(makeAttribute("default", [defaultToAst(converted.value)]));
  if (field.attributes.length === 0) delete field.attributes;
  const now = converted.value ? `@default(${printDefault(converted.value)})` : "no default";
  return `SQLite default ${before} (dbgenerated) converted for PostgreSQL: ${now}${converted.note ? `; ${converted.note}` : ""}`;
}

function printDefault(value: DefaultValue): string {
  switch (value.kind) {
    case "now":
      return "now()";
    case "dbgenerated":
      return `dbgenerated(${quote(value.sql)})`;
    case "string":
      return quote(value.value);
    default:
      return String(value.value);
  }
}

/** In a user's schema, a native type that is the postgresql default for the field's scalar is left unsaid. */
function dropDefaultNative(field: Field): void {
  const db = field.attributes?.find((a) => a.group === "db");
  if (!db || typeof field.fieldType !== "string") return;
  const args = (db.args ?? []).map((a) => String(a.value)).join(",");
  if (PG_SCALAR_DEFAULT_NATIVE[field.fieldType] !== `${db.name}(${args})`) return;
  field.attributes = field.attributes?.filter((a) => a !== db);
  if (field.attributes?.length === 0) delete field.attributes;
}

/** Prisma's SQLite connector declares every Decimal as bare DECIMAL: Decimal(65,30) is what the user already had. */
function withoutBareDecimalNote(note: string | undefined): string | undefined {
  const rest = note
    ?.split("; ")
    .filter((part) => !/without a \(valid\) precision becomes Decimal\(65,30\)/.test(part))
    .join("; ");
  return rest ? rest : undefined;
}

function defaultToAst(value: DefaultValue): Parameters<typeof makeAttribute>[1] extends (infer V)[] | undefined ? V : never {
  switch (value.kind) {
    case "now":
      return makeFunc("now");
    case "dbgenerated":
      return makeFunc("dbgenerated", [quote(value.sql)]);
    case "number":
      return value.value;
    case "string":
      return quote(value.value);
    case "boolean":
      return value.value;
  }
}

/**
 * SQLite names the indexes behind UNIQUE constraints `sqlite_autoindex_<table>_<n>`; they mean nothing in
 * PostgreSQL, so the `map:` is dropped and Prisma's default name (`<table>_<columns>_key`) applies.
 */
function renameAutoIndex(attr: Attribute, table: SqliteTable, decisions: Decision[]): void {
  const map = unquote(namedArgument(attr, "map"));
  if (map && /^sqlite_autoindex_/i.test(map)) {
    removeNamedArgument(attr, "map");
    if (attr.args && attr.args.length === 0) delete attr.args;
    decisions.push({ table: table.name, code: "index-name", message: `SQLite's internal index name ${map} replaced by Prisma's default` });
  }
}

/** Prisma marks models without a usable key `@@ignore`; once our types make the key valid, lift it. */
function unignoreIfKeyed(model: Model): boolean {
  const ignore = blockAttributes(model).find((a) => a.name === "ignore");
  if (!ignore) return false;
  const hasId =
    model.properties.some((p) => p.type === "field" && findFieldAttribute(p, "id")) ||
    blockAttributes(model).some((a) => a.name === "id");
  if (!hasId) return false;
  model.properties = model.properties.filter((p) => p !== ignore);
  return true;
}

function removeIgnoreDoc(list: Block[], model: Model): void {
  const at = list.indexOf(model);
  const prev = list[at - 1];
  if (prev?.type === "comment" && prev.text.startsWith(IGNORE_DOC)) list.splice(at - 1, 1);
}

/**
 * Integers in a DATETIME column are unix epochs, each value's unit decided by its magnitude (encode.ts
 * epochUnitOf): seconds from 10^8 to below 10^11 (as milliseconds they would fall in 1970–1973), milliseconds
 * from 10^11 on (what Prisma's native engine wrote). A column can hold both (an application that changed how it
 * writes): the note gives both counts, and there a value that is seconds after 2100 could as well be
 * milliseconds of 1970–1973: such values are refused as ambiguous. Integers below 10^8 are no plausible unix time
 * (a year, a 0 placeholder) and the copy refuses them; the note says so and how to keep them as numbers. The
 * range is shown as converted.
 */
function epochUnitFor(table: string, column: string, choice: ColumnTypeChoice, profile: ColumnProfile | undefined): { unit?: "s" | "ms" | "mixed"; note?: string } {
  if (choice.kind !== "timestamp" && choice.kind !== "date") return {};
  if (!profile || profile.minInt === null || profile.maxInt === null) return {};
  const { seconds, millis, implausible, lateSeconds } = profile.epochIntegers;
  if (seconds + millis + implausible === 0) {
    // Not counted (a --type override made the column a timestamp): the range alone tells whether units mix; the
    // encoder decides each value by its magnitude all the same.
    if (profile.storage.integer === 0) return {};
    const s = epochUnitOf(profile.maxInt) !== "ms" && epochUnitOf(profile.minInt) !== "ms";
    const ms = epochUnitOf(profile.maxInt) !== "s" && epochUnitOf(profile.minInt) !== "s";
    const unit = s && !ms ? "s" : ms && !s ? "ms" : "mixed";
    return { unit, note: `${profile.storage.integer} integer value(s) read as unix epoch ${unit === "s" ? "seconds" : unit === "ms" ? "milliseconds" : "seconds or milliseconds, each by its magnitude"} (UTC)` };
  }
  const unit = millis === 0 ? "s" : seconds === 0 ? "ms" : "mixed";
  const show = (v: bigint) => {
    const u = epochUnitOf(v);
    if (u === null) return `${v} (refused)`;
    const d = new Date(Number(u === "s" ? v * 1000n : v));
    return Number.isNaN(d.getTime()) ? String(v) : `${v} → ${d.toISOString().replace("T", " ").replace(/\.000Z$|Z$/, "")}`;
  };
  const read =
    seconds > 0 && millis > 0
      ? `integers decided one by one by magnitude: ${seconds} read as unix epoch seconds (below 10^11) and ${millis} as unix epoch milliseconds (UTC)`
      : `${seconds + millis} integer value(s) read as unix epoch ${millis === 0 ? "seconds" : "milliseconds"} (UTC)`;
  // The override that keeps every value: BigInt for integers alone, String when the column holds anything else too.
  const keep = profile.storage.text + profile.storage.real + profile.storage.blob > 0 ? "String" : "BigInt";
  const refused =
    implausible === 0
      ? ""
      : `; ${implausible} integer value(s) below 10^8 are no plausible unix time (a year, a 0 placeholder?) and are refused by the copy — keep the column's values as they are with --type ${table}.${column}=${keep}`;
  const ambiguous =
    unit === "mixed" && lateSeconds > 0
      ? `; ${lateSeconds} of the seconds fall after 2100 and could as well be milliseconds of 1970–1973: refused as ambiguous by the copy`
      : "";
  return { unit, note: seconds + millis === 0 ? refused.slice(2) : `${read}: from ${show(profile.minInt)} to ${show(profile.maxInt)}${ambiguous}${refused}` };
}

function planTable(table: SqliteTable, pgName: string, columns: ColumnPlan[], model: Model): TablePlan {
  const serial = model.properties.find((p): p is Field => p.type === "field" && hasAutoincrement(p));
  return {
    name: table.name,
    pgName,
    columns,
    keyColumns: table.columns
      .filter((c) => c.pkOrder > 0)
      .sort((a, b) => a.pkOrder - b.pkOrder)
      .map((c) => c.name),
    serialColumn: serial ? columnNameOf(serial) : undefined,
    sequenceFloor: table.sequence,
    rowCount: table.rowCount,
    estimatedBytes: table.estimatedBytes,
  };
}

/**
 * The copy plan of an implicit many-to-many relation table (implicit-m2m.ts): columns `A` and `B` keep their names
 * and take the value kind of the `@id` they reference, the type Prisma's migration gives them on PostgreSQL.
 * Undefined when the SQLite table is not of that shape (then it stays "not-in-schema", reported).
 */
function planRelationTable(
  table: SqliteTable,
  pgName: string,
  relation: ImplicitManyToMany,
  idPlans: ReadonlyMap<string, { readonly column: string; readonly plan: TablePlan }>,
  profiles: ReadonlyMap<string, ColumnProfile> | undefined,
): TablePlan | undefined {
  const stored = table.columns.filter((c) => c.hidden === 0).map((c) => c.name);
  if (stored.length !== 2 || !stored.includes("A") || !stored.includes("B")) return undefined;
  const columns: ColumnPlan[] = [];
  for (const [column, model] of [["A", relation.modelA], ["B", relation.modelB]] as const) {
    const id = idPlans.get(model);
    const ref = id?.plan.columns.find((c) => c.name === id.column);
    if (!ref) return undefined;
    // The spelling depends on this column's own stored values, not on those of the id it references.
    const sqlSpelling = sqlSpellingFor(ref.kind, profiles?.get(column), ref.epochUnit);
    columns.push({ name: column, pgName: column, kind: ref.kind, ...(ref.epochUnit ? { epochUnit: ref.epochUnit } : {}), ...(sqlSpelling ? { sqlSpelling } : {}) });
  }
  // `_AB_unique` on SQLite, the primary key (A, B) on PostgreSQL: the pair identifies a row and orders both sides.
  const abUnique = table.indexes.some((ix) => ix.unique && !ix.partial && ix.columns.length === 2 && ix.columns[0] === "A" && ix.columns[1] === "B");
  return {
    name: table.name,
    pgName,
    columns,
    keyColumns: abUnique ? ["A", "B"] : [],
    sequenceFloor: null,
    rowCount: table.rowCount,
    estimatedBytes: table.estimatedBytes,
    implicitRelation: relation,
  };
}
