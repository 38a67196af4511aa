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
import { type Block, type Field } from "@mrleebo/prisma-ast";
import { blockAttributes, columnNameOf, fieldsOf, firstPositional, unquote, parseSchema, printSchema } from "../../convert/ast.js";
import { declarePreviewFeature, ensureGenerator } from "../../convert/datasource.js";
import type { ModelDelegate } from "./client.js";
import { comparisonFor, excerpt, sameOutsideInvalidBytes, type Comparison } from "./compare.js";
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
  return parseSchema(schema)
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
  const views = parseSchema(pgSchema).list.filter((b): b is ViewBlock => b.type === "view");
  if (views.length === 0) return sqliteSchema;
  for (const v of views) {
    for (const f of fieldsOf(v as never)) f.attributes = f.attributes?.filter((a) => a.group !== "db");
  }
  const ast = parseSchema(sqliteSchema);
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
  /** Some column was decoded with --decode-fallback: SQLite's client reads its invalid bytes as U+FFFD. */
  readonly decoded?: boolean;
  /** Some table's rows were left out or cleared on purpose (rejects, --orphans): a view over them differs accordingly. */
  readonly rowsChanged?: boolean;
  readonly maxDifferences: number;
  readonly firstLine: (err: unknown) => string;
}

/**
 * Types whose values take an equality filter alike on both sides. Json, Bytes, Decimal and Float are compared, not
 * filtered: a computed Float may differ in its last digits (below), which an equality filter would not find.
 */
const FILTERABLE = new Set(["String", "Int", "BigInt", "Boolean", "DateTime"]);

/**
 * A view computes on PostgreSQL's types: `price * qty` over numeric columns is exact there and a double in SQLite
 * (1444.8 vs 1444.8000000000002). Numbers that agree to 12 significant digits are paired and counted in a note.
 */
function closeNumbers(s: unknown, p: unknown): boolean {
  const [a, b] = [Number(s?.toString()), Number(p?.toString())];
  if (s === null || p === null || !Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

/** Rows read from PostgreSQL when some sampled row has no field to filter on (the view is read from its start). */
const UNFILTERED_CAP = 10_000;

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
  // Text SQLite's client read as U+FFFD (invalid bytes, decoded in PostgreSQL) cannot be filtered on: paired below.
  const unfilterable = (v: unknown) => input.decoded === true && typeof v === "string" && v.includes("\uFFFD");
  const decimals = [...comparisons].filter(([f]) => input.pgFields.get(f) === "Decimal");
  const condition = ([f, c]: [string, Extract<Comparison, { comparable: true }>], row: Record<string, unknown>) => ({ [f]: row[f] === null || row[f] === undefined ? null : c.toTarget(row[f]) });
  // A row with nothing else to filter on is looked for by its decimals; with none, every row is read (capped).
  let unfiltered = false;
  const equal = (row: Record<string, unknown>) => {
    const usable = filtered.filter(([f]) => !unfilterable(row[f]));
    const fields = usable.length > 0 ? usable : decimals;
    if (fields.length === 0) unfiltered = true;
    return { AND: fields.map((fc) => condition(fc, row)) };
  };
  const numeric = new Set([...comparisons.keys()].filter((f) => ["Float", "Decimal"].includes(input.pgFields.get(f) ?? "")));
  let rounded = 0;
  const same = (f: string, c: Extract<Comparison, { comparable: true }>, s: unknown, p: unknown) =>
    c.same(s, p) || (unfilterable(s) && sameOutsideInvalidBytes(s, p)) || (numeric.has(f) && closeNumbers(s, p));
  let pgRows: Record<string, unknown>[];
  let pgTotal: number;
  try {
    const pg = input.pgDelegate as ModelDelegate & { count(args: Record<string, unknown>): Promise<number> };
    const where = { OR: sqliteRows.map(equal) };
    pgRows = sqliteRows.length === 0 ? [] : await pg.findMany(unfiltered ? { take: UNFILTERED_CAP } : { where });
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
    const match = [...unused].find((j) => [...comparisons].every(([f, c]) => same(f, c, row[f], pgRows[j][f])));
    if (match === undefined) {
      add({ key: `row ${i + 1} in byte order`, field: "(row)", sqlite: describeRow(row, comparisons.keys()).slice(0, 300), postgres: "no equal row" });
      return;
    }
    unused.delete(match);
    paired++;
    if ([...numeric].some((f) => !comparisons.get(f)!.same(row[f], pgRows[match][f]))) rounded++;
  });
  if (base.differences.length > 0 && input.rowsChanged === true) {
    // Which tables a view reads is not known here: its differences may be the rows the user chose to leave out.
    return { ...notCompared(`rows of the migrated tables were left out or cleared on purpose (rejects, --orphans), so the view's rows differ accordingly (${base.differences.length} difference(s) not counted)`), view: { total }, fieldsNotCompared: base.fieldsNotCompared };
  }
  const notes = rounded === 0 ? [] : [`${info.view}: ${rounded} row(s) whose computed numbers differ beyond the 12th significant digit (PostgreSQL computes the view in its column types, e.g. exact numeric, SQLite in floating point)`];
  return { ...base, view: { total }, status: "compared", rows: paired, ...(notes.length > 0 ? { notes } : {}) };
}

function describeRow(row: Record<string, unknown>, fields: Iterable<string>): string {
  return [...fields].map((f) => `${f}=${excerpt(row[f], 40)}`).join(", ");
}
