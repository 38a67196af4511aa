/**
 * A schema with more models than the read-back reads (model-sample.ts), on real SQLite and PostgreSQL: migrate
 * generates both clients from the same sample of models (relation fields to models outside it removed), reads
 * those, and says "N of M models read back"; a difference in a sampled model still fails the run with exit 1.
 * The threshold is lowered to 3 models with the internal SQLITE2PG_READBACK_MAX_MODELS so that six tables suffice.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReadBackResult } from "../../src/verify/readback/check.js";
import { runCli } from "../helpers/cli.js";
import { buildSqliteFile, tempDir } from "../helpers/files.js";
import { createTestDatabase, type TestDatabase } from "../helpers/pg.js";

const TABLES = ["a", "b", "c", "d", "e", "f"];
/** Every 2nd of the six models, evenly spread: indices 0, 2, 4 (models named by Prisma's conventions: table a → A). */
const SAMPLED = ["A", "C", "E"];
const MODELS = TABLES.map((t) => t.toUpperCase());
const SAMPLE_ENV = { SQLITE2PG_READBACK_MAX_MODELS: "3" };

function buildChain(dir: string): string {
  return buildSqliteFile(dir, "chain.db", (d) => {
    // A chain of foreign keys (each table to the one before): every sampled model has relations to unsampled
    // ones, which the reduced schemas must drop; `e.a_id` keeps a relation between two sampled models.
    TABLES.forEach((t, i) => {
      const parent = i === 0 ? "" : `, parent_id INTEGER REFERENCES ${TABLES[i - 1]}(id)`;
      const extra = t === "e" ? ", a_id INTEGER REFERENCES a(id)" : "";
      d.exec(`CREATE TABLE ${t} (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE, value REAL NOT NULL${parent}${extra})`);
      const cols = ["id", "label", "value", ...(i === 0 ? [] : ["parent_id"]), ...(t === "e" ? ["a_id"] : [])];
      const insert = d.prepare(`INSERT INTO ${t} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`);
      for (const id of [1, 2]) insert.run(id, `${t}${id}`, id === 1 ? 0.1 + 0.2 : 0.5, ...(i === 0 ? [] : [id]), ...(t === "e" ? [id] : []));
    });
  });
}

describe("read-back of a schema above the model threshold", () => {
  let db: TestDatabase;
  let rounding: TestDatabase;
  const tmp = tempDir("readback-sample");
  let source: string;

  beforeAll(async () => {
    db = await createTestDatabase("readback_sample");
    rounding = await createTestDatabase("readback_sample_diff");
    source = buildChain(tmp.dir);
  });
  afterAll(async () => {
    await db?.drop();
    await rounding?.drop();
    tmp.cleanup();
  });

  it("reads back the sampled models only, from reduced schemas, and says how many of how many", async () => {
    const report = join(tmp.dir, "summary.json");
    const res = await runCli(["migrate", source, "--to", db.url, "--out", join(tmp.dir, "same"), "--report", report, "--yes"], SAMPLE_ENV);
    expect(res.code, res.stderr + res.stdout).toBe(0);
    const rb = (JSON.parse(readFileSync(report, "utf8")) as { readBack: ReadBackResult }).readBack;
    expect(rb.status).toBe("same");
    expect(rb.sample).toEqual({ models: 3, of: 6 });
    expect(rb.models.map((m) => m.model).sort()).toEqual(SAMPLED);
    for (const m of rb.models) expect(m).toMatchObject({ status: "compared", rows: 2, differences: [], fieldsNotCompared: [] });
    expect(res.stdout).toContain("application read-back: 6 rows of 3 models identical through Prisma Client; 3 of 6 models read back (a deterministic sample");
    // Only the read-back is sampled: the project's schema keeps every model.
    expect(readFileSync(join(tmp.dir, "same", "schema.prisma"), "utf8").match(/^model \w+ \{/gm)).toHaveLength(6);
  });

  it("still finds a difference in a sampled model: exit 1, named by model, key and field", async () => {
    // Only the read-back differs (readme-promises.test.ts does the same on one table): Prisma Client takes the
    // database's extra_float_digits and reads 0.30000000000000004 as 0.3; the copy and its checksums are exact.
    // https://www.postgresql.org/docs/15/runtime-config-client.html#GUC-EXTRA-FLOAT-DIGITS
    await rounding.query(`ALTER DATABASE "${rounding.name}" SET extra_float_digits = -5`);
    const res = await runCli(["migrate", source, "--to", rounding.url, "--out", join(tmp.dir, "diff"), "--yes"], SAMPLE_ENV);
    expect(res.code, res.stderr + res.stdout).toBe(1);
    expect(res.stderr).toContain("error [VERIFY_READBACK]");
    expect(res.stderr).toContain("DIFFERS: 3 difference(s) (6 rows of 3 models read); 3 of 6 models read back");
    for (const t of SAMPLED) expect(res.stderr).toContain(`${t} [id=1] value: SQLite 0.30000000000000004 ≠ PostgreSQL 0.3`);
    for (const t of MODELS.filter((x) => !SAMPLED.includes(x))) expect(res.stderr).not.toContain(`${t} [id=1]`);
    expect(res.stderr).not.toMatch(/VERIFY_(COVERAGE|COUNTS|CONTENT|INDEPENDENT)/);
  });
});
