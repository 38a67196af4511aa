/** Generated columns: STORED in PostgreSQL (15 has no virtual ones) when the expression is portable. Pure. */
import { quoteIdent } from "../../core/quote.js";
import { parseDeclaredType } from "../affinity.js";
import type { Decision } from "../../core/decisions.js";
import { fitIdentifier } from "../identifiers.js";
import { render, translate, type ColumnKind } from "../sql/index.js";
import { familyOf } from "../type-map.js";
import { oneLine, scopeFor, type TableCtx } from "./context.js";

function generatedType(declared: string): { sql: string; kind: ColumnKind } | undefined {
  const family = familyOf(declared);
  switch (family) {
    case "smallint":
    case "integer":
    case "bigint":
      return { sql: "BIGINT", kind: "bigint" };
    case "float":
      return { sql: "DOUBLE PRECISION", kind: "float" };
    case "decimal": {
      const [p, s = 0] = parseDeclaredType(declared).params;
      const valid = p !== undefined && Number.isInteger(p) && Number.isInteger(s) && p >= 1 && p <= 1000 && s >= 0 && s <= p;
      return { sql: valid ? `NUMERIC(${p},${s})` : "NUMERIC", kind: "decimal" };
    }
    case "varchar":
    case "char":
    case "text":
      return { sql: "TEXT", kind: "text" };
    case "boolean":
      return { sql: "BOOLEAN", kind: "boolean" };
    default:
      return undefined;
  }
}

export function generatedColumns(ctx: TableCtx, out: string[], decisions: Decision[], storedNotComputable: { table: string; column: string }[]): void {
  const scope = scopeFor(ctx); // base columns only: PostgreSQL forbids generated columns referring to each other
  for (const column of ctx.table.columns) {
    if (column.hidden !== 2 && column.hidden !== 3) continue;
    const kindWord = column.hidden === 2 ? "VIRTUAL" : "STORED";
    const parsed = ctx.parsed?.columns.find((c) => c.name.toLowerCase() === column.name.toLowerCase())?.generated;
    const sqliteText = parsed ? `${column.name} ${column.declaredType} GENERATED ALWAYS AS (${oneLine(render(parsed.expr))}) ${kindWord}` : undefined;
    const type = generatedType(column.declaredType);
    const tr = parsed && type ? translate(parsed.expr, scope) : undefined;
    // Why PostgreSQL cannot compute it, or undefined when it can.
    const why = !parsed
      ? "its expression could not be read from CREATE TABLE"
      : !type
        ? `declared type "${column.declaredType}" has no safe PostgreSQL equivalent for a generated value`
        : !tr!.ok
          ? `expression not portable (${tr!.reason})`
          : undefined;
    const report = (message: string): void => {
      decisions.push({ table: ctx.table.name, column: column.name, code: "generated", message });
    };
    const notMigrated = (reason: string): void =>
      report(`generated column (${kindWord}) not migrated: ${reason}${sqliteText ? `; SQLite: ${sqliteText}` : ""}`);
    if (ctx.columns.has(column.name)) {
      // A STORED column PostgreSQL cannot compute was added to the schema (kept-generated.ts): its values are copied.
      if (column.hidden === 3 && why !== undefined) {
        report(
          `stored generated column kept as an ordinary column holding the values SQLite stored: PostgreSQL cannot compute it (${why}); ` +
            `the application now has to write it${sqliteText ? `; SQLite: ${sqliteText}` : ""}`,
        );
      } else notMigrated("Prisma created it as an ordinary column");
      continue;
    }
    if (why !== undefined || !tr?.ok || !type) {
      if (column.hidden === 3) storedNotComputable.push({ table: ctx.table.name, column: column.name });
      notMigrated(why ?? "no PostgreSQL expression");
      continue;
    }
    const pgName = fitIdentifier(column.name, new Set(ctx.columns.values())).name;
    out.push(`ALTER TABLE ${quoteIdent(ctx.pgName)} ADD COLUMN ${quoteIdent(pgName)} ${type.sql} GENERATED ALWAYS AS (${tr.sql}) STORED;`);
    ctx.columns.set(column.name, pgName);
    ctx.kinds.set(column.name, type.kind);
    const notes = [
      column.hidden === 2 ? "VIRTUAL in SQLite, STORED in PostgreSQL 15 (no virtual generated columns)" : undefined,
      "not in schema.prisma (Prisma does not model generated columns) and not copied: PostgreSQL computes it",
      ...tr.notes,
    ].filter((n): n is string => n !== undefined);
    report(`generated column added by raw SQL in the migration as ${type.sql} GENERATED ALWAYS AS (${tr.sql}) STORED; ${notes.join("; ")}`);
  }
}
