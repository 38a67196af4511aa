// The "COPY limit": how fast can this PostgreSQL server ingest the data at all?
// Each SQLite table is pre-formatted (untimed) as a COPY text-format file under /tmp; then plain tables
// (matching types, no constraints, no indexes) are created and only the server-side `COPY t FROM '/file'`
// statements are timed. No client-side parsing, no network transfer: a floor for any tool's data phase.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { quoteIdent, withClient } from "./pg.js";

/** Maps a SQLite declared type to the PostgreSQL type a Prisma-managed schema would use for it. */
export function pgTypeFor(declared) {
  const t = String(declared || "").trim().toUpperCase();
  let m;
  if (/^BIGINT\b/.test(t)) return "bigint";
  if (t.includes("INT")) return "integer";
  if (t.includes("BOOL")) return "boolean";
  if ((m = /^(?:VARCHAR|CHARACTER VARYING|NVARCHAR)\s*\(\s*(\d+)\s*\)/.exec(t))) return `varchar(${m[1]})`;
  if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "text";
  if (t === "" || t.includes("BLOB")) return t === "" ? "text" : "bytea";
  if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "double precision";
  if (t.startsWith("DATETIME") || t.startsWith("TIMESTAMP")) return "timestamp";
  if (t === "DATE") return "date";
  if (t.startsWith("JSON")) return "jsonb";
  if ((m = /^(?:NUMERIC|DECIMAL)\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)/.exec(t))) return `numeric(${m[1]},${m[2]})`;
  if (t.startsWith("NUMERIC") || t.startsWith("DECIMAL")) return "numeric";
  return "text";
}

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPES = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
function escapeText(s) {
  return NEEDS_ESCAPE.test(s) ? s.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]) : s;
}

function formatterFor(pgType) {
  if (pgType === "boolean") {
    return (v) => (v === null ? "\\N" : typeof v === "bigint" || typeof v === "number" ? (v ? "t" : "f") : escapeText(String(v)));
  }
  if (pgType === "bytea") {
    return (v) => (v === null ? "\\N" : Buffer.isBuffer(v) ? "\\\\x" + v.toString("hex") : "\\\\x" + Buffer.from(String(v)).toString("hex"));
  }
  return (v) => {
    if (v === null) return "\\N";
    if (typeof v === "string") return escapeText(v);
    if (Buffer.isBuffer(v)) return escapeText(v.toString("utf8"));
    return String(v); // bigint / number (shortest round-trip form)
  };
}

/** User tables of the SQLite file, with PostgreSQL column types. */
export function describeSource(dbFile) {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const names = db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
      .pluck()
      .all();
    return names.map((name) => {
      const cols = db.prepare(`PRAGMA table_xinfo(${quoteIdent(name)})`).all().filter((c) => c.hidden === 0);
      const rows = Number(db.prepare(`SELECT count(*) FROM ${quoteIdent(name)}`).pluck().get());
      return { name, rows, columns: cols.map((c) => ({ name: c.name, declared: c.type, pgType: pgTypeFor(c.type) })) };
    });
  } finally {
    db.close();
  }
}

/** Writes one COPY text file per table into a fresh world-readable dir under /tmp. Returns { dir, files }. */
export function exportCopyFiles(dbFile, tables, log = () => {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sqlite2pg-bench-copy-"));
  fs.chmodSync(dir, 0o755); // the postgres server process reads these files
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  const files = {};
  try {
    for (const t of tables) {
      const t0 = Date.now();
      const file = path.join(dir, `${t.name}.copy`);
      const fd = fs.openSync(file, "w", 0o644);
      const fmts = t.columns.map((c) => formatterFor(c.pgType));
      const sel = t.columns.map((c) => quoteIdent(c.name)).join(", ");
      const stmt = db.prepare(`SELECT ${sel} FROM ${quoteIdent(t.name)}`).raw(true).safeIntegers(true);
      let buf = [];
      let len = 0;
      let bytes = 0;
      for (const row of stmt.iterate()) {
        let line = fmts[0](row[0]);
        for (let i = 1; i < row.length; i++) line += "\t" + fmts[i](row[i]);
        line += "\n";
        buf.push(line);
        len += line.length;
        if (len > 1 << 20) {
          bytes += fs.writeSync(fd, buf.join(""));
          buf = [];
          len = 0;
        }
      }
      if (buf.length) bytes += fs.writeSync(fd, buf.join(""));
      fs.closeSync(fd);
      fs.chmodSync(file, 0o644);
      files[t.name] = { file, bytes };
      log(`  exported ${t.name}: ${t.rows} rows, ${(bytes / 1048576).toFixed(1)} MB (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    db.close();
  }
  return { dir, files };
}

export function createTableSql(t) {
  const cols = t.columns.map((c) => `${quoteIdent(c.name)} ${c.pgType}`).join(", ");
  return `CREATE TABLE ${quoteIdent(t.name)} (${cols})`;
}

function readBackendHwmKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null; // server on another host / no permission
  }
}

/**
 * Creates the tables in the (fresh) database at `url`, then times server-side COPY of every file.
 * connections = 1: one table after another on one session; > 1: a largest-first work queue over N sessions.
 */
export async function runCopyLimit(url, tables, files, { connections = 1 } = {}) {
  await withClient(url, async (c) => {
    for (const t of tables) await c.query(createTableSql(t));
  });
  const queue = [...tables].sort((a, b) => files[b.name].bytes - files[a.name].bytes);
  const perTable = {};
  const backendHwmKb = [];
  const t0 = process.hrtime.bigint();
  const worker = () =>
    withClient(url, async (c) => {
      const pid = (await c.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
      for (let t = queue.shift(); t; t = queue.shift()) {
        const s = process.hrtime.bigint();
        const r = await c.query(`COPY ${quoteIdent(t.name)} FROM '${files[t.name].file.replace(/'/g, "''")}'`);
        perTable[t.name] = { rows: r.rowCount, seconds: Number(process.hrtime.bigint() - s) / 1e9 };
      }
      backendHwmKb.push(readBackendHwmKb(pid));
    });
  await Promise.all(Array.from({ length: connections }, worker));
  const wallSec = Number(process.hrtime.bigint() - t0) / 1e9;
  const known = backendHwmKb.filter((x) => x !== null);
  return { wallSec, perTable, backendHwmKb: known.length ? Math.max(...known) : null };
}
