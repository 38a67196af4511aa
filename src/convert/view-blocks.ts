/**
 * Prisma `view` blocks for the migrated views (the `views` preview feature,
 * https://www.prisma.io/docs/orm/prisma-schema/data-model/views), so the app can read them through Prisma Client.
 * PURE: the columns come from PostgreSQL's catalog, read where the views are tried on the target
 * (apply/validate-views.ts): what PostgreSQL says a column's type is, including computed ones (count(*) is bigint).
 *
 * Prisma Migrate does not create views: the CREATE VIEW stays in migration.sql (extras/views.ts). A view has no
 * @id; no column is marked @unique here (proving a view column unique needs more than its type), so each block is
 * keyless, which Prisma accepts for views: findMany/findFirst/count work, findUnique does not.
 */
import { type Block } from "@mrleebo/prisma-ast";
import { parseSchema, printSchema } from "./ast.js";
import type { Decision } from "../core/decisions.js";
import { declarePreviewFeature } from "./datasource.js";
import { PRISMA_SCALAR_TYPES, prismaCleanName } from "./prisma-names.js";

/** A column of a view as PostgreSQL's catalog describes it. */
export interface PgViewColumn {
  readonly name: string;
  /** format_type(atttypid, atttypmod), e.g. "character varying(40)", "numeric(10,2)", "bigint". */
  readonly type: string;
  /** pg_type.typtype: "e" for an enum type (then `type` is its name). */
  readonly typtype?: string;
}

export interface MigratedView {
  /** SQLite view name. */
  readonly view: string;
  /** PostgreSQL view name (pg-names.ts). */
  readonly pgName: string;
  readonly columns: readonly PgViewColumn[];
}

/** Prisma type and native attribute for a PostgreSQL type; undefined when Prisma has no scalar for it. */
export function prismaTypeOf(pgType: string): { type: string; native?: string } | undefined {
  const t = pgType.trim();
  let m: RegExpExecArray | null;
  if (t === "text") return { type: "String" };
  if ((m = /^character varying(?:\((\d+)\))?$/.exec(t))) return { type: "String", native: m[1] ? `VarChar(${m[1]})` : "VarChar" };
  if ((m = /^character(?:\((\d+)\))?$/.exec(t))) return { type: "String", native: `Char(${m[1] ?? 1})` };
  if (t === "citext") return { type: "String", native: "Citext" };
  if (t === "uuid") return { type: "String", native: "Uuid" };
  if (t === "xml") return { type: "String", native: "Xml" };
  if (t === "inet") return { type: "String", native: "Inet" };
  if (t === "integer") return { type: "Int" };
  if (t === "smallint") return { type: "Int", native: "SmallInt" };
  if (t === "oid") return { type: "Int", native: "Oid" };
  if (t === "bigint") return { type: "BigInt" };
  if (t === "double precision") return { type: "Float" };
  if (t === "real") return { type: "Float", native: "Real" };
  if ((m = /^numeric\((\d+),(\d+)\)$/.exec(t))) return { type: "Decimal", native: `Decimal(${m[1]}, ${m[2]})` };
  if (t === "numeric") return { type: "Decimal" };
  if (t === "money") return { type: "Decimal", native: "Money" };
  if (t === "boolean") return { type: "Boolean" };
  if ((m = /^timestamp(?:\((\d)\))? without time zone$/.exec(t))) return { type: "DateTime", native: `Timestamp(${m[1] ?? 6})` };
  if ((m = /^timestamp(?:\((\d)\))? with time zone$/.exec(t))) return { type: "DateTime", native: `Timestamptz(${m[1] ?? 6})` };
  if (t === "date") return { type: "DateTime", native: "Date" };
  if ((m = /^time(?:\((\d)\))? without time zone$/.exec(t))) return { type: "DateTime", native: `Time(${m[1] ?? 6})` };
  if ((m = /^time(?:\((\d)\))? with time zone$/.exec(t))) return { type: "DateTime", native: `Timetz(${m[1] ?? 6})` };
  if (t === "bytea") return { type: "Bytes" };
  if (t === "jsonb") return { type: "Json" };
  if (t === "json") return { type: "Json", native: "Json" };
  return undefined;
}

const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/;

/** A Prisma identifier for `name` not in `taken` (case-insensitively: model and view names are types). */
function identifierFor(name: string, fallback: string, taken: Set<string>): string {
  let base = prismaCleanName(name) || fallback;
  if (PRISMA_SCALAR_TYPES.has(base)) base = `${base}_`;
  let candidate = base;
  for (let i = 2; taken.has(candidate.toLowerCase()); i++) candidate = `${base}_${i}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/** The text of one view block (fields optional: any view column can be NULL). */
export function viewBlockText(view: MigratedView, name: string, enumsByDbName: ReadonlyMap<string, string>): { text: string; unsupported: string[] } {
  const fieldNames = new Set<string>();
  const unsupported: string[] = [];
  const lines = view.columns.map((c, i) => {
    const field = identifierFor(c.name, `column_${i + 1}`, fieldNames);
    const mapped = enumsByDbName.get(c.type) ?? enumsByDbName.get(c.type.replace(/^"|"$/g, ""));
    const prisma = c.typtype === "e" && mapped !== undefined ? { type: mapped } : prismaTypeOf(c.type);
    if (!prisma) unsupported.push(`${c.name} (${c.type})`);
    const type = prisma ? `${prisma.type}?` : `Unsupported(${JSON.stringify(c.type)})?`;
    const attrs = [prisma?.native ? `@db.${prisma.native}` : "", field === c.name ? "" : `@map(${JSON.stringify(c.name)})`].filter((a) => a !== "");
    return `  ${field} ${type}${attrs.length ? ` ${attrs.join(" ")}` : ""}`;
  });
  const map = name === view.pgName ? [] : ["", `  @@map(${JSON.stringify(view.pgName)})`];
  return { text: [`view ${name} {`, ...lines, ...map, "}"].join("\n"), unsupported };
}

/**
 * `schema` with a view block per migrated view appended and `views` in the client generators' preview features
 * (once, kept beside the user's). Views without columns are left as they were (nothing to read).
 */
export function addViewBlocks(schema: string, views: readonly MigratedView[], decisions: Decision[]): string {
  if (!views.some((v) => v.columns.length > 0)) return schema;
  const ast = parseSchema(schema);
  // A user's schema (--schema) may model a view already: their block is kept as they wrote it.
  const ownViews = new Set(
    ast.list.flatMap((b) => {
      if (b.type !== "view") return [];
      const map = b.properties.find((p) => p.type === "attribute" && p.kind === "object" && p.name === "map") as { args?: { value: unknown }[] } | undefined;
      const value = map?.args?.[0]?.value;
      return [typeof value === "string" ? (JSON.parse(value) as string) : b.name];
    }),
  );
  const withColumns = views.filter((v) => v.columns.length > 0 && !ownViews.has(v.pgName) && !ownViews.has(v.view));
  if (withColumns.length === 0) return schema;
  declarePreviewFeature(ast.list, "views");
  const taken = new Set(ast.list.flatMap((b: Block) => ("name" in b && typeof b.name === "string" && b.type !== "datasource" && b.type !== "generator" ? [b.name.toLowerCase()] : [])));
  const enumsByDbName = new Map<string, string>();
  for (const b of ast.list) {
    if (b.type !== "enum") continue;
    const map = b.enumerators.find((e) => e.type === "attribute" && e.name === "map") as { args?: { value: unknown }[] } | undefined;
    const db = typeof map?.args?.[0]?.value === "string" ? JSON.parse(map.args[0].value) as string : b.name;
    enumsByDbName.set(db, b.name);
  }
  const blocks: string[] = [];
  for (const view of withColumns) {
    const name = identifierFor(view.pgName, "view", taken);
    const { text, unsupported } = viewBlockText(view, name, enumsByDbName);
    blocks.push(text);
    decisions.push({
      table: view.view,
      code: "view",
      message: `view ${name} in schema.prisma (preview feature "views"): Prisma Client reads it (findMany, findFirst, count); fields typed from PostgreSQL's catalog; keyless (no @unique), so findUnique is not available${unsupported.length ? `; not readable through Prisma (Unsupported): ${unsupported.join(", ")}` : ""}`,
    });
  }
  // Parsed and printed with the rest: aligned as Prisma's formatter aligns them.
  ast.list.push(...parseSchema(blocks.join("\n\n")).list.flatMap((b) => [{ type: "break" } as Block, b]));
  return `${printSchema(ast).trim()}\n`;
}
