import { getSchema, printSchema } from "@mrleebo/prisma-ast";
import { describe, expect, it } from "vitest";
import { declareExtension } from "../../src/convert/datasource.js";

function declared(schema: string): string {
  const ast = getSchema(schema);
  declareExtension(ast.list, "citext");
  return printSchema(ast);
}

describe("declareExtension (postgresqlExtensions)", () => {
  it("adds extensions to the datasource and the preview feature to the client generator", () => {
    const out = declared('datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n\ngenerator client {\n  provider = "prisma-client-js"\n}\n');
    expect(out).toMatch(/extensions\s*=\s*\[citext\]/);
    expect(out).toMatch(/previewFeatures\s*=\s*\["postgresqlExtensions"\]/);
  });

  it("keeps a user's preview features and extensions, adds each once, and leaves other generators alone", () => {
    const schema =
      'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n  extensions = [pg_trgm]\n}\n\n' +
      'generator client {\n  provider = "prisma-client-js"\n  previewFeatures = ["driverAdapters"]\n}\n\n' +
      'generator erd {\n  provider = "prisma-erd-generator"\n}\n';
    const once = declared(schema);
    expect(once).toMatch(/extensions\s*=\s*\[pg_trgm, citext\]/);
    expect(once).toMatch(/previewFeatures\s*=\s*\["driverAdapters", "postgresqlExtensions"\]/);
    expect(once.match(/previewFeatures/g)).toHaveLength(1);
    expect(declared(once)).toBe(once);
  });
});
