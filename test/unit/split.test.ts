/**
 * The baseline migration split into pre-data and post-data statements (src/plan/split.ts): primary keys come out
 * of CREATE TABLE and are added after the data, first among the post-data statements.
 */
import { describe, expect, it } from "vitest";
import { deferPrimaryKey, splitMigration } from "../../src/plan/split.js";

const MIGRATION = `-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "post_tags" (
    "post_id" INTEGER NOT NULL,
    "tag_id" INTEGER NOT NULL,

    CONSTRAINT "post_tags_pkey" PRIMARY KEY ("post_id","tag_id")
);

-- CreateTable
CREATE TABLE "log" (
    "line" TEXT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- AddForeignKey
ALTER TABLE "post_tags" ADD CONSTRAINT "post_tags_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
`;

describe("splitMigration", () => {
  it("creates tables without their primary keys and adds the keys first after the data", () => {
    const split = splitMigration(MIGRATION);
    const [preData, postData] = [split.preData.map((s) => s.sql), split.postData.map((s) => s.sql)];
    expect(preData).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "public";',
      'CREATE TABLE "users" (\n    "id" SERIAL NOT NULL,\n    "email" TEXT NOT NULL\n);',
      'CREATE TABLE "post_tags" (\n    "post_id" INTEGER NOT NULL,\n    "tag_id" INTEGER NOT NULL\n);',
      'CREATE TABLE "log" (\n    "line" TEXT NOT NULL\n);',
    ]);
    expect(postData).toEqual([
      'ALTER TABLE "users" ADD CONSTRAINT "users_pkey" PRIMARY KEY ("id");',
      'ALTER TABLE "post_tags" ADD CONSTRAINT "post_tags_pkey" PRIMARY KEY ("post_id","tag_id");',
      'CREATE UNIQUE INDEX "users_email_key" ON "users"("email");',
      'ALTER TABLE "post_tags" ADD CONSTRAINT "post_tags_post_id_fkey" FOREIGN KEY ("post_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;',
    ]);
  });

  it("keeps awkward quoted names intact, and leaves a shape it does not know unchanged", () => {
    expect(deferPrimaryKey('CREATE TABLE "odd ""t""" (\n    "a)b" INTEGER NOT NULL,\n\n    CONSTRAINT "k ""1""" PRIMARY KEY ("a)b")\n);')).toEqual({
      createTable: 'CREATE TABLE "odd ""t""" (\n    "a)b" INTEGER NOT NULL\n);',
      addPrimaryKey: 'ALTER TABLE "odd ""t""" ADD CONSTRAINT "k ""1""" PRIMARY KEY ("a)b");',
    });
    const qualified = deferPrimaryKey('CREATE TABLE "app"."t" (\n    "id" INTEGER NOT NULL,\n\n    CONSTRAINT "t_pkey" PRIMARY KEY ("id")\n);');
    expect(qualified.addPrimaryKey).toBe('ALTER TABLE "app"."t" ADD CONSTRAINT "t_pkey" PRIMARY KEY ("id");');
    const sorted = 'CREATE TABLE "t" (\n    "id" INTEGER NOT NULL,\n\n    CONSTRAINT "t_pkey" PRIMARY KEY ("id" DESC)\n);';
    expect(deferPrimaryKey(sorted)).toEqual({ createTable: sorted, addPrimaryKey: null });
  });
});
