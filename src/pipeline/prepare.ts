/**
 * The source half of the pipeline, shared by `migrate`, `plan` and `verify`: snapshot → introspect → profile →
 * convert. Touches no PostgreSQL.
 */
import { annotateModels } from "../convert/annotate.js";
import { restoreInvalidFields } from "../convert/restore-fields.js";
import { convertSchema, type ConvertResult } from "../convert/convert.js";
import { NAMING_DECISION, nameSchema, renameImplicitRelation, renameSchema, type NamingMode, type NamingPlan } from "../convert/naming/index.js";
import type { CitextSupport } from "../convert/nocase.js";
import type { ColumnProfile } from "../core/column-type.js";
import { convertExtras, renderExtrasSql } from "../convert/extras/index.js";
import { keepStoredGenerated } from "../convert/kept-generated.js";
import { addViewBlocks, type PgViewColumn } from "../convert/view-blocks.js";
import { readExtraFacts } from "../introspect/extra-facts.js";
import { type SqliteDb } from "../db/sqlite-source.js";
import { readCatalog } from "../introspect/read-catalog.js";
import { type SqliteCatalog } from "../core/catalog.js";
import { introspect } from "../introspect/introspect.js";
import { takeSnapshot, type Snapshot } from "../introspect/snapshot.js";
import { assertClosedUnderForeignKeys, tablePredicate, type TableFilter } from "../introspect/table-filter.js";
import { Sqlite2pgError } from "../core/errors.js";
import { onInterrupt } from "../core/interrupt.js";
import type { Decision } from "../core/decisions.js";
import { profileCatalog, profileSharesWork } from "../profile/profile-all.js";
import { coverageName, planCoverage, readSourceCoverage, type CoverageInput, type CoverageResult } from "../verify/coverage.js";
import { timedStage, type EventListener } from "../core/events.js";
import { checkEnumValues, checkUserSchema, readUserSchema, type SchemaCheck, type UserSchema } from "../prisma-project/prisma-project.js";

export interface PreparedSource {
  readonly snapshot: Snapshot;
  /** Read-only connection to the source, inside the snapshot's read transaction. */
  readonly source: SqliteDb;
  readonly catalog: SqliteCatalog;
  readonly converted: ConvertResult;
  /** What the profile measured, table → column (the columns whose type depends on the data). */
  readonly profiles: ReadonlyMap<string, ReadonlyMap<string, ColumnProfile>>;
  /** The SQLite schema.prisma the conversion started from (the user's, or Prisma's introspection). */
  readonly sourceSchema: string;
  /** Raw SQL for what Prisma's schema language cannot express, appended to the baseline migration. */
  readonly extrasSql: string;
  /** With a user's schema (`--schema`): how it compared with the database. */
  readonly schemaCheck?: SchemaCheck;
  /** Every table and column of the file against the plan (all covered: a gap is refused here). */
  readonly coverage: CoverageResult;
  /** What the coverage was computed from, for the check against PostgreSQL after the copy (coverage.ts). */
  readonly coverageInput: CoverageInput;
  /** The CREATE VIEW statements in `extrasSql`, by SQLite view name (checked on the target before the copy). */
  readonly viewStatements: readonly { readonly view: string; readonly pgName: string; readonly sql: string }[];
  /**
   * The same preparation with these views (name → PostgreSQL's error) left out and reported, and a Prisma `view`
   * block for each other view whose columns PostgreSQL described (PostgreSQL view name → columns; view-blocks.ts).
   */
  withoutViews(refused: ReadonlyMap<string, string>, viewColumns?: ReadonlyMap<string, readonly PgViewColumn[]>): PreparedSource;
  /** Close the connection and delete the snapshot. */
  dispose(): Promise<void>;
}

export interface PrepareOptions {
  /**
   * An existing Prisma project's schema.prisma (provider sqlite): checked against the database, then converted
   * instead of the introspected schema, keeping the user's names, defaults, enums, generators and comments.
   */
  readonly userSchemaPath?: string;
  /**
   * Model and field names of an introspected database: "prisma" (default) gives Prisma's conventions through
   * `@map`/`@@map` (convert/naming/), "keep" keeps the database's names. A user's schema keeps its names either way.
   */
  readonly naming?: NamingMode;
  /** Whether the target can use citext (apply/extensions.ts); absent: assumed (nocase.ts). */
  readonly citext?: CitextSupport;
}

export interface OpenedSnapshot {
  readonly snapshot: Snapshot;
  readonly source: SqliteDb;
  readonly catalog: SqliteCatalog;
  /** Is a table selected by --tables/--exclude? */
  readonly selected: (table: string) => boolean;
  dispose(): Promise<void>;
}

/** Snapshot the file and read its catalog (cheap: lets callers check the target before the slow stages). */
export async function openSnapshot(sqlitePath: string, emit: EventListener, filter?: TableFilter): Promise<OpenedSnapshot> {
  const keep = tablePredicate(filter);
  const snapshot = await timedStage(emit, "snapshot", `reading ${sqlitePath}`, () => takeSnapshot(sqlitePath, keep));
  // Ctrl-C must not leave the work directory (schema clone, generated clients) behind in the temp folder.
  const forget = onInterrupt(() => snapshot.dispose());
  const dispose = (): Promise<void> => {
    forget();
    return snapshot.dispose();
  };
  try {
    const full = readCatalog(snapshot.db);
    assertClosedUnderForeignKeys(full.tables, keep, full.tables.map((t) => t.name));
    const catalog: SqliteCatalog = {
      tables: full.tables.filter((t) => keep(t.name)),
      views: full.views.filter((v) => keep(v.name)),
      triggers: full.triggers.filter((t) => keep(t.table)),
      ...(full.virtualTables ? { virtualTables: full.virtualTables.filter((v) => keep(v.name)) } : {}),
    };
    if (catalog.tables.length === 0) {
      throw new Sqlite2pgError(`no table of ${sqlitePath} is selected by --tables/--exclude`, {
        code: "TABLE_FILTER",
        kind: "usage",
        stage: "cli",
        hint: `the file has: ${full.tables.map((t) => t.name).join(", ")}`,
      });
    }
    return { snapshot, source: snapshot.db, catalog, selected: keep, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** Introspect with Prisma, profile the data and convert the schema for PostgreSQL. */
export async function prepareSchema(
  opened: OpenedSnapshot,
  emit: EventListener,
  typeOverrides?: ReadonlyMap<string, string>,
  options: PrepareOptions = {},
): Promise<PreparedSource> {
  assertOverridesExist(opened.catalog, typeOverrides);
  // A user's schema is read (and refused if it is not a SQLite one) before the slow stages.
  const userSchema = options.userSchemaPath === undefined ? undefined : await readUserSchema(options.userSchemaPath);
  const read = await profileAndPull(opened, emit, userSchema);
  if (userSchema) checkEnumValues(opened.source, userSchema.text);
  const facts = readExtraFacts(opened.source, opened.catalog);
  // STORED generated columns PostgreSQL cannot compute keep their values as ordinary columns (kept-generated.ts).
  const { storedNotComputable } = convertExtras(opened.catalog, { facts });
  const sourceSchema = keepStoredGenerated(userSchema?.text ?? restoreInvalidFields(read.pulledSchema), opened.catalog, storedNotComputable);
  const conversion = convertSchema({
    pulledSchema: sourceSchema,
    catalog: opened.catalog,
    profiles: read.profiles,
    typeOverrides,
    source: userSchema ? "user" : "introspected",
    ...(options.citext ? { citext: options.citext } : {}),
  });
  const { base, plan: namingPlan } = userSchema || options.naming === "keep" ? { base: conversion, plan: undefined } : withPrismaNames(conversion);
  const context: FinishContext = {
    opened,
    read,
    base,
    facts,
    sourceCoverage: readSourceCoverage(opened.source),
    // The read-back builds a SQLite client from it (with convert's relation fixes, on the models it reads), under
    // the converted schema's model and field names, so that both clients have the same delegates and fields.
    sourceSchema: namingPlan ? renameSchema(sourceSchema, namingPlan) : sourceSchema,
  };
  return finishPrepared(context, new Map(), new Map());
}

interface SourceRead {
  readonly profiles: Awaited<ReturnType<typeof profileCatalog>>["profiles"];
  readonly pulledSchema: string;
  /** Names Prisma could not derive: they matter only when its introspection is the schema (not with a user's schema). */
  readonly nameDecisions: readonly Decision[];
  readonly schemaCheck?: SchemaCheck;
}

/** Sources up to this size (estimated bytes) are profiled while `db pull` runs (see profileAndPull). */
const PROFILE_BESIDE_PULL_BYTES = 32 * 1024 * 1024;

/**
 * The profile and `prisma db pull` (a worker thread). The profile runs in this thread while the pull runs in its
 * own: each would otherwise wait for the other. Not when the profile shares its work with a worker of its own
 * (profile-all.ts, from 4M values with sqlite2pg's extension) on a source over PROFILE_BESIDE_PULL_BYTES: then the
 * profile first, then the pull; side by side, the engine's thread and the profile's two threads peaked at ~265 MB
 * on the 360k-row bench for no time gained on 2 cores (223–234 MB one after the other; session 9, when that bench
 * was profiled on two threads). With a user's schema, then the check that it describes the file.
 */
async function profileAndPull(opened: OpenedSnapshot, emit: EventListener, userSchema: UserSchema | undefined): Promise<SourceRead> {
  const profile = async () => {
    const { profiles, threads } = await timedStage(emit, "profile", "profiling the data", () =>
      profileCatalog(opened.source, opened.catalog, { path: opened.snapshot.db.name, unchanged: () => opened.snapshot.unchanged() }),
    );
    if (threads > 1) emit({ type: "info", message: `[profile] profiled on ${threads} threads (nobody wrote to the file since the snapshot began)` });
    return profiles;
  };
  const pull = () => timedStage(emit, "introspect", "prisma db pull", () => introspect(opened.snapshot, opened.catalog.tables.length));
  const bytes = opened.catalog.tables.reduce((sum, t) => sum + (t.estimatedBytes ?? 0), 0);
  let profiles: Awaited<ReturnType<typeof profile>>;
  let pulled: Awaited<ReturnType<typeof pull>>;
  if (bytes <= PROFILE_BESIDE_PULL_BYTES || !profileSharesWork(opened.source, opened.catalog)) {
    const pulling = pull();
    // Awaited below; a failure must not surface as unhandled while the profile runs.
    pulling.catch(() => undefined);
    try {
      profiles = await profile();
    } catch (err) {
      // The pull writes into the snapshot's work directory: it must end before the caller removes that directory,
      // or the removal fails and hides the profile's own error (e.g. a damaged page, SOURCE_CORRUPT).
      await pulling.catch(() => undefined);
      throw err;
    }
    pulled = await pulling;
  } else {
    profiles = await profile();
    pulled = await pull();
  }
  const { pulledSchema, decisions: pulledNames } = pulled;
  const schemaCheck = userSchema
    ? await timedStage(emit, "introspect", `comparing ${userSchema.path} with the database`, () =>
        checkUserSchema({ pulledSchema, userSchema, sqlitePath: opened.snapshot.db.name }),
      )
    : undefined;
  return { profiles, pulledSchema, nameDecisions: userSchema ? [] : pulledNames, ...(schemaCheck ? { schemaCheck } : {}) };
}

interface FinishContext {
  readonly opened: OpenedSnapshot;
  readonly read: SourceRead;
  readonly base: ConvertResult;
  readonly facts: ReturnType<typeof readExtraFacts>;
  readonly sourceCoverage: ReturnType<typeof readSourceCoverage>;
  readonly sourceSchema: string;
}

/**
 * The extras (views, indexes, CHECKs…) and the annotated schema, given the views PostgreSQL refused and the columns
 * of those it created; checked for coverage. `withoutViews` does it again once `migrate` has tried the views.
 */
function finishPrepared(ctx: FinishContext, refusedViews: ReadonlyMap<string, string>, viewColumns: ReadonlyMap<string, readonly PgViewColumn[]>): PreparedSource {
  const { opened, read, base } = ctx;
  const extras = convertExtras(opened.catalog, { facts: ctx.facts, tables: base.tables, refusedViews });
  // Views PostgreSQL created (and described) become `view` blocks; without a target (plan) only the raw SQL.
  const viewDecisions: Decision[] = [];
  const migratedViews = extras.viewStatements.flatMap((v) => {
    const columns = viewColumns.get(v.pgName);
    return columns ? [{ view: v.view, pgName: v.pgName, columns }] : [];
  });
  const withViews = addViewBlocks(base.schema, migratedViews, viewDecisions);
  const converted: ConvertResult = {
    ...base,
    // Table-level decisions become `///` lines on their model; column-level ones are already on their field.
    schema: annotateModels(
      withViews,
      // A rename is in the schema itself (`@map`/`@@map`): no `///` line repeats it.
      [...read.nameDecisions.filter((d) => d.column === undefined), ...base.decisions.filter((d) => d.column === undefined && d.code !== NAMING_DECISION), ...extras.decisions, ...viewDecisions],
      new Map(base.tables.map((t) => [t.pgName, t.name])),
    ),
    decisions: [...(read.schemaCheck?.decisions ?? []), ...read.nameDecisions, ...base.decisions, ...extras.decisions, ...viewDecisions],
  };
  const coverageInput: CoverageInput = {
    source: ctx.sourceCoverage,
    planned: converted.tables,
    selected: opened.selected,
    leftOutOnPurpose: leftOutOnPurpose(converted.decisions),
  };
  const coverage = planCoverage(coverageInput);
  if (!coverage.ok) throw coverageError(coverage);
  return {
    ...opened,
    coverage,
    coverageInput,
    converted,
    profiles: read.profiles,
    sourceSchema: ctx.sourceSchema,
    extrasSql: extras.postDataSql.length > 0 ? renderExtrasSql(extras.postDataSql) : "",
    ...(read.schemaCheck ? { schemaCheck: read.schemaCheck } : {}),
    viewStatements: extras.viewStatements,
    withoutViews: (refused, columns) => finishPrepared(ctx, new Map([...refusedViews, ...refused]), new Map([...viewColumns, ...(columns ?? [])])),
  };
}

/** The converted schema with Prisma's naming conventions (convert/naming/): the tables and columns keep their names. */
function withPrismaNames(converted: ConvertResult): { base: ConvertResult; plan: NamingPlan } {
  const named = nameSchema(converted.schema, new Map(converted.tables.map((t) => [t.pgName, t.name])));
  const tables = converted.tables.map((t) => (t.implicitRelation ? { ...t, implicitRelation: renameImplicitRelation(t.implicitRelation, named.plan) } : t));
  return { base: { ...converted, schema: named.schema, tables, decisions: [...converted.decisions, ...named.decisions] }, plan: named.plan };
}

/** Decisions that leave a table or column out on purpose, with the reason the summary gives (coverage.ts). */
export const LEFT_OUT_CODES: ReadonlySet<string> = new Set(["left-out"]);

function leftOutOnPurpose(decisions: readonly Decision[]): Map<string, string> {
  return new Map(decisions.filter((d) => LEFT_OUT_CODES.has(d.code)).map((d) => [d.column === undefined ? d.table : `${d.table}.${d.column}`, d.message]));
}

/**
 * A table or column of the file that the plan would not fill: refused before anything is written, naming each
 * (the run must never report success while a table's data is missing).
 */
export function coverageError(coverage: CoverageResult): Sqlite2pgError {
  const first = coverage.missing[0];
  const tables = [...new Set(coverage.missing.filter((m) => m.column === undefined).map((m) => m.table))];
  return new Sqlite2pgError(
    `sqlite2pg cannot migrate everything in this file; nothing was written:\n${coverage.missing.map((m) => `  - ${coverageName(m)}: ${m.why}`).join("\n")}`,
    {
      code: "SOURCE_NOT_COVERED",
      kind: "source",
      stage: "convert",
      object: { table: first.table, ...(first.column === undefined ? {} : { column: first.column }) },
      hint:
        tables.length > 0
          ? `this is a limitation of sqlite2pg (please report it). To migrate the rest without them, leave them out explicitly: ${tables.map((t) => `--exclude '${t.replace(/'/g, "'\\''")}'`).join(" ")} (their rows will not be in PostgreSQL)`
          : "this is a limitation of sqlite2pg (please report it): the columns above would not be copied",
    },
  );
}

/**
 * A `--type table.column=…` naming no column of the file would be ignored and the user would get the type they
 * asked to avoid: refused (exit 2) before anything runs, naming the columns the table does have.
 */
export function assertOverridesExist(catalog: SqliteCatalog, typeOverrides: ReadonlyMap<string, string> | undefined): void {
  if (!typeOverrides || typeOverrides.size === 0) return;
  const known = new Set(catalog.tables.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`)));
  for (const [key, type] of typeOverrides) {
    if (known.has(key)) continue;
    const table = catalog.tables.find((t) => key.startsWith(`${t.name}.`));
    throw new Sqlite2pgError(`--type ${key}=${type}: ${table ? `table "${table.name}" has no column "${key.slice(table.name.length + 1)}"` : `no table of the file (among those selected) has a column "${key}"`}`, {
      code: "USAGE",
      kind: "usage",
      stage: "cli",
      hint: table
        ? `its columns: ${table.columns.map((c) => c.name).join(", ")}`
        : `the tables: ${catalog.tables.map((t) => t.name).join(", ")} (names are case-sensitive; --type expects table.column=Type)`,
    });
  }
}
