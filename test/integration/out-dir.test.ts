/**
 * `--out` of an introspected run (no --schema) never replaces an application's own schema.prisma: run in a Prisma
 * app's folder with the default `./prisma`, `plan` and `migrate` stop with exit 2 before anything is written or
 * any connection is made, and point to `--schema`. A previous run's output (a postgresql schema) is written over.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { EXAMPLE_DB, tempDir } from "../helpers/files.js";

/** Nothing listens there: a run that got as far as connecting would fail with exit 1, not 2. */
const UNREACHABLE = "postgresql://postgres@127.0.0.1:1/none";
const APP_SCHEMA = `datasource db {\n  provider = "sqlite"\n  url      = "file:./dev.db"\n}\n\nmodel User {\n  id Int @id\n}\n`;

describe("--out holding an application's schema.prisma", () => {
  const tmp = tempDir("out-dir");
  afterAll(() => tmp.cleanup());

  it("plan and migrate refuse it (exit 2), name --schema, and leave the files as they were", async () => {
    const app = join(tmp.dir, "app", "prisma");
    mkdirSync(join(app, "migrations", "20240101000000_init"), { recursive: true });
    writeFileSync(join(app, "schema.prisma"), APP_SCHEMA);
    writeFileSync(join(app, "migrations", "20240101000000_init", "migration.sql"), "CREATE TABLE \"User\" (\"id\" INTEGER PRIMARY KEY);\n");
    const plan = await runCli(["plan", EXAMPLE_DB, "--out", app, "-q"]);
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stderr).toContain(`holds ${join(app, "schema.prisma")} (provider "sqlite"), an application's schema`);
    expect(plan.stderr).toContain(`--schema ${join(app, "schema.prisma")}`);
    const migrate = await runCli(["migrate", EXAMPLE_DB, "--to", UNREACHABLE, "--out", app, "--yes"]);
    expect(migrate.code, migrate.stderr).toBe(2);
    expect(migrate.stderr).toContain("an application's schema");
    expect(readFileSync(join(app, "schema.prisma"), "utf8")).toBe(APP_SCHEMA);
    expect(readFileSync(join(app, "migrations", "20240101000000_init", "migration.sql"), "utf8")).toContain('CREATE TABLE "User"');
  });

  it("writes over a previous run's output (a postgresql schema)", async () => {
    const out = join(tmp.dir, "again");
    const first = await runCli(["plan", EXAMPLE_DB, "--out", out, "-q"]);
    expect(first.code, first.stderr).toBe(0);
    expect(readFileSync(join(out, "schema.prisma"), "utf8")).toContain('provider = "postgresql"');
    const second = await runCli(["plan", EXAMPLE_DB, "--out", out, "-q"]);
    expect(second.code, second.stderr).toBe(0);
  });
});
