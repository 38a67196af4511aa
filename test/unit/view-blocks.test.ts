import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { addViewBlocks, prismaTypeOf } from "../../src/convert/view-blocks.js";
import type { Decision } from "../../src/core/decisions.js";

const require = createRequire(import.meta.url);
const schemaWasm = require("@prisma/prisma-schema-wasm") as { validate(params: string): void };

const BASE =
  'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n  extensions = [citext]\n}\n\n' +
  'generator client {\n  provider        = "prisma-client-js"\n  previewFeatures = ["postgresqlExtensions"]\n}\n\n' +
  'model Report {\n  id Int @id\n}\n\nenum Mood {\n  happy\n  sad\n\n  @@map("mood")\n}\n';

describe("Prisma view blocks from PostgreSQL's view columns", () => {
  it("maps PostgreSQL's types to Prisma's scalars and native types", () => {
    expect(prismaTypeOf("bigint")).toEqual({ type: "BigInt" });
    expect(prismaTypeOf("character varying(40)")).toEqual({ type: "String", native: "VarChar(40)" });
    expect(prismaTypeOf("numeric(10,2)")).toEqual({ type: "Decimal", native: "Decimal(10, 2)" });
    expect(prismaTypeOf("timestamp(3) without time zone")).toEqual({ type: "DateTime", native: "Timestamp(3)" });
    expect(prismaTypeOf("citext")).toEqual({ type: "String", native: "Citext" });
    expect(prismaTypeOf("jsonb")).toEqual({ type: "Json" });
    expect(prismaTypeOf("point")).toBeUndefined();
  });

  it("adds keyless view blocks, the views preview feature once, names Prisma accepts; the schema validates", () => {
    const decisions: Decision[] = [];
    const out = addViewBlocks(
      BASE,
      [
        {
          view: "report",
          pgName: "report",
          columns: [
            { name: "n", type: "bigint" },
            { name: "upper(name)", type: "text" },
            { name: "mood", type: "mood", typtype: "e" },
            { name: "at", type: "point" },
          ],
        },
        { view: "Sales by month", pgName: "Sales by month", columns: [{ name: "total", type: "numeric(12,2)" }] },
        { view: "empty", pgName: "empty", columns: [] },
      ],
      decisions,
    );
    expect(out).toMatch(/previewFeatures\s*=\s*\["postgresqlExtensions", "views"\]/);
    // `report` is taken by model Report (types are case-insensitive in what Prisma generates): report_2.
    expect(out).toContain(
      'view report_2 {\n  n           BigInt?\n  upper_name_ String?               @map("upper(name)")\n  mood        Mood?\n  at          Unsupported("point")?\n\n  @@map("report")\n}',
    );
    expect(out).toContain('view Sales_by_month {\n  total Decimal? @db.Decimal(12, 2)\n\n  @@map("Sales by month")\n}');
    expect(out).not.toMatch(/view empty/);
    expect(() => schemaWasm.validate(JSON.stringify({ prismaSchema: out, noColor: true }))).not.toThrow();
    expect(decisions.map((d) => d.table)).toEqual(["report", "Sales by month"]);
    expect(decisions[0].message).toMatch(/not readable through Prisma \(Unsupported\): at \(point\)/);
    // Adding again keeps one `views` entry.
    expect(addViewBlocks(out, [], []).match(/"views"/g)).toHaveLength(1);
  });

  it("keeps a view the user's schema models already, as they wrote it", () => {
    const own = `${BASE}\nview Stats {\n  n Int @unique\n\n  @@map("stats")\n}\n`;
    const decisions: Decision[] = [];
    const out = addViewBlocks(own, [{ view: "stats", pgName: "stats", columns: [{ name: "n", type: "bigint" }] }], decisions);
    expect(out).toBe(own);
    expect(decisions).toEqual([]);
  });
});
