// Value spot checks: a few aggregates computed on the SQLite source and on each target, to catch lossy type
// choices that a row count cannot see (REAL narrowed to float4, microseconds cut, blobs or text altered).
import Database from "better-sqlite3";
import { quoteIdent, withClient } from "./pg.js";

const CHECKS = [
  {
    name: "posts.score sum (double precision)",
    table: "posts",
    sqlite: "SELECT sum(score) FROM posts",
    pg: (t) => `SELECT sum(score::float8) FROM ${t}`,
    equal: (a, b) => Math.abs(a - b) <= Math.abs(a) * 1e-12,
  },
  {
    name: "posts.published_at microseconds",
    table: "posts",
    sqlite: "SELECT sum(CAST(substr(published_at, 21, 6) AS INTEGER)) FROM posts WHERE length(published_at) = 26",
    pg: (t) => `SELECT sum((extract(microseconds FROM published_at)::bigint % 1000000)) FROM ${t}`,
    equal: (a, b) => a === b,
  },
  {
    name: "users.balance sum",
    table: "users",
    sqlite: "SELECT printf('%.2f', sum(balance)) FROM users",
    pg: (t) => `SELECT sum(balance)::numeric(20,2)::text FROM ${t}`,
    equal: (a, b) => a === b,
  },
  {
    name: "users.avatar bytes",
    table: "users",
    sqlite: "SELECT sum(length(avatar)) FROM users",
    pg: (t) => `SELECT sum(octet_length(avatar)) FROM ${t}`,
    equal: (a, b) => a === b,
  },
  {
    name: "posts.body characters",
    table: "posts",
    sqlite: "SELECT sum(length(body)) FROM posts",
    pg: (t) => `SELECT sum(length(body)) FROM ${t}`,
    equal: (a, b) => a === b,
  },
];

const norm = (v) => (v === null || v === undefined ? null : typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : typeof v === "bigint" ? Number(v) : v);

export function sourceSpotValues(dbFile) {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return CHECKS.map((c) => norm(db.prepare(c.sqlite).pluck().get()));
  } finally {
    db.close();
  }
}

/** Returns [{ name, source, target, ok }] (target null and ok false when the query failed). */
export async function targetSpotChecks(url, sourceValues) {
  return withClient(url, async (client) => {
    const tables = (
      await client.query(
        `SELECT n.nspname AS s, c.relname AS r FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema')`,
      )
    ).rows;
    const out = [];
    for (const [i, c] of CHECKS.entries()) {
      const hit = tables.find((x) => x.r === c.table) ?? tables.find((x) => x.r.toLowerCase() === c.table);
      let target = null;
      let error;
      try {
        if (!hit) throw new Error(`table ${c.table} not found`);
        const v = (await client.query({ text: c.pg(`${quoteIdent(hit.s)}.${quoteIdent(hit.r)}`), rowMode: "array" })).rows[0][0];
        target = c.name.includes("score") ? Number(v) : norm(v);
      } catch (e) {
        error = e.message;
      }
      out.push({ name: c.name, source: sourceValues[i], target, ok: target !== null && c.equal(sourceValues[i], target), error });
    }
    return out;
  });
}
