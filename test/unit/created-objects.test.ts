import { describe, expect, it } from "vitest";
import { createdObjects } from "../../src/plan/created-objects.js";

describe("createdObjects", () => {
  it("reads the tables, indexes, SERIAL sequences, views and enum types of Prisma's migration text", () => {
    const sql = `-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');

-- CreateTable
CREATE TABLE "we""ird" (
    "id" SERIAL NOT NULL,
    "big" BIGSERIAL NOT NULL,
    "name" TEXT,
    CONSTRAINT "we""ird_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "we""ird_name_key" ON "we""ird"("name");
CREATE INDEX "by_name" ON "we""ird"("name");
CREATE VIEW "v" AS SELECT 1;
`;
    const o = createdObjects(sql);
    expect(o.types).toEqual(["Role"]);
    expect([...o.relations].sort()).toEqual(['by_name', 'v', 'we"ird', 'we"ird_big_seq', 'we"ird_id_seq', 'we"ird_name_key', 'we"ird_pkey'].sort());
  });
});
