/**
 * What `sync` remembers between runs, in PostgreSQL, in a schema of its own (`sqlite2pg_sync`), outside the
 * app's Prisma schema: Prisma's migrations and the drift check look at the app's schema only, so these tables
 * are never part of a migration (README "Cutover with sync"). One row per migrated PostgreSQL schema:
 *
 * - `targets`: the baseline the state belongs to (the checksum of migrations/0_init), the SQLite schema it was
 *   taken from (fingerprint.ts), the table plans the copy encoded with (so every run converts values exactly as
 *   `migrate` did), the --tables/--exclude filter and the --decode-fallback encoding.
 * - `tables`: per table, how it is cut (key ranges or whole), its row count in PostgreSQL, and the transaction
 *   ids that wrote its rows (`xmin`, https://www.postgresql.org/docs/current/ddl-system-columns.html): a row
 *   whose xmin is not one of them was written by someone else (target-guard.ts).
 * - `ranges`: per table, each range's lower bound, row count and the digest of its SQLite rows (source-digest.ts),
 *   and its row set: the rows' keys (order-preserving bytes, values/row-hash.ts KeyWriter) and 8 bytes of digest
 *   per row, two bytea values read only for a range that changed (which rows did).
 *
 * `targets.format` is the version of this layout and of the digests; a state of another format is not read
 * (sync refuses: migrate again), and migrate replaces it.
 */
import type { TablePlan } from "../convert/convert.js";
import type { PgClient } from "../db/pg-client.js";
import { quoteIdent } from "../core/quote.js";
import { Sqlite2pgError } from "../core/errors.js";
import type { TableFilter } from "../introspect/table-filter.js";
import type { SourceObject } from "./fingerprint.js";
import type { Bound, Strategy } from "./keys.js";
import type { RowSet } from "./source-digest.js";

export const SYNC_SCHEMA = "sqlite2pg_sync";

const T = (name: string): string => `${quoteIdent(SYNC_SCHEMA)}.${quoteIdent(name)}`;

/** The layout of the state and the digests in it (see above). */
export const STATE_FORMAT = 2;

export interface RangeState {
  /** null: from the smallest key. */
  readonly lo: Bound | null;
  readonly rows: number;
  readonly digest: string;
  /** Where it is stored (read from the state): an unchanged range keeps its stored row digests. */
  readonly ord?: number;
  /** The range's rows, to store with it (a new or changed range of a ranged table). */
  readonly rowSet?: RowSet;
}

export interface TableState {
  readonly table: string;
  readonly strategy: Strategy;
  readonly rows: number;
  readonly xids: readonly string[];
  readonly ranges: readonly RangeState[];
}

/** What PostgreSQL held after the last migrate or sync: the target's record, its passes and each table's state. */
export interface SyncState extends TargetRecord {
  readonly passes: number;
  readonly tables: ReadonlyMap<string, TableState>;
}

const DDL = [
  `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(SYNC_SCHEMA)}`,
  `CREATE TABLE IF NOT EXISTS ${T("targets")} (
    pg_schema text PRIMARY KEY,
    baseline_checksum text NOT NULL,
    source jsonb NOT NULL,
    plans jsonb NOT NULL,
    filter jsonb,
    decode_fallback text,
    unavailable text,
    passes integer NOT NULL DEFAULT 0,
    format integer NOT NULL DEFAULT 1,
    recorded_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE IF NOT EXISTS ${T("tables")} (
    pg_schema text NOT NULL REFERENCES ${T("targets")} ON DELETE CASCADE,
    table_name text NOT NULL,
    strategy text NOT NULL,
    total_rows bigint NOT NULL,
    xids bigint[] NOT NULL,
    PRIMARY KEY (pg_schema, table_name)
  )`,
  `CREATE TABLE IF NOT EXISTS ${T("ranges")} (
    pg_schema text NOT NULL,
    table_name text NOT NULL,
    ord integer NOT NULL,
    lo jsonb,
    rows bigint NOT NULL,
    digest text NOT NULL,
    row_keys bytea,
    row_digests bytea,
    PRIMARY KEY (pg_schema, table_name, ord),
    FOREIGN KEY (pg_schema, table_name) REFERENCES ${T("tables")} ON DELETE CASCADE
  )`,
  // Row sets stored as they are (no pglz compression: the digests do not compress, compressing the keys cost
  // more than the bytes saved), https://www.postgresql.org/docs/current/storage-toast.html.
  `ALTER TABLE ${T("ranges")} ALTER COLUMN row_keys SET STORAGE EXTERNAL, ALTER COLUMN row_digests SET STORAGE EXTERNAL`,
];

/** JSON with bigints (TablePlan.sequenceFloor) as tagged strings. */
function plansJson(plans: readonly TablePlan[]): string {
  return JSON.stringify(plans, (_k, v: unknown) => (typeof v === "bigint" ? { $bigint: v.toString() } : v));
}

function revivePlans(json: unknown): TablePlan[] {
  return JSON.parse(JSON.stringify(json), (_k, v: unknown) =>
    v !== null && typeof v === "object" && "$bigint" in (v as object) ? BigInt((v as { $bigint: string }).$bigint) : v,
  ) as TablePlan[];
}

/** The state of `pgSchema`, or null when none was recorded (the state schema may not exist). */
export async function readState(client: PgClient, pgSchema: string): Promise<SyncState | null> {
  const { rows: exists } = await client.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [T("ranges")]);
  if (!exists[0]?.ok) return null;
  const format = (await hasFormat(client)) ? "format" : "1";
  const { rows } = await client.query<{ baseline_checksum: string; source: SourceObject[]; plans: unknown; filter: TableFilter | null; decode_fallback: string | null; unavailable: string | null; passes: number; format: number }>(
    `SELECT baseline_checksum, source, plans, filter, decode_fallback, unavailable, passes, ${format} AS format FROM ${T("targets")} WHERE pg_schema = $1`,
    [pgSchema],
  );
  const t = rows[0];
  if (!t) return null;
  if (t.format !== STATE_FORMAT) {
    throw new Sqlite2pgError(`the sync state of schema "${pgSchema}" was recorded by another version of sqlite2pg (state format ${t.format}, this version reads ${STATE_FORMAT})`, {
      code: "SYNC_STATE_FORMAT",
      kind: "target",
      stage: "sync",
      hint: "run `sqlite2pg migrate --sync-state` again into an empty database (it records the state in this version's format)",
    });
  }
  const { rows: tableRows } = await client.query<{ table_name: string; strategy: Strategy; total_rows: string; xids: string[] }>(
    `SELECT table_name, strategy, total_rows::text, xids::text[] AS xids FROM ${T("tables")} WHERE pg_schema = $1`,
    [pgSchema],
  );
  const { rows: rangeRows } = await client.query<{ table_name: string; ord: number; lo: Bound | null; rows: string; digest: string }>(
    `SELECT table_name, ord, lo, rows::text, digest FROM ${T("ranges")} WHERE pg_schema = $1 ORDER BY table_name, ord`,
    [pgSchema],
  );
  const ranges = new Map<string, RangeState[]>();
  for (const r of rangeRows) {
    const list = ranges.get(r.table_name) ?? [];
    list.push({ lo: r.lo, rows: Number(r.rows), digest: r.digest, ord: r.ord });
    ranges.set(r.table_name, list);
  }
  return {
    pgSchema,
    baselineChecksum: t.baseline_checksum,
    source: t.source,
    plans: revivePlans(t.plans),
    ...(t.filter ? { filter: t.filter } : {}),
    ...(t.decode_fallback ? { decodeFallback: t.decode_fallback } : {}),
    ...(t.unavailable ? { unavailable: t.unavailable } : {}),
    passes: t.passes,
    tables: new Map(
      tableRows.map((r) => [r.table_name, { table: r.table_name, strategy: r.strategy, rows: Number(r.total_rows), xids: r.xids, ranges: ranges.get(r.table_name) ?? [] }]),
    ),
  };
}

export interface TargetRecord {
  readonly pgSchema: string;
  readonly baselineChecksum: string;
  readonly source: readonly SourceObject[];
  readonly plans: readonly TablePlan[];
  readonly filter?: TableFilter;
  readonly decodeFallback?: string;
  /** Why this target cannot be synced (e.g. migrate left rows out on purpose); absent when it can. */
  readonly unavailable?: string;
}

/** Replace the whole state of a schema (after `migrate`; its tables follow with writeTable), inside the caller's transaction. */
export async function writeTarget(client: PgClient, target: TargetRecord): Promise<void> {
  // A state schema of the first layout (no format column) cannot hold this one's row sets: replaced.
  const { rows: old } = await client.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [T("targets")]);
  if (old[0]?.ok && !(await hasFormat(client))) await client.query(`DROP TABLE IF EXISTS ${T("ranges")}, ${T("tables")}, ${T("targets")}`);
  for (const sql of DDL) await client.query(sql);
  await client.query(`DELETE FROM ${T("targets")} WHERE pg_schema = $1`, [target.pgSchema]);
  await client.query(
    `INSERT INTO ${T("targets")} (pg_schema, baseline_checksum, source, plans, filter, decode_fallback, unavailable, format) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6, $7, $8)`,
    [
      target.pgSchema,
      target.baselineChecksum,
      JSON.stringify(target.source),
      plansJson(target.plans),
      target.filter ? JSON.stringify(target.filter) : null,
      target.decodeFallback ?? null,
      target.unavailable ?? null,
      STATE_FORMAT,
    ],
  );
}

/** Does the state's `targets` table have its `format` column (absent in the first layout)? */
async function hasFormat(client: PgClient): Promise<boolean> {
  const { rows } = await client.query<{ ok: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass($1) AND attname = 'format' AND NOT attisdropped) AS ok",
    [T("targets")],
  );
  return rows[0]?.ok === true;
}

/** Record why the target cannot be synced (found while its tables were recorded). */
export async function markUnavailable(client: PgClient, pgSchema: string, why: string): Promise<void> {
  await client.query(`UPDATE ${T("targets")} SET unavailable = $2 WHERE pg_schema = $1`, [pgSchema, why]);
}

/** The row sets stored with these ranges (by ord); a range without (of a table synced whole) is absent. */
export async function readRowSets(client: PgClient, pgSchema: string, table: string, ords: readonly number[]): Promise<Map<number, RowSet>> {
  const { rows } = await client.query<{ ord: number; rows: string; row_keys: Buffer | null; row_digests: Buffer | null }>(
    `SELECT ord, rows::text, row_keys, row_digests FROM ${T("ranges")} WHERE pg_schema = $1 AND table_name = $2 AND ord = ANY($3::int[])`,
    [pgSchema, table, ords],
  );
  return new Map(rows.filter((r) => r.row_keys && r.row_digests).map((r) => [r.ord, { rows: Number(r.rows), keys: r.row_keys!, digests: r.row_digests! }]));
}

/**
 * Replace one table's state, inside the caller's transaction. Ranges read from the state and unchanged (`ord`
 * set, no `rowSet`) keep their stored row sets and are only renumbered; the others are written anew.
 */
export async function writeTable(client: PgClient, pgSchema: string, t: TableState): Promise<void> {
  await writeTableRecord(client, pgSchema, t);
  await writeRanges(client, pgSchema, t);
}

/** A table's own row of the state (strategy, rows, transaction ids), inside the caller's transaction. */
export async function writeTableRecord(client: PgClient, pgSchema: string, t: Omit<TableState, "ranges">): Promise<void> {
  await client.query(
    `INSERT INTO ${T("tables")} (pg_schema, table_name, strategy, total_rows, xids) VALUES ($1, $2, $3, $4, $5::bigint[])
     ON CONFLICT (pg_schema, table_name) DO UPDATE SET strategy = excluded.strategy, total_rows = excluded.total_rows, xids = excluded.xids`,
    [pgSchema, t.table, t.strategy, t.rows, t.xids],
  );
}

/** A table's ranges (its row in `tables` exists); see writeTable. */
export async function writeRanges(client: PgClient, pgSchema: string, t: Pick<TableState, "table" | "ranges">): Promise<void> {
  const key = [pgSchema, t.table];
  const kept = t.ranges.map((r, i) => ({ r, i })).filter(({ r }) => r.ord !== undefined && r.rowSet === undefined);
  // Out of the way of the new numbers first (the primary key holds at every statement), then renumbered.
  await client.query(`UPDATE ${T("ranges")} SET ord = -1 - ord WHERE pg_schema = $1 AND table_name = $2`, key);
  await client.query(`DELETE FROM ${T("ranges")} WHERE pg_schema = $1 AND table_name = $2 AND NOT (-1 - ord = ANY($3::int[]))`, [...key, kept.map(({ r }) => r.ord)]);
  await client.query(
    `UPDATE ${T("ranges")} AS r SET ord = m.ord FROM unnest($3::int[], $4::int[]) AS m(old, ord) WHERE r.pg_schema = $1 AND r.table_name = $2 AND r.ord = -1 - m.old`,
    [...key, kept.map(({ r }) => r.ord), kept.map(({ i }) => i)],
  );
  const fresh = t.ranges.map((r, i) => ({ r, i })).filter(({ r }) => !(r.ord !== undefined && r.rowSet === undefined));
  await insertRanges(client, pgSchema, t.table, fresh.map(({ r, i }) => ({ ord: i, range: r })));
}

/** Insert ranges of a table (its `tables` row exists). */
export async function insertRanges(client: PgClient, pgSchema: string, table: string, fresh: readonly { readonly ord: number; readonly range: RangeState }[]): Promise<void> {
  // In slices: a range's row set is ~32 KB; one statement for a table of millions of rows would hold them all.
  // One parameter per value: node-postgres sends a Buffer as binary, where an array of them would be hex text.
  for (let b = 0; b < fresh.length; b += WRITE_SLICE) {
    const slice = fresh.slice(b, b + WRITE_SLICE);
    // Each parameter typed where it stands: a bytea parameter must be known as bytea to be read as binary.
    const types = ["int", "jsonb", "bigint", "text", "bytea", "bytea"];
    const tuples = slice.map((_x, i) => `($1, $2, ${types.map((t, k) => `$${3 + 6 * i + k}::${t}`).join(", ")})`);
    await client.query(
      `INSERT INTO ${T("ranges")} (pg_schema, table_name, ord, lo, rows, digest, row_keys, row_digests) VALUES ${tuples.join(", ")}`,
      [
        pgSchema,
        table,
        ...slice.flatMap(({ ord, range: r }) => [ord, r.lo === null ? null : JSON.stringify(r.lo), r.rows, r.digest, r.rowSet?.keys ?? null, r.rowSet?.digests ?? null]),
      ],
    );
  }
}

const WRITE_SLICE = 32;

/** A table's row count, once its ranges are recorded. */
export async function setTableRows(client: PgClient, pgSchema: string, table: string, rows: number): Promise<void> {
  await client.query(`UPDATE ${T("tables")} SET total_rows = $3 WHERE pg_schema = $1 AND table_name = $2`, [pgSchema, table, rows]);
}

/** One more pass recorded. */
export async function countPass(client: PgClient, pgSchema: string): Promise<void> {
  await client.query(`UPDATE ${T("targets")} SET passes = passes + 1, recorded_at = now() WHERE pg_schema = $1`, [pgSchema]);
}
