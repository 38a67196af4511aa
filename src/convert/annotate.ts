/**
 * Put table-level decisions (a trigger not migrated, a CHECK kept as raw SQL, a table without a key, …) as `///`
 * comments above their model, so the reviewer reads them in schema.prisma itself, not only in the report. Pure.
 */
import { type Block, type Model } from "@mrleebo/prisma-ast";
import { tableNameOf, parseSchema, printSchema } from "./ast.js";
import type { Decision } from "../core/decisions.js";

/** The printer leaves a blank line between `///` lines and their model; Prisma attaches docs only when adjacent. */
export function attachDocs(schema: string): string {
  return schema.replace(/(\/\/\/[^\n]*)\n\n+(?=(?:model|view|enum) )/g, "$1\n");
}

function isPrismaIgnoreDoc(block: Block | undefined): boolean {
  return block?.type === "comment" && block.text.startsWith("/// The underlying table does not contain a valid unique identifier");
}

/** `sqliteNames`: PostgreSQL table name (a model's `@@map`) → SQLite table name, where they differ. */
export function annotateModels(schema: string, decisions: readonly Decision[], sqliteNames: ReadonlyMap<string, string> = new Map()): string {
  if (decisions.length === 0) return attachDocs(schema);
  const ast = parseSchema(schema);
  const list: Block[] = [];
  const sqliteName = (m: Model): string => sqliteNames.get(tableNameOf(m)) ?? tableNameOf(m);
  for (const block of ast.list) {
    if (block.type === "model") {
      const table = sqliteName(block as Model);
      const mine = decisions.filter((x) => x.table === table);
      // Our "no primary key" note says what Prisma's generic @@ignore comment says, and what to do about it.
      if (mine.some((d) => d.code === "no-primary-key")) {
        while (list.length > 0 && (list[list.length - 1].type === "break" || isPrismaIgnoreDoc(list[list.length - 1]))) {
          if (list[list.length - 1].type === "break" && !isPrismaIgnoreDoc(list[list.length - 2])) break;
          list.pop();
        }
      }
      for (const d of mine) {
        const where = d.column === undefined ? "" : `${d.column}: `;
        list.push({ type: "comment", text: `/// ${where}${d.message.replace(/\s*\n\s*/g, " ")}` });
      }
    }
    list.push(block);
  }
  // Decisions about objects that have no model (views, triggers of unmapped tables) go at the end of the file.
  const modelTables = new Set(ast.list.filter((b): b is Model => b.type === "model").map(sqliteName));
  const orphan = decisions.filter((d) => !modelTables.has(d.table));
  if (orphan.length > 0) {
    list.push({ type: "comment", text: "// sqlite2pg: objects without a model" });
    for (const d of orphan) list.push({ type: "comment", text: `/// ${d.table}: ${d.message.replace(/\s*\n\s*/g, " ")}` });
  }
  ast.list = list;
  return attachDocs(`${printSchema(ast).trim()}\n`);
}
