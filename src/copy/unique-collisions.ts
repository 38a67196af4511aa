/**
 * Uniqueness broken by conversion: SQLite keeps `1` and `'1'` apart in one UNIQUE column (different storage
 * classes), and `'2024-01-01 10:00:00+02:00'` and `'2024-01-01 08:00:00Z'` apart as text; converted, each pair is
 * one value, and PostgreSQL refuses the unique index (23505) after the rows are loaded — inside the transaction,
 * so nothing is committed. This names the SQLite rows that collide, for every unique index and the primary key
 * of the table, so the user sees them all at once instead of PostgreSQL's first duplicate.
 *
 * Two values collide when the copy spells them with the same COPY text (the encoder decides what PostgreSQL
 * stores) while SQLite held different values (different storage class or bytes); in a citext column, when the
 * spellings are equal once lower-cased.
 */
import type { TablePlan } from "../convert/convert.js";
import { quoteIdent } from "../core/quote.js";
import { type SqliteDb } from "../db/sqlite-source.js";
import { rowidAlias, type SqliteTable } from "../core/catalog.js";
import { makeFieldEncoder } from "../values/encode.js";
import { excerptOf } from "../values/copy-text.js";
import type { DataProblem } from "../core/problems.js";

/** Column sets that must be unique in PostgreSQL: the primary key and every full, column-only unique index. */
function uniqueColumnSets(table: SqliteTable, plan: TablePlan): { name: string; columns: string[] }[] {
  const planned = new Set(plan.columns.map((c) => c.name));
  const sets: { name: string; columns: string[] }[] = [];
  if (plan.keyColumns.length > 0) sets.push({ name: "the primary key", columns: [...plan.keyColumns] });
  for (const ix of table.indexes) {
    if (!ix.unique || ix.partial || ix.origin === "pk" || ix.columns.some((c) => c === null || !planned.has(c))) continue;
    // sqlite_autoindex_* names are SQLite's own (a UNIQUE constraint); PostgreSQL's index gets another name.
    sets.push({ name: ix.origin === "u" ? `UNIQUE (${ix.columns.join(", ")})` : `unique index ${ix.name}`, columns: ix.columns as string[] });
  }
  return sets;
}

const MAX_PER_TABLE = 200;

/** Rows of `table` whose converted values collide in a unique column set; empty when conversion keeps them apart. */
export function findUniqueCollisions(source: SqliteDb, table: SqliteTable, plan: TablePlan): DataProblem[] {
  const problems: DataProblem[] = [];
  const rowid = rowidAlias(table);
  const byName = new Map(plan.columns.map((c) => [c.name, c]));
  for (const set of uniqueColumnSets(table, plan)) {
    const encoders = set.columns.map((c) => {
      const col = byName.get(c)!;
      const encode = makeFieldEncoder(col.kind, { epochUnit: col.epochUnit });
      // citext's unique index compares lower() of each value (https://www.postgresql.org/docs/current/citext.html),
      // every letter folded, where SQLite's NOCASE folded only A–Z: 'É' and 'é' were two values, now they are one.
      return col.nocase === "citext" ? (v: unknown) => encode(v).toLowerCase() : encode;
    });
    const keyCols = plan.keyColumns.length > 0 ? plan.keyColumns : [];
    const select = [...set.columns.map(quoteIdent), ...(rowid ? [rowid] : []), ...keyCols.map(quoteIdent)];
    const order = rowid ? rowid : keyCols.map(quoteIdent).join(", ");
    // In key order, so the row named is the later one of each pair.
    const stmt = source.prepare(`SELECT ${select.join(", ")} FROM ${quoteIdent(plan.name)}${order ? ` ORDER BY ${order}` : ""}`).raw(true);
    const seen = new Map<string, { key: string; values: unknown[] }>();
    for (const row of stmt.iterate() as IterableIterator<unknown[]>) {
      const values = row.slice(0, set.columns.length);
      // NULLs never collide in a unique index (https://www.postgresql.org/docs/current/indexes-unique.html).
      if (values.some((v) => v === null)) continue;
      let spelled: string;
      try {
        spelled = values.map((v, i) => encoders[i](v)).join("\t");
      } catch {
        continue; // a value that does not convert is reported by the copy itself
      }
      const key = keyCols.length > 0 ? row.slice(row.length - keyCols.length).map(String).join(", ") : `rowid ${row[set.columns.length]}`;
      const first = seen.get(spelled);
      if (!first) {
        seen.set(spelled, { key, values });
        continue;
      }
      problems.push({
        kind: "unique",
        table: plan.name,
        column: set.columns.join(", "),
        key,
        reason: `converts to the same value as row [${first.key}] (${first.values.map(excerptOf).join(", ")} and ${values.map(excerptOf).join(", ")} differ in SQLite, not in PostgreSQL): ${set.name} would be violated`,
      });
      if (problems.length >= MAX_PER_TABLE) return problems;
    }
  }
  return problems;
}
