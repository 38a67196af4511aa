/** One model converted for PostgreSQL: each field's type and default, its keys, its column plan. Pure. */
import { type Attribute, type Field, type Model } from "@mrleebo/prisma-ast";
import type { ColumnTypeChoice } from "../core/column-type.js";
import type { SqliteTable } from "../core/catalog.js";
import { blockAttributes, columnNameOf, findFieldAttribute, makeAttribute, namedArgument, unquote } from "./ast.js";
import type { Decision } from "../core/decisions.js";
import { chooseColumnType } from "./type-map.js";
import { pgNamesFor, renameMessage } from "./pg-names.js";
import { type LeftOutForeignKey, type RelationResult } from "./relations.js";
import { sqlSpellingFor } from "../values/sql-spelling.js";
import { INT32_MAX } from "../values/numbers.js";
import { type ConvertInput, type ColumnPlan, type TablePlan, epochUnitFor } from "./table-plan.js";
import { columnKey, type NocasePlan } from "./nocase.js";
import { setFieldMap, dropKey, withoutKey, hasAutoincrement, sameFieldList, idListIncludes, applyType, applyDefault, applyUserDefault, dropDefaultNative, withoutBareDecimalNote, renameAutoIndex } from "./field-edits.js";

export function isRelationField(field: Field, modelNames: ReadonlySet<string>): boolean {
  return typeof field.fieldType === "string" && modelNames.has(field.fieldType);
}

export function convertModel(
  model: Model,
  table: SqliteTable,
  input: ConvertInput,
  modelNames: ReadonlySet<string>,
  enumNames: ReadonlySet<string>,
  decisions: Decision[],
  nocase: NocasePlan = { citext: new Set(), kept: new Map() },
): ColumnPlan[] {
  const plans: ColumnPlan[] = [];
  const userMode = input.source === "user";
  const profiles = input.profiles.get(table.name);
  const compositeId = blockAttributes(model).find((a) => a.name === "id");
  const newProperties: Model["properties"] = [];
  let keyDropped = false;
  const scalarColumns = model.properties.filter((p): p is Field => p.type === "field" && !isRelationField(p, modelNames)).map(columnNameOf);
  const pgColumnNames = pgNamesFor(scalarColumns, "column");

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
      const pgName = pgColumnNames.get(column.name)?.name ?? column.name;
      if (pgName !== column.name) {
        setFieldMap(field, pgName);
        const note = renameMessage("column", column.name, pgColumnNames.get(column.name)!);
        decisions.push({ table: table.name, column: column.name, code: "identifier", message: note });
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
    const nocaseNote = nocaseChoice(nocase, table.name, column.name, choice, input.typeOverrides?.has(`${table.name}.${column.name}`) ?? false);
    if (nocaseNote) choice = nocaseNote.choice;
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

    const pgName = pgColumnNames.get(column.name)?.name ?? column.name;
    const renameNote = pgName === column.name ? undefined : renameMessage("column", column.name, pgColumnNames.get(column.name)!);
    if (renameNote) {
      setFieldMap(field, pgName);
      notes.push(renameNote);
    }
    const epoch = epochUnitFor(table.name, column.name, choice, profile);
    if (epoch.note) notes.push(epoch.note);
    if (nocaseNote) notes.push(nocaseNote.note);
    for (const note of notes) {
      const code = note === epoch.note ? "epoch" : note === renameNote ? "identifier" : note === nocaseNote?.note ? nocaseNote.code : "type";
      decisions.push({ table: table.name, column: column.name, code, message: note });
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
      ...(nocaseNote ? { nocase: nocaseNote.nocase } : {}),
    });
  }
  model.properties = keyDropped ? withoutKey(newProperties) : newProperties;
  return plans;
}

/** The SQLite table and column names of fields (whose @map holds the PostgreSQL name). */
export function sqliteColumnsOf(tables: readonly TablePlan[], table: string, fields: readonly Field[]): LeftOutForeignKey {
  const plan = tables.find((t) => t.name === table);
  const columns = fields.map((f) => plan?.columns.find((c) => c.pgName === columnNameOf(f))?.name ?? columnNameOf(f));
  return { table, columns };
}

/** Columns relations.ts made BigInt are copied as bigint (every int value is one: the SQL spelling still holds). */
export function widenColumnPlans(tables: TablePlan[], widened: RelationResult["widened"], modelTables: ReadonlyMap<Model, string>): void {
  for (const { model, field } of widened) {
    const at = tables.findIndex((t) => t.name === modelTables.get(model));
    if (at < 0) continue;
    const pgColumn = columnNameOf(field);
    const plan = tables[at];
    tables[at] = { ...plan, columns: plan.columns.map((c) => (c.pgName === pgColumn && c.kind === "int" ? { ...c, kind: "bigint" } : c)) };
  }
}

/**
 * A text column declared COLLATE NOCASE: `@db.Citext` when the plan allows it (nocase.ts), else text with the
 * reason. SQLite's NOCASE folds only ASCII A–Z (https://sqlite.org/datatype3.html#collating_sequences); citext
 * folds with lower() in the database's locale (https://www.postgresql.org/docs/current/citext.html), so it is the
 * wider of the two. The value itself is stored as written either way.
 */
function nocaseChoice(
  nocase: NocasePlan,
  table: string,
  column: string,
  choice: ColumnTypeChoice,
  overridden: boolean,
): { choice: ColumnTypeChoice; note: string; code: string; nocase: "citext" | "text" } | undefined {
  const key = columnKey(table, column);
  if (choice.kind !== "text" || overridden || !(nocase.citext.has(key) || nocase.kept.has(key))) return undefined;
  if (nocase.citext.has(key)) {
    const length = choice.native?.name === "VarChar" ? `; citext has no length: the declared ${choice.native.name.toLowerCase()}(${choice.native.args[0]}) is not enforced (SQLite did not enforce it either)` : "";
    return {
      choice: { ...choice, native: { name: "Citext", args: [] } },
      code: "nocase-citext",
      nocase: "citext",
      note:
        "COLLATE NOCASE kept as citext (@db.Citext): =, unique, LIKE and ORDER BY stay case-insensitive; " +
        "citext folds every letter (É = é), SQLite's NOCASE only ASCII A–Z; values are stored as written" +
        length,
    };
  }
  return {
    choice,
    code: "nocase",
    nocase: "text",
    note:
      `COLLATE NOCASE not kept as citext (${nocase.kept.get(key)}): PostgreSQL compares this text case-sensitively — = 'A@x.io' no longer finds 'a@x.io', ` +
      "LIKE and ORDER BY are case-sensitive; a unique index on it stays case-insensitive through lower() (see the index decision)",
  };
}
