/** CHECK constraints, added by raw SQL in the migration when their expression is portable. Pure. */
import { quoteIdent } from "../../core/quote.js";
import type { Decision } from "../../core/decisions.js";
import { fitIdentifier } from "../identifiers.js";
import { render, translate, type Token } from "../sql/index.js";
import { oneLine, scopeFor, type TableCtx } from "./context.js";

function isBooleanDomainCheck(expr: readonly Token[], ctx: TableCtx): boolean {
  const sig = expr.map((t) => t.text.toLowerCase());
  if (expr.length !== 7 || sig[1] !== "in" || sig[2] !== "(" || sig[6] !== ")") return false;
  if (!((sig[3] === "0" && sig[5] === "1") || (sig[3] === "1" && sig[5] === "0"))) return false;
  const col = [...ctx.columns.keys()].find((c) => c.toLowerCase() === expr[0].value.toLowerCase());
  return col !== undefined && ctx.kinds.get(col) === "boolean";
}

export function checkConstraints(ctx: TableCtx, out: string[], decisions: Decision[]): void {
  if (!ctx.parsed) return;
  const scope = scopeFor(ctx);
  ctx.parsed.checks.forEach((check, n) => {
    const sqliteText = `${check.name ? `CONSTRAINT ${check.name} ` : ""}CHECK (${oneLine(render(check.expr))})`;
    const base = { table: ctx.table.name, ...(check.column ? { column: check.column } : {}), code: "check" };
    if (isBooleanDomainCheck(check.expr, ctx)) {
      decisions.push({ ...base, message: `${sqliteText} dropped: the column is boolean in PostgreSQL, which allows only true/false` });
      return;
    }
    const tr = translate(check.expr, scope);
    if (!tr.ok) {
      decisions.push({ ...base, message: `CHECK constraint not migrated: not portable (${tr.reason}); SQLite: ${sqliteText}` });
      return;
    }
    const name = fitIdentifier(check.name ?? `${ctx.table.name}_${n + 1}_check`, ctx.constraintNames).name;
    out.push(`ALTER TABLE ${quoteIdent(ctx.pgName)} ADD CONSTRAINT ${quoteIdent(name)} CHECK (${tr.sql});`);
    decisions.push({
      ...base,
      message: `CHECK constraint added by raw SQL in the migration as ${quoteIdent(name)} CHECK (${tr.sql}) (Prisma does not model CHECK constraints)${tr.notes.length ? `; ${tr.notes.join("; ")}` : ""}`,
    });
  });
}
