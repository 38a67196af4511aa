/**
 * parseSchema (convert/ast.ts) parses a schema a run of whole blocks at a time, to bound the parser's memory. It must
 * give exactly the list prisma-ast's own getSchema gives for the whole text, whatever sits between the blocks.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getSchema, printSchema } from "@mrleebo/prisma-ast";
import { parseSchema } from "../../src/convert/ast.js";

const ROOT = join(import.meta.dirname, "..", "..");

function prismaFiles(): string[] {
  const golden = readdirSync(join(ROOT, "test/golden"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join("test/golden", d.name, "schema.prisma"));
  return [...golden, "test/fixtures/prisma-project/schema.prisma", "test/fixtures/prisma-shapes/schema.prisma", "prisma/schema.prisma"];
}

/** A schema longer than several parser chunks, with every kind of text between and inside blocks. */
function bigSchema(models: number): string {
  const parts = ['// head comment\ngenerator client {\n  provider = "prisma-client-js"\n}\n\n\ndatasource db {\n  provider = "sqlite"\n  url      = "file:dev.db"\n}\n'];
  for (let i = 0; i < models; i++) {
    parts.push(i % 7 === 0 ? "\n\n// between models\n\n" : "\n");
    if (i % 50 === 0) parts.push(`enum Kind${i} {\n  A\n  B @map("b")\n}\n\n`);
    parts.push(
      `/// doc of M${i}, with a brace } and "quote" in it\nmodel M${i} {\n  id   Int    @id @default(autoincrement())\n` +
        `  name String @default("}{ \\" //") // trailing comment {\n` +
        (i > 0 ? `  parentId Int?\n  parent   M${i - 1}? @relation(fields: [parentId], references: [id])\n` : "") +
        `  kids M${i + 1}[]\n\n  @@index([name], map: "m${i}_name")\n  @@map("m_${i}")\n}\n`,
    );
  }
  parts.push(`\nmodel M${models} {\n  id Int @id\n  parentId Int?\n  parent M${models - 1}? @relation(fields: [parentId], references: [id])\n}\n`);
  parts.push('\nview V {\n  id Int @unique\n}\n\n// tail comment\n');
  return parts.join("");
}

describe("parseSchema", () => {
  it.each(prismaFiles())("gives getSchema's list for %s", (file) => {
    const text = readFileSync(join(ROOT, file), "utf8");
    const parsed = parseSchema(text);
    expect(parsed).toEqual(getSchema(text));
    expect(printSchema(parsed)).toBe(printSchema(getSchema(text)));
  });

  it("gives getSchema's list for a schema of many chunks", () => {
    const text = bigSchema(1500);
    expect(text.length).toBeGreaterThan(6 * 64 * 1024);
    const whole = getSchema(text);
    const parsed = parseSchema(text);
    expect(parsed.list.length).toBe(whole.list.length);
    expect(parsed).toEqual(whole);
    expect(printSchema(parsed)).toBe(printSchema(whole));
  });

  it("handles text without blocks and the empty schema", () => {
    for (const text of ["", "\n\n", "// only a comment\n\n/// and a doc\n"]) expect(parseSchema(text)).toEqual(getSchema(text));
  });

  it("still throws the parser's error for an invalid schema", () => {
    const text = `${bigSchema(400)}\nmodel Broken {\n  id Int @id @@\n}\n`;
    expect(() => getSchema(text)).toThrow();
    expect(() => parseSchema(text)).toThrow();
    // The parser is left usable (its input released even after an error).
    expect(parseSchema("model A {\n  id Int @id\n}\n").list).toHaveLength(1);
  });
});
