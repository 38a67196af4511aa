/**
 * "What changes for the app", from the data rather than generic advice:
 *
 * - ordering: SQLite orders text by its bytes (BINARY, or NOCASE where declared:
 *   https://sqlite.org/datatype3.html#collation), PostgreSQL by the database's collation
 *   (https://www.postgresql.org/docs/current/collation.html). A sample of each text column is sorted by both
 *   engines and the values that move are counted, with one pair as the example.
 * - matching: Prisma's `contains`/`startsWith`/`endsWith` become LIKE, which ignores ASCII case on SQLite
 *   (https://sqlite.org/lang_expr.html#like) and not on PostgreSQL; `mode: "insensitive"` makes them ILIKE
 *   (https://www.prisma.io/docs/orm/prisma-client/queries/case-sensitivity). citext columns keep matching.
 * - stricter: columns whose SQLite values (the profile counted their storage classes) were looser than the type
 *   PostgreSQL now enforces on every write.
 *
 * Reads a sample from SQLite and sorts it on the target (no table is read there): `plan` has no target, so the
 * ordering is not measured there.
 */
import type { ColumnProfile } from "../../core/column-type.js";
import { quoteIdent } from "../../core/quote.js";
import type { TablePlan, ColumnPlan } from "../../convert/convert.js";
import { schemaFields, type SchemaField } from "../../convert/field-names.js";
import type { PgClient } from "../../db/pg-client.js";
import type { SqliteDb } from "../../db/sqlite-source.js";
import type { AppChanges, AppColumn, MatchingChange, OrderingChange, OrderingEvidence, StricterColumn } from "./types.js";

export type { AppChanges } from "./types.js";

export interface AppChangesInput {
  readonly source: SqliteDb;
  readonly tables: readonly TablePlan[];
  /** The converted schema.prisma: the model and field names the app uses. */
  readonly schema: string;
  readonly profiles: ReadonlyMap<string, ReadonlyMap<string, ColumnProfile>>;
  /** The target, to sort the samples with its collation; null (`plan`): ordering not measured. */
  readonly client: PgClient | null;
  /** Distinct values sampled per text column (default 200). */
  readonly sampleSize?: number;
}

/** Values longer than this are left out of the sample: the order of short values shows the collation as well. */
const MAX_SAMPLE_CHARS = 200;
/** Rows read per column to draw the sample from (the first rows, in rowid order; the sample is spread over them). */
const SAMPLE_SCAN = 5000;

interface TextColumn {
  readonly where: AppColumn;
  readonly plan: ColumnPlan;
  readonly tablePlan: TablePlan;
  readonly sample: string[];
}

export async function appChanges(input: AppChangesInput): Promise<AppChanges> {
  const fields = schemaFields(input.schema);
  const size = input.sampleSize ?? 200;
  const text: TextColumn[] = [];
  const located: { where: AppColumn; plan: ColumnPlan; tablePlan: TablePlan; field: SchemaField }[] = [];
  for (const t of input.tables) {
    for (const c of t.columns) {
      const field = fields.get(t.pgName)?.get(c.pgName);
      if (!field) continue; // an implicit many-to-many table: no field of the app's
      const where = { table: t.name, column: c.name, model: field.model, field: field.field };
      located.push({ where, plan: c, tablePlan: t, field });
      // Enums order by their declaration in PostgreSQL, not as text: not sampled here.
      if (c.kind === "text" && field.type === "String") text.push({ where, plan: c, tablePlan: t, sample: sampleOf(input.source, t.name, c.name, size) });
    }
  }
  const ordering =
    input.client === null
      ? notMeasured()
      : await measureOrdering(input.client, input.source, text).catch((err: unknown): OrderingEvidence => ({ measured: false, reason: `the target could not sort the samples: ${(err as Error).message}` }));
  // Keys and relation scalars hold identifiers, which apps compare whole, not search.
  const searchable = new Set(located.filter((l) => !l.field.key).map((l) => l.plan));
  const matching = text.filter((c) => c.plan.nocase !== "citext" && searchable.has(c.plan)).flatMap((c) => matchingChange(c));
  const stricter = located.flatMap(({ where, plan, tablePlan, field }) => stricterColumn(input.source, where, plan, tablePlan, field, input.profiles.get(tablePlan.name)?.get(plan.name)));
  return { ordering, matching, stricter };
}

function notMeasured(): OrderingEvidence {
  return { measured: false, reason: "plan does not connect to PostgreSQL: migrate sorts a sample of each text column with the target's collation" };
}

/** Distinct text values, spread over the first SAMPLE_SCAN rows (deterministic), NUL-free (PostgreSQL text cannot hold NUL). */
function sampleOf(source: SqliteDb, table: string, column: string, size: number): string[] {
  const q = quoteIdent(column);
  const rows = source
    // The first SAMPLE_SCAN rows only: a mostly-NULL column of a big table must not cost a full scan.
    .prepare(`SELECT v FROM (SELECT ${q} AS v FROM ${quoteIdent(table)} LIMIT ${SAMPLE_SCAN}) WHERE typeof(v) = 'text' AND length(v) <= ${MAX_SAMPLE_CHARS}`)
    .pluck()
    .all() as string[];
  const distinct = [...new Set(rows.filter((v) => !v.includes("\0")))];
  if (distinct.length <= size) return distinct;
  return Array.from({ length: size }, (_, i) => distinct[Math.floor((i * distinct.length) / size)]);
}

async function measureOrdering(client: PgClient, source: SqliteDb, columns: readonly TextColumn[]): Promise<OrderingEvidence> {
  const collation = await databaseCollation(client);
  const changes: OrderingChange[] = [];
  for (const c of columns) {
    if (c.sample.length < 2) continue;
    const nocase = c.plan.nocase !== undefined;
    // Ties (NOCASE, citext) are broken by the bytes on both sides, so only the collation decides.
    const sqliteOrder = source
      .prepare(`SELECT key FROM json_each(?) ORDER BY value${nocase ? " COLLATE NOCASE" : ""}, value COLLATE BINARY`)
      .pluck()
      .all(JSON.stringify(c.sample))
      .map(Number); // the source connection may read integers as bigint
    const pgKey = c.plan.nocase === "citext" ? 'lower(v), v COLLATE "C"' : 'v, v COLLATE "C"';
    const { rows } = await client.query<{ i: number }>(`SELECT (i - 1)::int AS i FROM unnest($1::text[]) WITH ORDINALITY AS u(v, i) ORDER BY ${pgKey}`, [c.sample]);
    const pgOrder = rows.map((r) => Number(r.i));
    const pgRank = new Map(pgOrder.map((index, rank) => [index, rank]));
    const differing = sqliteOrder.filter((index, rank) => pgOrder[rank] !== index).length;
    if (differing === 0) continue;
    let example: [string, string] | undefined;
    for (let k = 0; k + 1 < sqliteOrder.length && !example; k++) {
      if (pgRank.get(sqliteOrder[k])! > pgRank.get(sqliteOrder[k + 1])!) example = [c.sample[sqliteOrder[k]], c.sample[sqliteOrder[k + 1]]];
    }
    changes.push({ ...c.where, sampled: c.sample.length, differing, ...(example ? { example } : {}) });
  }
  return { measured: true, collation, columns: columns.filter((c) => c.sample.length >= 2).length, changes };
}

/** The database's default collation, whatever the server's version names its catalog columns (pg_database). */
async function databaseCollation(client: PgClient): Promise<string> {
  const { rows } = await client.query<{ d: Record<string, unknown> | string }>("SELECT to_jsonb(d) AS d FROM pg_catalog.pg_database d WHERE datname = current_database()");
  const raw = rows[0]?.d;
  const d = (typeof raw === "string" ? JSON.parse(raw) : raw ?? {}) as Record<string, unknown>;
  const provider = d.datlocprovider === "i" ? "icu" : d.datlocprovider === "b" ? "builtin" : "libc";
  const locale = provider === "libc" ? d.datcollate : (d.daticulocale ?? d.datlocale ?? d.datcollate);
  return `${String(locale ?? "unknown")} (${provider})`;
}

const ASCII_LETTERS = /[A-Za-z]+/;

function matchingChange(c: TextColumn): MatchingChange[] {
  const withLetters = c.sample.filter((v) => ASCII_LETTERS.test(v));
  if (withLetters.length === 0) return [];
  const value = withLetters.find((v) => /[A-Z]/.test(v) && /[a-z]/.test(v)) ?? withLetters[0];
  const word = ASCII_LETTERS.exec(value)![0].slice(0, 12);
  // The same letters in the other case: SQLite's LIKE found the value with it, PostgreSQL's does not.
  const contains = word === word.toLowerCase() ? word.toUpperCase() : word.toLowerCase();
  return [{ ...c.where, sampled: c.sample.length, withLetters: withLetters.length, example: { value, contains } }];
}

function pgTypeOf(plan: ColumnPlan, field: SchemaField): string {
  const n = field.native;
  if (n?.name === "VarChar") return `varchar(${n.args[0]})`;
  if (n?.name === "SmallInt") return "smallint";
  if (n?.name === "Decimal") return `numeric(${n.args.join(",")})`;
  if (n?.name === "Timestamp") return `timestamp(${n.args[0] ?? 3})`;
  const byKind: Record<string, string> = { int: "integer", bigint: "bigint", float: "double precision", decimal: "numeric", boolean: "boolean", timestamp: "timestamp(3)", date: "date", time: "time", json: "jsonb", bytes: "bytea", text: "text" };
  return byKind[plan.kind] ?? plan.kind;
}

function exampleOf(source: SqliteDb, table: string, column: string, classes: readonly string[]): string | undefined {
  const q = quoteIdent(column);
  const v = source.prepare(`SELECT CAST(${q} AS TEXT) FROM ${quoteIdent(table)} WHERE typeof(${q}) IN (${classes.map(() => "?").join(", ")}) LIMIT 1`).pluck().get(...classes) as string | undefined;
  return v === undefined || v === null ? undefined : v.length > 60 ? `${v.slice(0, 57)}…` : v;
}

function counted(p: ColumnProfile, classes: readonly ("integer" | "real" | "text" | "blob")[]): string {
  return classes.filter((k) => p.storage[k] > 0).map((k) => `${p.storage[k]} ${k}`).join(", ");
}

function stricterColumn(source: SqliteDb, where: AppColumn, plan: ColumnPlan, tablePlan: TablePlan, field: SchemaField, p: ColumnProfile | undefined): StricterColumn[] {
  const pgType = pgTypeOf(plan, field);
  const one = (what: string, classes: readonly ("integer" | "real" | "text" | "blob")[] = []): StricterColumn[] => {
    const example = classes.length > 0 ? exampleOf(source, tablePlan.name, plan.name, classes) : undefined;
    return [{ ...where, pgType, what, ...(example !== undefined ? { example } : {}) }];
  };
  if (field.native?.name === "VarChar" && plan.kind === "text") {
    const longest = p?.maxTextLength ?? 0;
    return one(`SQLite ignored the declared length; PostgreSQL refuses values over ${field.native.args[0]} characters on every write (longest today: ${longest})`);
  }
  if (!p) return [];
  const s = p.storage;
  switch (plan.kind) {
    case "int":
    case "bigint":
      if (s.text + s.real + s.blob === 0) return [];
      return one(`SQLite kept ${counted(p, ["text", "real", "blob"])} value(s) in this integer column; PostgreSQL ${pgType} accepts only integers (the copy converted the exact ones)`, ["text", "real", "blob"]);
    case "float":
    case "decimal":
      if (s.text + s.blob === 0) return [];
      return one(`SQLite kept ${counted(p, ["text", "blob"])} value(s) in this numeric column; PostgreSQL ${pgType} accepts only numbers (the copy converted the exact ones)`, ["text", "blob"]);
    case "boolean":
      if (s.text + s.real + s.blob === 0) return [];
      return one(`SQLite kept ${counted(p, ["text", "real", "blob"])} value(s) beside 0/1; PostgreSQL boolean accepts only true/false`, ["text", "real", "blob"]);
    case "timestamp":
    case "date":
    case "time": {
      const parts: string[] = [];
      if (s.integer + s.real > 0) parts.push(`${s.integer + s.real} unix epoch number(s) (converted): raw SQL must now write timestamps, e.g. to_timestamp(…)`);
      if (p.zonedTexts > 0) parts.push(`${p.zonedTexts} text value(s) with a UTC offset (converted to UTC): ${pgType} keeps no offset`);
      if (parts.length === 0) return [];
      return one(`SQLite accepted any value here and held ${parts.join("; ")}`, s.integer + s.real > 0 ? ["integer", "real"] : []);
    }
    case "text":
      if (s.integer + s.real === 0) return [];
      return one(`SQLite held ${counted(p, ["integer", "real"])} number(s) here beside text; PostgreSQL text holds their decimal spelling, so the app reads them as strings`, ["integer", "real"]);
    default:
      return [];
  }
}
