/**
 * Every application database of shared/corpus/realworld, run as a new user would: `migrate` with default flags;
 * if that fails, the one re-run its own message suggests ("to keep every row: npx sqlite2pg …"), as printed.
 * Then, checked here without sqlite2pg's code: every table of the file (enumerated from sqlite_schema) holds
 * as many rows in PostgreSQL, or is a "left out" line of the report with its reason; and `plan`'s
 * migration.sql applies cleanly to an empty database.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import type { MigrateSummary } from "../../src/report/summary-types.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { copyToTemp, REALWORLD, tempDir } from "../helpers/files.js";
import { createTestDatabase } from "../helpers/pg.js";

const FILES = readdirSync(REALWORLD).filter((f) => !f.endsWith(".md")).sort();

/** Split a command line printed for a POSIX shell: words, 'single-quoted' and "double-quoted" parts. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let current = "";
  let last = -1;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const part = m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3];
    if (m.index === last) current += part;
    else {
      if (last !== -1) words.push(current);
      current = part;
    }
    last = re.lastIndex;
  }
  if (last !== -1) words.push(current);
  return words;
}

/** The user's tables of the file, counted in SQLite itself: every table but SQLite's own. */
function sourceCounts(path: string): Map<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const names = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").all() as { name: string }[]).map((r) => r.name);
    const counts = new Map<string, number>();
    for (const name of names) {
      try {
        counts.set(name, Number((db.prepare(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`).get() as { n: number }).n));
      } catch {
        counts.set(name, -1); // a virtual table whose module this SQLite lacks: it must be a reported line
      }
    }
    return counts;
  } finally {
    db.close();
  }
}

describe.each(FILES)("realworld/%s", (file) => {
  const tmp = tempDir(`corpus-${file.replace(/\W/g, "_")}`);
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
    tmp.cleanup();
  });

  it("migrates with default flags, or with the one command its failure prints; every table's rows are in PostgreSQL", async () => {
    const sqlite = copyToTemp(join(REALWORLD, file), tmp.dir);
    const db = await createTestDatabase("corpus");
    cleanups.push(() => db.drop());
    const report = join(tmp.dir, "report.json");
    const args = ["migrate", sqlite, "--to", db.url, "--out", join(tmp.dir, "prisma"), "--yes", "--report", report];
    let res: CliResult = await runCli(args);
    if (res.code !== 0) {
      // The failure must say how to proceed without losing a row, as a command ready to paste.
      const suggested = /to keep every row: npx sqlite2pg (.+)$/m.exec(res.stderr);
      expect(suggested, `default run failed without a command to proceed:\n${res.stderr.slice(-3000)}`).not.toBeNull();
      res = await runCli([...shellWords(suggested![1]), "--report", report]);
    }
    expect(res.code, res.stderr.slice(-3000)).toBe(0);
    const summary = JSON.parse(readFileSync(report, "utf8")) as MigrateSummary;
    expect(summary.ok).toBe(true);
    expect(summary.coverage.missing).toEqual([]);
    const leftOut = new Map(summary.coverage.leftOut.filter((l) => l.column === undefined).map((l) => [l.table, l.reason]));
    const migrated = new Set(summary.tables.map((t) => t.table));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (const [table, rows] of sourceCounts(sqlite)) {
        if (leftOut.has(table)) {
          // Only internal tables, shadow tables and reviewed decisions may be left out: never the user's own choice here.
          expect(leftOut.get(table), table).not.toBe("left out by --tables/--exclude");
          continue;
        }
        expect(migrated.has(table), `${table}: neither migrated nor a left-out line`).toBe(true);
        const planned = summary.tables.find((t) => t.table === table)!;
        // The corpus's table names fit PostgreSQL's 63 bytes and need no renaming: the table has the SQLite name.
        const { rows: pgRows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM "public"."${table.replace(/"/g, '""')}"`);
        expect(Number(pgRows[0].n) + planned.rejected + planned.skipped, table).toBe(rows);
        expect(planned.rejected + planned.skipped, `${table}: rows left out`).toBe(0);
      }
    } finally {
      await client.end();
    }
  });

  it("plan's migration.sql applies cleanly to an empty database", async () => {
    const sqlite = copyToTemp(join(REALWORLD, file), tmp.dir);
    const out = join(tmp.dir, "plan");
    const res = await runCli(["plan", sqlite, "--out", out, "--quiet"]);
    // plan exits 1 when the data has problems; the schema and the baseline are written either way.
    expect([0, 1], res.stderr.slice(-3000)).toContain(res.code);
    const migrations = join(out, "migrations");
    const sql = readFileSync(join(migrations, readdirSync(migrations).find((d) => d.endsWith("_init"))!, "migration.sql"), "utf8");
    const db = await createTestDatabase("corpus_plan");
    cleanups.push(() => db.drop());
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(sql); // one simple-protocol batch, as Prisma Migrate runs a migration file
    } finally {
      await client.end();
    }
  });
});
