/**
 * Flags parsed once (src/cli/options.ts): plan's namespace flag is --pg-schema, its old spelling --schema still
 * works with a deprecation warning; a bad value is a usage error (exit 2) before anything is read or written.
 * No PostgreSQL: plan never touches one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { EXAMPLE_DB, tempDir } from "../helpers/files.js";

const tmp = tempDir("cli-options");
afterAll(() => tmp.cleanup());

const migrationOf = (out: string): string => readFileSync(join(out, "migrations", "0_init", "migration.sql"), "utf8");

describe("plan --pg-schema", () => {
  it("targets the named PostgreSQL schema; the deprecated --schema gives the same baseline and says it is deprecated", async () => {
    const a = join(tmp.dir, "a");
    const b = join(tmp.dir, "b");
    const now = await runCli(["plan", EXAMPLE_DB, "--out", a, "--pg-schema", "shop", "--quiet"]);
    expect(now.code, now.stderr).toBe(0);
    expect(now.stderr).not.toContain("deprecated");
    expect(migrationOf(a)).toMatch(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "shop";/);
    const old = await runCli(["plan", EXAMPLE_DB, "--out", b, "--schema", "shop", "--quiet"]);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stderr).toContain("plan --schema is deprecated, use --pg-schema");
    expect(migrationOf(b)).toBe(migrationOf(a));
  });

  it("without it, the baseline targets public", async () => {
    const c = join(tmp.dir, "c");
    const res = await runCli(["plan", EXAMPLE_DB, "--out", c, "--quiet"]);
    expect(res.code, res.stderr).toBe(0);
    expect(migrationOf(c)).toMatch(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";/);
  });
});

describe("a bad flag value", () => {
  it.each([
    [["migrate", EXAMPLE_DB, "--to", "postgresql://nobody@127.0.0.1:1/x", "--yes", "--orphans", "maybe"], '--orphans must be one of stop, null, delete, keep-without-fk (got "maybe")'],
    [["migrate", EXAMPLE_DB, "--to", "postgresql://nobody@127.0.0.1:1/x", "--yes", "--verify", "some"], '--verify must be one of full, deep, counts, none (got "some")'],
    [["verify", EXAMPLE_DB, "--to", "postgresql://nobody@127.0.0.1:1/x", "--verify", "counts"], '--verify must be one of full, deep (got "counts")'],
    [["migrate", EXAMPLE_DB, "--to", "postgresql://nobody@127.0.0.1:1/x", "--yes", "--naming", "snake"], '--naming must be one of prisma, keep (got "snake")'],
    [["plan", EXAMPLE_DB, "--out", join(tmp.dir, "naming"), "--naming", "Keep"], '--naming must be one of prisma, keep (got "Keep")'],
    // With --schema the names are the project's: asking for Prisma's is refused, not silently ignored.
    [["migrate", EXAMPLE_DB, "--to", "postgresql://nobody@127.0.0.1:1/x", "--yes", "--schema", "schema.prisma", "--naming", "prisma"], "--naming prisma does not apply with --schema"],
  ])("%j: exit 2 naming the flag, before any connection", async (args, message) => {
    // Port 1 refuses connections: a run that got past the flags would fail with a connection error, not this one.
    const res = await runCli(args);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain(message);
    expect(res.stderr).not.toContain("cannot connect");
  });
});
