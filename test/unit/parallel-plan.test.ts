/**
 * Which statements of the baseline migration the parallel build runs where (src/apply/parallel-apply.ts): each
 * table's CREATE TABLE and plain indexes on the table's own connection, everything else in the final transaction
 * in the migration's order; and no parallel build at all when the migration creates shared types.
 */
import { describe, expect, it } from "vitest";
import { planParallel } from "../../src/apply/parallel-apply.js";
import { copyOrder } from "../../src/apply/copy-order.js";
import type { TablePlan } from "../../src/convert/convert.js";
import { postDataStatement, preDataStatement } from "../../src/plan/statements.js";

const preData = [
  'CREATE SCHEMA IF NOT EXISTS "public";',
  'CREATE TABLE "users" (\n    "id" SERIAL NOT NULL,\n    "email" TEXT NOT NULL,\n\n    CONSTRAINT "users_pkey" PRIMARY KEY ("id")\n);',
  'CREATE TABLE "odd ""name""" (\n    "id" INTEGER NOT NULL\n);',
].map(preDataStatement);
const postData = [
  'ALTER TABLE "users" ADD CONSTRAINT "users_pkey" PRIMARY KEY ("id");',
  'CREATE UNIQUE INDEX "users_email_key" ON "users"("email");',
  'CREATE INDEX "odd_idx" ON "odd ""name"""("id");',
  'ALTER TABLE "odd ""name""" ADD CONSTRAINT "odd_fkey" FOREIGN KEY ("id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;',
  'CREATE INDEX "users_lower_email" ON "users" (lower("email"));',
  'CREATE VIEW "v" AS SELECT 1;',
].map(postDataStatement);

describe("planParallel", () => {
  it("gives each table its CREATE TABLE and plain indexes, keeps the rest in order for the final transaction", () => {
    const p = planParallel(preData, postData);
    expect(p).not.toBeNull();
    expect([...p!.createTable.keys()]).toEqual(["users", 'odd "name"']);
    // The primary key taken out of CREATE TABLE (split.ts) is built with the table, before its indexes.
    expect(p!.indexes.get("users")).toEqual([postData[0], postData[1]]);
    expect(p!.indexes.get('odd "name"')).toEqual([postData[2]]);
    // Foreign keys, expression indexes (extras) and views need the final transaction, in the migration's order.
    expect(p!.finalStatements).toEqual([postData[3], postData[4], postData[5]]);
  });

  it("refuses (null) a migration that creates an enum or an extension, or holds two statements in one section", () => {
    expect(planParallel([...preData, preDataStatement(`CREATE TYPE "Role" AS ENUM ('A', 'B');`)], postData)).toBeNull();
    expect(planParallel([...preData, preDataStatement('CREATE EXTENSION IF NOT EXISTS "citext";')], postData)).toBeNull();
    expect(planParallel([preDataStatement('CREATE TABLE "a" ("id" INTEGER);\nCREATE TABLE "b" ("id" INTEGER);')], [])).toBeNull();
  });
});

describe("copyOrder", () => {
  const table = (name: string, rowCount: number, estimatedBytes?: number): TablePlan =>
    ({ name, pgName: name, columns: [], keyColumns: [], sequenceFloor: null, rowCount, estimatedBytes }) as TablePlan;

  it("starts with the largest tables by estimated bytes, not by rows", () => {
    const order = copyOrder([table("comments", 1_000_000, 280e6), table("posts", 200_000, 365e6), table("tags", 1000, 16e3)]);
    expect(order.map((t) => t.name)).toEqual(["posts", "comments", "tags"]);
  });

  it("falls back to row counts when a size is unknown", () => {
    const order = copyOrder([table("comments", 1_000_000, 280e6), table("posts", 200_000), table("tags", 1000, 16e3)]);
    expect(order.map((t) => t.name)).toEqual(["comments", "posts", "tags"]);
  });
});

describe("defaultJobs", () => {
  it("leaves the encoder a core of its own: 1 job on 1 or 2 cores, cores − 1 above, at most 8", async () => {
    const { defaultJobs } = await import("../../src/cli/options.js");
    expect([1, 2, 3, 4, 8, 16, 64].map(defaultJobs)).toEqual([1, 1, 2, 3, 7, 8, 8]);
  });
});
