/**
 * Put table-level decisions (a trigger not migrated, a CHECK kept as raw SQL, a table without a key, …) as `///`
 * comments above their model, so the reviewer reads them in schema.prisma itself, not only in the report. Pure.
 */
import { getSchema, printSchema, type Block, type Model } from "@mrleebo/prisma-ast";
import { tableNameOf } from "./ast.js";
import type { Decision } from "./decisions.js";

export function annotateModels(schema: string, decisions: readonly Decision[]): string {
  if (decisions.length === 0) return schema;
  const ast = getSchema(schema);
  const list: Block[] = [];
  for (const block of ast.list) {
    if (block.type === "model") {
      const table = tableNameOf(block as Model);
      for (const d of decisions.filter((x) => x.table === table)) {
        const where = d.column === undefined ? "" : `${d.column}: `;
        list.push({ type: "comment", text: `/// ${where}${d.message.replace(/\s*\n\s*/g, " ")}` });
      }
    }
    list.push(block);
  }
  ast.list = list;
  return `${printSchema(ast).trim()}\n`;
}
