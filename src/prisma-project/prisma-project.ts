/**
 * Existing Prisma projects (`migrate --schema prisma/schema.prisma`): the user's schema, not an introspected one,
 * is converted, after checking that it describes the SQLite database; the result replaces the project's files in
 * place (original schema kept as a backup, SQLite migration history archived, a PostgreSQL baseline instead).
 *
 * The check: `prisma db pull` of the database (done by the introspect stage) against the user's schema with
 * `prisma migrate diff --from-schema-datamodel <pulled> --to-schema-datamodel <user's> --exit-code --script`
 * (https://www.prisma.io/docs/orm/reference/prisma-cli-reference#migrate-diff): exit 0 = same database
 * structure, 2 = different, and the script says what differs. Constraint and index *names* are compared
 * separately: a database created by an older Prisma (2.x named unique indexes `Table.field_unique`) differs from
 * today's defaults only by names, and PostgreSQL gets the names of the user's schema anyway.
 */
import { access, constants, copyFile, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { type Attribute, type BlockAttribute, type Block, type Enum, type Field, type Model } from "@mrleebo/prisma-ast";
import { blockAttributes, columnNameOf, firstPositional, quote, removeNamedArgument, tableNameOf, unquote, parseSchema, printSchema } from "../convert/ast.js";
import type { Decision } from "../core/decisions.js";
import { diffScript } from "../db/schema-engine.js";
import { quoteIdent } from "../core/quote.js";
import type { SqliteDb } from "../db/sqlite-source.js";
import { Sqlite2pgError } from "../core/errors.js";
import { BASELINE_NAME } from "../plan/plan.js";

export interface UserSchema {
  readonly path: string;
  readonly text: string;
}

/** Read the user's schema file and make sure it is one SQLite schema we can work from. */
export async function readUserSchema(path: string): Promise<UserSchema> {
  let text: string;
  try {
    if ((await stat(path)).isDirectory()) {
      throw new Sqlite2pgError(`--schema ${path} is a folder; multi-file schemas (prismaSchemaFolder) are not supported yet`, {
        code: "SCHEMA_FOLDER",
        kind: "usage",
        stage: "introspect",
        hint: "pass the path of a single schema.prisma file",
      });
    }
    text = await readFile(path, "utf8");
  } catch (cause) {
    if (cause instanceof Sqlite2pgError) throw cause;
    throw new Sqlite2pgError(`cannot read the Prisma schema ${path}: ${(cause as Error).message}`, {
      code: "SCHEMA_UNREADABLE",
      kind: "usage",
      stage: "introspect",
      cause,
      hint: "pass the path of the project's schema.prisma with --schema",
    });
  }
  let provider: string | undefined;
  try {
    const ast = parseSchema(text);
    const ds = ast.list.find((b) => b.type === "datasource");
    const p = ds?.type === "datasource" ? ds.assignments.find((a) => a.type === "assignment" && a.key === "provider") : undefined;
    provider = p?.type === "assignment" ? unquote(p.value) : undefined;
  } catch (cause) {
    throw new Sqlite2pgError(`${path} is not a valid Prisma schema: ${(cause as Error).message.split("\n")[0]}`, {
      code: "SCHEMA_INVALID",
      kind: "source",
      stage: "introspect",
      cause,
      hint: "run `npx prisma validate` in the project and fix the schema first",
    });
  }
  if (provider !== "sqlite") {
    throw new Sqlite2pgError(`${path} has provider ${provider === undefined ? "(none)" : `"${provider}"`}; --schema expects the project's SQLite schema`, {
      code: "SCHEMA_PROVIDER",
      kind: "usage",
      stage: "introspect",
      hint: provider === "postgresql" ? "this schema looks migrated already (its SQLite original is kept as *.sqlite.bak)" : "pass the schema whose datasource provider is \"sqlite\"",
    });
  }
  return { path, text };
}

/** A copy of a schema that Prisma can load anywhere: no generators, no env() in the datasource. */
function checkableSchema(text: string, stripNames: boolean): string {
  const ast = parseSchema(text);
  ast.list = ast.list.filter((b) => b.type !== "generator");
  for (const block of ast.list) {
    if (block.type === "datasource") {
      block.assignments = block.assignments.filter((a) => a.type !== "assignment" || a.key === "provider" || a.key === "url" || a.key === "relationMode");
      for (const a of block.assignments) if (a.type === "assignment" && a.key === "url") a.value = quote("file:./unused.db");
    }
    if (stripNames && block.type === "model") stripConstraintNames(block);
  }
  return printSchema(ast);
}

const NAMED_FIELD_ATTRIBUTES = new Set(["id", "unique", "relation"]);
const NAMED_BLOCK_ATTRIBUTES = new Set(["id", "unique", "index", "fulltext"]);

/** Drop `map:` (the database name) of keys, unique constraints, indexes and foreign keys. */
function stripConstraintNames(model: Model): void {
  for (const p of model.properties) {
    if (p.type === "field") {
      for (const a of (p as Field).attributes ?? []) if (NAMED_FIELD_ATTRIBUTES.has(a.name) && a.group === undefined) removeNamedArgument(a as Attribute, "map");
    }
  }
  for (const a of blockAttributes(model)) if (NAMED_BLOCK_ATTRIBUTES.has(a.name)) removeNamedArgument(a as BlockAttribute, "map");
}

export interface SchemaCheck {
  /** "identical", or "names" when only constraint/index names differ (PostgreSQL gets the schema's names). */
  readonly result: "identical" | "names";
  readonly decisions: readonly Decision[];
}

async function diffSchemas(pulled: string, user: string, label: string): Promise<{ same: boolean; script: string }> {
  const from = { path: `check-${label}-database.prisma`, content: pulled };
  const to = { path: `check-${label}-project.prisma`, content: user };
  return diffScript(from, to, { stage: "introspect", kind: "source" }).catch((err: unknown) => {
    throw new Sqlite2pgError(`Prisma could not load the schema ${label === "raw" ? "" : "(names removed) "}to compare it with the database`, {
      code: "SCHEMA_INVALID",
      kind: "source",
      stage: "introspect",
      cause: err,
      hint: `${err instanceof Error ? err.message : String(err)}\nrun \`npx prisma validate\` in the project to see the error in your own files (e.g. an unknown preview feature for this Prisma version)`,
    });
  });
}

/**
 * Stop (SCHEMA_MISMATCH) unless the user's schema describes the SQLite database: a schema ahead of or behind the
 * database (an unapplied migration, a `db push` never run, the wrong file) would lose or fail to find data.
 */
export async function checkUserSchema(options: {
  readonly pulledSchema: string;
  readonly userSchema: UserSchema;
  readonly sqlitePath: string;
}): Promise<SchemaCheck> {
  const raw = await diffSchemas(checkableSchema(options.pulledSchema, false), checkableSchema(options.userSchema.text, false), "raw");
  if (raw.same) return { result: "identical", decisions: [] };
  const named = await diffSchemas(checkableSchema(options.pulledSchema, true), checkableSchema(options.userSchema.text, true), "names");
  if (named.same) {
    return {
      result: "names",
      decisions: [
        {
          table: basename(options.userSchema.path),
          code: "constraint-names",
          message: `index/constraint names in the SQLite database differ from the schema's; PostgreSQL gets the schema's names (SQLite would need: ${oneLine(raw.script)})`,
        },
      ],
    };
  }
  throw new Sqlite2pgError(
    `${options.userSchema.path} does not match ${options.sqlitePath}. To make the database match the schema, Prisma would run:\n${named.script}`,
    {
      code: "SCHEMA_MISMATCH",
      kind: "source",
      stage: "introspect",
      hint: "apply the project's pending migrations to this SQLite file (`npx prisma migrate deploy`), or check that --schema and the database belong together; nothing was changed",
      details: { script: named.script },
    },
  );
}

function oneLine(sql: string): string {
  return sql
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("--"))
    .join(" ")
    .replace(/\s+/g, " ");
}

/**
 * Prisma stores enums as TEXT on SQLite and validates values only in the client; a value written another way
 * (raw SQL, an enum value since removed) would make PostgreSQL's enum type reject the whole COPY. Listed up front.
 */
export function checkEnumValues(db: SqliteDb, userSchema: string): void {
  const ast = parseSchema(userSchema);
  const enums = new Map<string, string[]>();
  for (const b of ast.list) {
    if (b.type !== "enum") continue;
    const values = (b as Enum).enumerators
      .filter((e) => e.type === "enumerator")
      .map((e) => {
        const map = (e as { attributes?: Attribute[] }).attributes?.find((a) => a.name === "map");
        return unquote(firstPositional(map)) ?? (e as { name: string }).name;
      });
    enums.set(b.name, values);
  }
  if (enums.size === 0) return;
  const problems: string[] = [];
  for (const block of ast.list as Block[]) {
    if (block.type !== "model") continue;
    const table = tableNameOf(block);
    for (const p of block.properties) {
      if (p.type !== "field" || typeof p.fieldType !== "string" || !enums.has(p.fieldType)) continue;
      const values = enums.get(p.fieldType)!;
      const column = columnNameOf(p);
      const placeholders = values.map(() => "?").join(", ");
      const col = quoteIdent(column);
      const rows = db
        .prepare(`SELECT ${col} AS v, count(*) AS n FROM ${quoteIdent(table)} WHERE ${col} IS NOT NULL AND ${col} NOT IN (${placeholders}) GROUP BY ${col} LIMIT 10`)
        .all(...values) as { v: unknown; n: bigint | number }[];
      for (const r of rows) problems.push(`${table}.${column}: ${JSON.stringify(typeof r.v === "bigint" ? r.v.toString() : r.v)} in ${r.n} row(s) is not a value of enum ${p.fieldType}`);
    }
  }
  if (problems.length > 0) {
    throw new Sqlite2pgError(`values outside their enum (PostgreSQL's enum type would reject them); nothing was written:\n${problems.map((l) => `  - ${l}`).join("\n")}`, {
      code: "ENUM_VALUE",
      kind: "data",
      stage: "profile",
      hint: "update those rows to a value of the enum (or add the value to the enum in schema.prisma) and run again",
      details: { problems },
    });
  }
}

/** `20240102030405` (UTC, like Prisma's migration folder names). */
function stamp(date: Date): string {
  return date.toISOString().replace(/\D/g, "").slice(0, 14);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A name next to `path` not taken yet: `path`, else `path` with the time stamp inserted. */
async function freeName(path: string, suffixed: (stamp: string) => string, when: Date): Promise<string> {
  if (!(await exists(path))) return path;
  const alt = suffixed(stamp(when));
  if (!(await exists(alt))) return alt;
  throw new Sqlite2pgError(`${path} and ${alt} both exist already`, { code: "PROJECT_FILES", kind: "usage", stage: "plan", hint: "move them away and run again" });
}

export interface ProjectFiles {
  /** The converted schema, at the user's schema path (or in --out). */
  readonly schemaPath: string;
  /** The user's original SQLite schema. */
  readonly schemaBackup: string;
  /** The SQLite migrations folder, moved aside (absent when the project had none). */
  readonly migrationsArchive?: string;
  readonly migrationPath: string;
  /** `prisma.config.ts` written for Prisma 7 (--prisma7). */
  readonly prismaConfig?: string;
}

/** Before anything is written to PostgreSQL: the files we will replace are ours to replace. */
export async function assertProjectWritable(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  try {
    await access(outDir, constants.W_OK);
  } catch (cause) {
    throw new Sqlite2pgError(`cannot write to ${outDir}`, { code: "PROJECT_FILES", kind: "usage", stage: "plan", cause, hint: "check the folder's permissions" });
  }
}

export const PRISMA7_CONFIG = (schemaFile: string): string => `import { defineConfig, env } from "prisma/config";

export default defineConfig({
  schema: ${JSON.stringify(schemaFile)},
  migrations: { path: "migrations" },
  datasource: { url: env("DATABASE_URL") },
});
`;

/** Prisma 7 reads the connection URL from prisma.config.ts; the datasource keeps only its provider. */
export function withoutDatasourceUrl(schema: string): string {
  const ast = parseSchema(schema);
  for (const b of ast.list) {
    if (b.type === "datasource") b.assignments = b.assignments.filter((a) => a.type !== "assignment" || a.key !== "url");
  }
  return `${printSchema(ast).trim()}\n`;
}

/**
 * Put the staged schema and baseline in place: the original schema is copied to `<name>.sqlite.bak`, the
 * `migrations/` folder is renamed to `migrations_sqlite_<yyyymmddHHMMSS>` (history is never deleted), then the
 * PostgreSQL schema, `migrations/0_init` and `migration_lock.toml` are written.
 */
export async function installProjectFiles(options: {
  readonly stagedDir: string;
  readonly outDir: string;
  /** The user's schema file: its name is kept, and it is what gets backed up when it lives in outDir. */
  readonly userSchemaPath: string;
  readonly prisma7?: boolean;
  readonly now?: Date;
}): Promise<ProjectFiles> {
  const when = options.now ?? new Date();
  const schemaFile = basename(options.userSchemaPath);
  const schemaPath = join(options.outDir, schemaFile);
  await mkdir(options.outDir, { recursive: true });

  const schemaBackup = await freeName(`${schemaPath}.sqlite.bak`, (s) => `${schemaPath}.sqlite.${s}.bak`, when);
  await copyFile((await exists(schemaPath)) ? schemaPath : options.userSchemaPath, schemaBackup);

  const migrationsDir = join(options.outDir, "migrations");
  let migrationsArchive: string | undefined;
  if (await exists(migrationsDir)) {
    migrationsArchive = await freeName(join(options.outDir, `migrations_sqlite_${stamp(when)}`), (s) => join(options.outDir, `migrations_sqlite_${s}_2`), when);
    await rename(migrationsDir, migrationsArchive);
  }

  let schema = await readFile(join(options.stagedDir, "schema.prisma"), "utf8");
  if (options.prisma7) schema = withoutDatasourceUrl(schema);
  await writeFile(schemaPath, schema);
  const stagedMigrations = join(options.stagedDir, "migrations");
  await mkdir(join(migrationsDir, BASELINE_NAME), { recursive: true });
  await copyFile(join(stagedMigrations, BASELINE_NAME, "migration.sql"), join(migrationsDir, BASELINE_NAME, "migration.sql"));
  await copyFile(join(stagedMigrations, "migration_lock.toml"), join(migrationsDir, "migration_lock.toml"));

  let prismaConfig: string | undefined;
  if (options.prisma7) {
    prismaConfig = join(dirname(schemaPath), "prisma.config.ts");
    if (await exists(prismaConfig)) await copyFile(prismaConfig, await freeName(`${prismaConfig}.sqlite.bak`, (s) => `${prismaConfig}.sqlite.${s}.bak`, when));
    await writeFile(prismaConfig, PRISMA7_CONFIG(schemaFile));
  }
  return {
    schemaPath,
    schemaBackup,
    ...(migrationsArchive ? { migrationsArchive } : {}),
    migrationPath: join(migrationsDir, BASELINE_NAME, "migration.sql"),
    ...(prismaConfig ? { prismaConfig } : {}),
  };
}
