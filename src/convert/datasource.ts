/** The datasource and generator blocks of the converted schema, and the doc comments Prisma's printer moves. Pure. */
import { type Block } from "@mrleebo/prisma-ast";
import { makeFunc, quote } from "./ast.js";
import type { Decision } from "../core/decisions.js";

/**
 * The printer puts an empty line between a top-level `///` comment and the block it documents; a user's docs
 * stay directly above their model or enum as they wrote them.
 */
export function reattachDocComments(schema: string): string {
  return schema.replace(/^(\/\/\/[^\n]*)\n(?:[ \t]*\n)+(?=(?:model|enum|view|type)\s)/gm, "$1\n");
}

/**
 * A user's datasource: provider becomes postgresql, `env(...)` URLs are kept, a literal (file:) URL is replaced by
 * `env("DATABASE_URL")` — the credential of a server belongs in the environment, not in a committed file.
 */
export function rewriteUserDatasource(list: Block[], decisions: Decision[]): void {
  for (const block of list) {
    if (block.type !== "datasource") continue;
    for (const a of block.assignments) {
      if (a.type !== "assignment") continue;
      if (a.key === "provider") a.value = quote("postgresql");
      if (a.key === "url" && typeof a.value === "string") {
        decisions.push({
          table: `datasource ${block.name}`,
          code: "datasource-url",
          message: `url ${a.value} (a SQLite file) replaced by env("DATABASE_URL")`,
        });
        a.value = makeFunc("env", [quote("DATABASE_URL")]);
      }
    }
  }
}

export function rewriteDatasource(list: Block[]): void {
  for (const block of list) {
    if (block.type !== "datasource") continue;
    block.assignments = block.assignments.filter(
      (a) => a.type !== "assignment" || a.key === "provider" || a.key === "url",
    );
    for (const a of block.assignments) {
      if (a.type !== "assignment") continue;
      if (a.key === "provider") a.value = quote("postgresql");
      // The credential lives in the environment, never in a file that gets committed.
      if (a.key === "url") a.value = makeFunc("env", [quote("DATABASE_URL")]);
    }
  }
}

export function ensureGenerator(list: Block[]): void {
  if (list.some((b) => b.type === "generator")) return;
  const datasourceAt = list.findIndex((b) => b.type === "datasource");
  list.splice(datasourceAt + 1, 0, { type: "break" }, {
    type: "generator",
    name: "client",
    assignments: [{ type: "assignment", key: "provider", value: quote("prisma-client-js") }],
  });
}
