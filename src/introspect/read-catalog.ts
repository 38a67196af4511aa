import { sourceReadError, type SqliteDb } from "../db/sqlite-source.js";
import { readIndexKeys } from "./index-keys.js";
import Database from "better-sqlite3";
import { Sqlite2pgError } from "../core/errors.js";
import { quoteIdent } from "../core/quote.js";
import { classifySourceTables, shadowTableNames } from "./source-tables.js";
import { describeVirtualTables } from "./virtual-tables.js";
import { unpreparableViews } from "./unpreparable-views.js";
import { type SqliteColumn, type SqliteIndex, type SqliteForeignKey, type SqliteTable, type SqliteCatalog, isInternalTable } from "../core/catalog.js";

/**
 * A NUL character cannot be written in SQL at all (quote.ts refuses it). Names containing `"`, empty ones and the
 * like are handled by the introspection (introspect/clone-names.ts) and the converter (convert/pg-names.ts).
 */
export function assertQuotableIdentifiers(tables: readonly SqliteTable[]): void {
  const bad: string[] = [];
  const check = (what: string, name: string | null | undefined): void => {
    if (name && name.includes("\u0000")) bad.push(`${what} ${JSON.stringify(name)}`);
  };
  for (const t of tables) {
    check("table", t.name);
    for (const c of t.columns) check(`column of ${JSON.stringify(t.name)}`, c.name);
    for (const ix of t.indexes) {
      check(`index on ${JSON.stringify(t.name)}`, ix.name);
      for (const c of ix.columns) check(`index column on ${JSON.stringify(t.name)}`, c);
    }
    for (const fk of t.foreignKeys) check(`foreign key target of ${JSON.stringify(t.name)}`, fk.table);
  }
  if (bad.length === 0) return;
  throw new Sqlite2pgError(`unsupported identifier(s) containing a NUL character: ${bad.join("; ")}`, {
    code: "SOURCE_IDENTIFIER",
    kind: "source",
    stage: "introspect",
    object: { table: tables.find((t) => bad.some((b) => b.includes(JSON.stringify(t.name))))?.name },
    hint: "SQL cannot spell such a name; rename it in SQLite (ALTER TABLE … RENAME …) and run again. Nothing was changed",
  });
}

export interface XInfoRow { name: string; type: string; notnull: bigint; dflt_value: string | null; pk: bigint; hidden: bigint }

export interface IndexListRow { name: string; unique: bigint; origin: string; partial: bigint }


export interface FkRow { id: bigint; seq: bigint; table: string; from: string; to: string | null; on_update: string; on_delete: string }

export const SIZE_SAMPLE_ROWS = 256;

/**
 * The table's size from its first rows: the row count alone misleads a scheduler (the benchmark's 200k posts of
 * ~1.7 KB outweigh its 1M comments of ~280 bytes). A sample costs a few page reads; dbstat
 * (https://sqlite.org/dbstat.html) would be exact but reads every page of the file.
 */
export function estimateBytes(db: SqliteDb, table: string, columns: readonly SqliteColumn[], rowCount: number): number | undefined {
  // Named, not `*`: an FTS table's stand-in has a rowid key column that `SELECT *` on the virtual table omits.
  const stored = columns.filter((c) => c.hidden === 0);
  if (rowCount === 0 || stored.length === 0) return 0;
  const size = stored.map((c) => `coalesce(length(CAST(${quoteIdent(c.name)} AS BLOB)), 0)`).join(" + ");
  try {
    const { n, bytes } = db.prepare(`SELECT count(*) AS n, sum(${size}) AS bytes FROM (SELECT ${stored.map((c) => quoteIdent(c.name)).join(", ")} FROM ${table} LIMIT ${SIZE_SAMPLE_ROWS})`).get() as {
      n: bigint;
      bytes: bigint | null;
    };
    return n === 0n ? 0 : Math.round((Number(bytes ?? 0n) / Number(n)) * rowCount);
  } catch {
    // A damaged page among the sampled rows: no estimate. Reading the rows (profile, copy) reports the damage
    // with the table it is in; a scheduling hint must not change what fails where.
    return undefined;
  }
}

/** Read every table's catalog facts (the ones Prisma's introspection drops included). */
export function readCatalog(db: SqliteDb): SqliteCatalog {
  let catalog: SqliteCatalog;
  try {
    catalog = readCatalogUnchecked(db);
  } catch (cause) {
    throw sourceReadError(db.name, cause);
  }
  assertQuotableIdentifiers(catalog.tables);
  return catalog;
}

export function readCatalogUnchecked(db: SqliteDb): SqliteCatalog {
  const schemaRows = db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY rowid")
    .all() as { type: string; name: string; tbl_name: string; sql: string | null }[];
  const hasSequence = schemaRows.some((r) => r.type === "table" && r.name === "sqlite_sequence");
  const sequences = new Map<string, bigint>();
  if (hasSequence) {
    for (const r of db.prepare("SELECT name, seq FROM sqlite_sequence").all() as { name: string; seq: bigint }[]) {
      sequences.set(r.name, BigInt(r.seq));
    }
  }
  const indexSql = new Map(schemaRows.filter((r) => r.type === "index").map((r) => [r.name, r.sql]));
  // Shadow tables are a virtual table's private structures, never tables of their own; FTS and R-tree tables
  // take part as the plain table that stands in for them (their PRAGMAs are read from that table's definition).
  const sourceTables = classifySourceTables(schemaRows.filter((r) => r.type === "table"), shadowTableNames(db));
  const kindOf = new Map(sourceTables.map((e) => [e.name, e.kind]));
  const virtualTables = describeVirtualTables(db, sourceTables, (name) => schemaRows.find((r) => r.type === "table" && r.name === name)?.sql ?? "",
    (name) => schemaRows.find((r) => (r.type === "table" || r.type === "view") && r.name.toLowerCase() === name.toLowerCase())?.type,
  );
  const standIns = new Map(virtualTables.filter((v) => v.plainSql !== undefined).map((v) => [v.name, v]));
  const plainDefs = standIns.size > 0 ? new Database(":memory:") : undefined;
  for (const v of standIns.values()) plainDefs!.exec(v.plainSql!);

  const tableNames = new Set(schemaRows.filter((r) => r.type === "table").map((r) => r.name.toLowerCase()));
  const tables: SqliteTable[] = [];
  for (const row of schemaRows) {
    if (row.type !== "table" || isInternalTable(row.name) || row.sql === null) continue;
    if (kindOf.get(row.name) === "shadow") continue;
    const standIn = standIns.get(row.name);
    if (/^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(row.sql) && !standIn) continue;
    const q = quoteIdent(row.name);
    const pragmas = standIn ? plainDefs! : db;
    const columns = (pragmas.prepare(`PRAGMA table_xinfo(${q})`).all() as XInfoRow[]).map(
      (c): SqliteColumn => ({
        name: c.name,
        declaredType: c.type ?? "",
        notNull: Number(c.notnull) === 1,
        defaultSql: c.dflt_value,
        pkOrder: Number(c.pk),
        hidden: Number(c.hidden),
      }),
    );
    const indexes = (pragmas.prepare(`PRAGMA index_list(${q})`).all() as IndexListRow[]).map((ix): SqliteIndex => {
      const cols = readIndexKeys(pragmas, ix.name).map((c) => (c.cid === -2 ? null : c.name));
      return {
        name: ix.name,
        unique: Number(ix.unique) === 1,
        origin: ix.origin,
        partial: Number(ix.partial) === 1,
        columns: cols,
        sql: indexSql.get(ix.name) ?? null,
      };
    });
    const fkRows = pragmas.prepare(`PRAGMA foreign_key_list(${q})`).all() as FkRow[];
    const fkById = new Map<number, SqliteForeignKey & { from: string[]; to: (string | null)[] }>();
    for (const fk of fkRows) {
      const id = Number(fk.id);
      let entry = fkById.get(id);
      if (!entry) {
        entry = { id, table: fk.table, from: [], to: [], onUpdate: fk.on_update, onDelete: fk.on_delete };
        fkById.set(id, entry);
      }
      entry.from.push(fk.from);
      entry.to.push(fk.to);
    }
    const foreignKeys = [...fkById.values()].filter((fk) => tableNames.has(fk.table.toLowerCase()));
    const danglingForeignKeys = [...fkById.values()].filter((fk) => !tableNames.has(fk.table.toLowerCase()));
    const rowCount = Number((db.prepare(`SELECT count(*) AS n FROM ${q}`).get() as { n: bigint }).n);
    const estimatedBytes = estimateBytes(db, q, columns, rowCount);
    const sql = standIn?.plainSql ?? row.sql;
    tables.push({
      name: row.name,
      sql,
      columns,
      indexes,
      foreignKeys,
      ...(danglingForeignKeys.length > 0 ? { danglingForeignKeys } : {}),
      withoutRowid: /\)\s*WITHOUT\s+ROWID\s*;?\s*$/i.test(sql),
      autoincrement: /\bAUTOINCREMENT\b/i.test(sql),
      sequence: sequences.get(row.name) ?? null,
      rowCount,
      estimatedBytes,
      ...(standIn ? { virtual: { module: standIn.module, sql: row.sql } } : {}),
    });
  }
  plainDefs?.close();
  const viewErrors = unpreparableViews(db, schemaRows.filter((r) => r.type === "view").map((r) => r.name));
  return {
    tables,
    views: schemaRows
      .filter((r) => r.type === "view")
      .map((r) => {
        const error = viewErrors.get(r.name);
        return { name: r.name, sql: r.sql ?? "", ...(error === undefined ? {} : { error }) };
      }),
    virtualTables,
    triggers: schemaRows
      .filter((r) => r.type === "trigger")
      .map((r) => ({ name: r.name, table: r.tbl_name, sql: r.sql ?? "" })),
  };
}
