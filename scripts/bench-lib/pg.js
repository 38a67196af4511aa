// Small PostgreSQL helpers for the benchmark harness (node-postgres).
import pg from "pg";

/** Returns the URL with its database name replaced. */
export function withDatabase(url, db) {
  const u = new URL(url);
  u.pathname = "/" + encodeURIComponent(db);
  return u.toString();
}

export function quoteIdent(name) {
  return '"' + String(name).replace(/"/g, '""') + '"';
}

export async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** DROP DATABASE IF EXISTS … WITH (FORCE); CREATE DATABASE … (through the maintenance database in adminUrl). */
export async function recreateDatabase(adminUrl, db) {
  await withClient(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${quoteIdent(db)}`);
  });
}

/** Write out dirty buffers now, so a contender does not pay for the WAL and dirty pages of the one before it. */
export async function checkpoint(adminUrl) {
  await withClient(adminUrl, (c) => c.query("CHECKPOINT"));
}

export async function dropDatabase(adminUrl, db) {
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(db)} WITH (FORCE)`));
}

export async function serverInfo(adminUrl) {
  return withClient(adminUrl, async (c) => {
    const names = [
      "shared_buffers",
      "max_wal_size",
      "wal_level",
      "synchronous_commit",
      "fsync",
      "maintenance_work_mem",
      "work_mem",
    ];
    const settings = {};
    for (const n of names) settings[n] = (await c.query(`SHOW ${n}`)).rows[0][n];
    const v = await c.query("SHOW server_version");
    return { version: v.rows[0].server_version, settings };
  });
}

/**
 * Row counts of the given source tables in the target database. Table names are matched case-insensitively
 * across all non-system schemas (a tool may rename "users" to "User" or load into another schema).
 */
export async function countTargetRows(url, tables) {
  return withClient(url, async (c) => {
    const r = await c.query(
      `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r','p') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'`,
    );
    const counts = {};
    for (const t of tables) {
      const hit = r.rows.find((x) => x.name === t) ?? r.rows.find((x) => x.name.toLowerCase() === t.toLowerCase());
      if (!hit) {
        counts[t] = null;
        continue;
      }
      const q = await c.query(`SELECT count(*)::bigint AS n FROM ${quoteIdent(hit.schema)}.${quoteIdent(hit.name)}`);
      counts[t] = Number(q.rows[0].n);
    }
    return counts;
  });
}

/** Column types chosen in the target (for the report: what did the tool map each SQLite type to?). */
export async function columnTypes(url) {
  return withClient(url, async (c) => {
    const r = await c.query(
      `SELECT c.table_name, c.column_name, format_type(a.atttypid, a.atttypmod) AS type
       FROM information_schema.columns c
       JOIN pg_attribute a ON a.attrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass
                          AND a.attname = c.column_name
       WHERE c.table_schema NOT IN ('pg_catalog','information_schema')
       ORDER BY c.table_name, c.ordinal_position`,
    );
    const out = {};
    for (const row of r.rows) (out[row.table_name] ??= {})[row.column_name] = row.type;
    return out;
  });
}
