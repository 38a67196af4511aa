/**
 * Read-back of the schema's `view` blocks (convert/view-blocks.ts): what the app reads from a view through Prisma
 * Client, on both sides. A view has no key, so its rows are compared as a multiset:
 * - SQLite: the view's first `sampleSize` rows in byte order (every column COLLATE BINARY, sample.ts SampleView),
 *   read through the SQLite client from the sample, where they stand in a table named like the view;
 * - PostgreSQL: the rows equal to those, read through the PostgreSQL client with a filter on every field that
 *   takes an equality filter (so PostgreSQL's collation never picks which rows are read), and the view's row count;
 * - each SQLite row is paired with one PostgreSQL row whose every comparable field is the same (compare.ts); a row
 *   left unpaired, or a different row count, is a difference.
 *
 * The SQLite client needs view blocks too. Prisma 6.19's SQLite introspection (the WASM schema engine) does not
 * give them (docs/toolchain.md), so they are built from the PostgreSQL schema's: the same fields, without the
 * PostgreSQL native types (`@db.*`), mapped to the sample's table (PURE up to here: text in, text out).
 */
import { getSchema, printSchema, type Block, type Field } from "@mrleebo/prisma-ast";
import { blockAttributes, columnNameOf, fieldsOf, firstPositional, unquote } from "../../convert/ast.js";
import { declarePreviewFeature, ensureGenerator } from "../../convert/datasource.js";
import type { ModelDelegate } from "./client.js";
import { comparisonFor, excerpt, type Comparison } from "./compare.js";
import type { ReadBackDifference, ReadBackModel } from "./types.js";

export interface ViewInfo {
  /** The view block's name (its Prisma Client delegate). */
  readonly view: string;
  /** The PostgreSQL view it maps to. */
  readonly pgName: string;
  /** field → column, in column order (Unsupported fields included: they hold a column of the view). */
  readonly columns: ReadonlyMap<string, string>;
}

type ViewBlock = Extract<Block, { type: "view" }>;

/** The view blocks of a schema. */
export function readViews(schema: string): ViewInfo[] {
  return getSchema(schema)
    .list.filter((b): b is ViewBlock => b.type === "view")
    .map((v) => {
      const map = blockAttributes(v as never).find((a) => a.name === "map" && a.group === undefined);
      return { view: v.name, pgName: unquote(firstPositional(map)) ?? v.name, columns: new Map(fieldsOf(v as never).map((f: Field) => [f.name, columnNameOf(f)])) };
    });
}

/**
 * The SQLite schema with the PostgreSQL schema's view blocks (without `@db.*`, whose types are PostgreSQL's) and the
 * `views` preview feature. Unchanged when there are no view blocks.
 */
export function withSqliteViewBlocks(sqliteSchema: string, pgSchema: string): string {
  const views = getSchema(pgSchema).list.filter((b): b is ViewBlock => b.type === "view");
  if (views.length === 0) return sqliteSchema;
  for (const v of views) {
    for (const f of fieldsOf(v as never)) f.attributes = f.attributes?.filter((a) => a.group !== "db");
  }
  const ast = getSchema(sqliteSchema);
  // Prisma's introspection writes no generator: the read-back client keeps a client generator's preview features.
  ensureGenerator(ast.list);
  declarePreviewFeature(ast.list, "views");
  // A view the user's SQLite schema models already is read through the converted schema's block (which maps to
  // the sample's table): theirs is replaced in the read-back's copy only.
  const names = new Set(views.map((v) => v.name));
  ast.list = ast.list.filter((b) => !(b.type === "view" && names.has(b.name)));
  ast.list.push(...views);
  return `${printSchema(ast).trim()}\n`;
}

export interface ViewInput {
  readonly info: ViewInfo;
  readonly sqliteDelegate: ModelDelegate | undefined;
  readonly pgDelegate: ModelDelegate | undefined;
  readonly sqliteFields: ReadonlyMap<string, string>;
  readonly pgFields: ReadonlyMap<string, string>;
  /** What the sample holds: the rows copied (the first in byte order) and the view's row count in the snapshot. */
  readonly sampled: { readonly rows: number; readonly total: number } | undefined;
  readonly sampleFailure: string | undefined;
  readonly maxDifferences: number;
  readonly firstLine: (err: unknown) => string;
}

/** Types whose values take an equality filter alike on both sides (Json, Bytes and Decimal are compared, not filtered). */
const FILTERABLE = new Set(["String", "Int", "BigInt", "Float", "Boolean", "DateTime"]);

export async function compareView(input: ViewInput): Promise<ReadBackModel> {
  const { info } = input;
  const base = { model: info.view, view: { total: 0 }, differences: [] as ReadBackDifference[], fieldsNotCompared: [] as { field: string; reason: string }[] };
  const notCompared = (reason: string): ReadBackModel => ({ ...base, status: "not-compared", rows: 0, reason });
  if (input.sampleFailure !== undefined) return notCompared(`its rows could not be copied from the snapshot: ${input.sampleFailure.slice(0, 300)}`);
  if (!input.sampled) return notCompared("not in the sample");
  if (!input.sqliteDelegate || !input.pgDelegate) return notCompared("no Prisma Client delegate");
  const comparisons = new Map<string, Extract<Comparison, { comparable: true }>>();
  for (const [field, pgType] of input.pgFields) {
    const sqliteType = input.sqliteFields.get(field);
    const c = sqliteType === undefined ? { comparable: false as const, reason: "not readable through Prisma (Unsupported)" } : comparisonFor({ sqlite: sqliteType, postgres: pgType });
    if (c.comparable) comparisons.set(field, c);
    else base.fieldsNotCompared.push({ field, reason: c.reason });
  }
  for (const field of info.columns.keys()) {
    if (!input.pgFields.has(field) && !base.fieldsNotCompared.some((f) => f.field === field)) base.fieldsNotCompared.push({ field, reason: "not readable through Prisma (Unsupported)" });
  }
  const total = input.sampled.total;
  if (comparisons.size === 0) return { ...notCompared("no field can be compared"), view: { total } };

  let sqliteRows: Record<string, unknown>[];
  try {
    sqliteRows = await input.sqliteDelegate.findMany({});
  } catch (err) {
    return { ...notCompared(`Prisma Client cannot read it from SQLite: ${input.firstLine(err)}`), fieldsNotCompared: base.fieldsNotCompared, view: { total } };
  }
  const filtered = [...comparisons].filter(([f]) => FILTERABLE.has(input.pgFields.get(f) ?? ""));
  const equal = (row: Record<string, unknown>) => ({ AND: filtered.map(([f, c]) => ({ [f]: row[f] === null || row[f] === undefined ? null : c.toTarget(row[f]) })) });
  let pgRows: Record<string, unknown>[];
  let pgTotal: number;
  try {
    const pg = input.pgDelegate as ModelDelegate & { count(args: Record<string, unknown>): Promise<number> };
    pgRows = sqliteRows.length === 0 ? [] : await pg.findMany(filtered.length > 0 ? { where: { OR: sqliteRows.map(equal) } } : {});
    pgTotal = await pg.count({});
  } catch (err) {
    return { ...base, view: { total }, status: "failed", rows: 0, reason: `Prisma Client cannot read it from PostgreSQL: ${input.firstLine(err)}` };
  }

  const add = (d: Omit<ReadBackDifference, "model">) => {
    if (base.differences.length < input.maxDifferences) base.differences.push({ model: info.view, ...d });
  };
  if (pgTotal !== total) add({ key: "(all rows)", field: "(row count)", sqlite: String(total), postgres: String(pgTotal) });
  const unused = new Set(pgRows.map((_, i) => i));
  let paired = 0;
  sqliteRows.forEach((row, i) => {
    const match = [...unused].find((j) => [...comparisons].every(([f, c]) => c.same(row[f], pgRows[j][f])));
    if (match === undefined) {
      add({ key: `row ${i + 1} in byte order`, field: "(row)", sqlite: describeRow(row, comparisons.keys()).slice(0, 300), postgres: "no equal row" });
      return;
    }
    unused.delete(match);
    paired++;
  });
  return { ...base, view: { total }, status: "compared", rows: paired };
}

function describeRow(row: Record<string, unknown>, fields: Iterable<string>): string {
  return [...fields].map((f) => `${f}=${excerpt(row[f], 40)}`).join(", ");
}
