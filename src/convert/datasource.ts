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

const hasValue = (v: unknown, want: string): boolean =>
  typeof v === "object" && v !== null && (v as { type?: string }).type === "array" && (v as { args: unknown[] }).args.some((a) => a === want || a === quote(want));

/**
 * `extensions = [name]` in the datasource and the `postgresqlExtensions` preview feature in every client generator
 * (https://www.prisma.io/docs/orm/prisma-schema/postgresql-extensions): the baseline migration then creates the
 * extension (`CREATE EXTENSION IF NOT EXISTS`), and Prisma keeps it in its model of the database.
 */
export function declareExtension(list: Block[], name: string): void {
  for (const block of list) {
    if (block.type === "datasource") {
      const found = block.assignments.find((a) => a.type === "assignment" && a.key === "extensions");
      if (found?.type === "assignment") {
        if (!hasValue(found.value, name)) (found.value as { args: unknown[] }).args.push(name);
      } else block.assignments.push({ type: "assignment", key: "extensions", value: { type: "array", args: [name] } });
    }
  }
  declarePreviewFeature(list, "postgresqlExtensions");
}

/** `feature` in the preview features of every client generator (else the first generator), once. */
export function declarePreviewFeature(list: Block[], name: string): void {
  const generators = list.filter((b) => b.type === "generator");
  const clients = generators.filter((g) => g.assignments.some((a) => a.type === "assignment" && a.key === "provider" && /prisma-client/.test(String(a.value))));
  for (const g of clients.length > 0 ? clients : generators.slice(0, 1)) {
    const feature = quote(name);
    const found = g.assignments.find((a) => a.type === "assignment" && a.key === "previewFeatures");
    if (found?.type === "assignment") {
      if (!hasValue(found.value, name)) (found.value as { args: unknown[] }).args.push(feature);
    } else g.assignments.push({ type: "assignment", key: "previewFeatures", value: { type: "array", args: [feature] } });
  }
}
