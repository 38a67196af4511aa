/**
 * Replaying one migration.sql in a shadow (shadow.ts). As a rule a file runs as ONE simple-protocol query: it is
 * then one implicit transaction (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT),
 * exactly as `prisma migrate` applies it, and no `;` is ever split by us.
 *
 * A baseline with thousands of tables locks more objects than one transaction may hold ("out of shared memory":
 * max_locks_per_transaction × connection slots, https://www.postgresql.org/docs/current/runtime-config-locks.html).
 * Only for the tool's OWN baseline (same name and sha256 as the migration it just wrote: we know it is Prisma's
 * DDL plus our extra SQL), and only in a shadow DATABASE (fresh, dropped afterwards: nothing to roll back), it
 * is replayed in groups of statements, each group its own transaction. The statements are found by a scanner that
 * follows PostgreSQL's lexical rules for what may hide a `;` — quoted strings ('…' with '' and E'…' with
 * backslash escapes), quoted identifiers, dollar-quoted bodies ($tag$…$tag$), -- and (nested) block comments
 * (https://www.postgresql.org/docs/current/sql-syntax-lexical.html) — and the groups are checked to join back
 * into the file exactly. Other migrations (a user's own, `--schema` projects) are replayed as they are; one that
 * does not fit in the lock table makes the check unavailable, with that reason, never "drift".
 */
import { createHash } from "node:crypto";
import type { PgClient } from "../../db/pg-client.js";
import { createdObjects } from "../../plan/created-objects.js";

/** The file cut after each top-level `;` (pieces keep their text: joined they are the input); null if unterminated. */
export function splitStatements(sql: string): string[] | null {
  const pieces: string[] = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? n : end + 1;
    } else if (c === "/" && next === "*") {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === "/" && sql[i + 1] === "*") (depth++, (i += 2));
        else if (sql[i] === "*" && sql[i + 1] === "/") (depth--, (i += 2));
        else i++;
      }
      if (depth > 0) return null;
    } else if (c === "'" || c === '"') {
      // E'…' (or e'…'): backslash escapes; otherwise only the doubled quote.
      const backslash = c === "'" && i > 0 && /[eE]/.test(sql[i - 1]) && !/[\w$]/.test(sql[i - 2] ?? "");
      i++;
      for (;;) {
        if (i >= n) return null;
        if (backslash && sql[i] === "\\") i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i++;
      }
      i++;
    } else if (c === "$" && !/[\w$]/.test(sql[i - 1] ?? "")) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (!tag) {
        i++;
        continue;
      }
      const end = sql.indexOf(tag[0], i + tag[0].length);
      if (end === -1) return null;
      i = end + tag[0].length;
    } else if (c === ";") {
      i++;
      pieces.push(sql.slice(start, i));
      start = i;
    } else i++;
  }
  if (sql.slice(start).trim() !== "") {
    // Trailing text with no `;`: only comments and blanks may follow the last statement.
    const rest = splitTail(sql.slice(start));
    if (rest === null) return null;
  }
  if (start < n) pieces.push(sql.slice(start));
  return pieces;
}

/** Trailing text: acceptable when it holds only comments and whitespace (null otherwise: a statement without `;`). */
function splitTail(rest: string): string | null {
  const stripped = rest.replace(/--[^\n]*(\n|$)/g, "").trim();
  return stripped === "" ? rest : null;
}

/** Lock-table room for one transaction, and how much this migration would take in one (target-check.ts's estimate). */
export async function lockRoom(client: PgClient): Promise<{ perTransaction: number; capacity: number }> {
  const { rows } = await client.query<{ per: number; slots: number }>(
    "SELECT current_setting('max_locks_per_transaction')::int AS per, current_setting('max_connections')::int + current_setting('max_prepared_transactions')::int AS slots",
  );
  return { perTransaction: rows[0].per, capacity: rows[0].per * rows[0].slots };
}

export function locksNeeded(sql: string): number {
  const objects = createdObjects(sql);
  const tables = [...sql.matchAll(/^CREATE TABLE /gm)].length;
  return objects.relations.length + objects.types.length + 2 * tables;
}

export interface OwnBaseline {
  readonly name: string;
  /** sha256 of the migration.sql the run wrote (plan.ts migrationChecksum). */
  readonly checksum: string;
}

export const isOwnBaseline = (m: { name: string; sql: string }, own: OwnBaseline | undefined): boolean =>
  own !== undefined && m.name === own.name && createHash("sha256").update(m.sql, "utf8").digest("hex") === own.checksum;

/**
 * Groups of statements for a replay in several transactions, each locking about `perTransaction` objects at most
 * (a CREATE TABLE takes its table, key index, sequence and TOAST table and index: ~5), or null when the file does
 * not split cleanly (then it is replayed whole).
 */
export function replayGroups(sql: string, perTransaction: number): string[] | null {
  const pieces = splitStatements(sql);
  if (pieces === null || pieces.join("") !== sql) return null;
  const perGroup = Math.max(1, Math.floor(perTransaction / 5));
  const groups: string[] = [];
  for (let i = 0; i < pieces.length; i += perGroup) groups.push(pieces.slice(i, i + perGroup).join(""));
  return groups;
}
