/** What every command shares: usage errors, confirmation, JSON output. */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { Option } from "commander";
import { Sqlite2pgError } from "../core/errors.js";

export function usage(message: string, hint?: string): Sqlite2pgError {
  return new Sqlite2pgError(message, { code: "USAGE", kind: "usage", stage: "cli", hint });
}

export async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** JSON with bigints as strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export { EMBEDDED_DEFAULT, targetUrlFrom } from "./target-url.js";

/** Hand a command's exit code to main() and let commander await (and surface errors of) the same work. */
export function track(setResult: (p: Promise<number>) => void, work: Promise<number>): Promise<void> {
  setResult(work);
  return work.then(() => undefined);
}

/** `--tables a,b*` / `--exclude c` (comma-separated, repeatable) as a filter. */
export function tableFilterFrom(flags: { tables?: string[]; exclude?: string[] }): { include: string[]; exclude: string[] } {
  const split = (v: string[] | undefined) => (v ?? []).flatMap((x) => x.split(",")).map((x) => x.trim()).filter(Boolean);
  return { include: split(flags.tables), exclude: split(flags.exclude) };
}

/** The --tables / --exclude options, shared by migrate, plan and verify. */
export function tableFilterOptions(): Option[] {
  return [
    new Option("--tables <globs>", "only these tables (comma-separated globs, repeatable), e.g. 'users,post*'").argParser(collect).default([]),
    new Option("--exclude <globs>", "leave these tables out (comma-separated globs, repeatable)").argParser(collect).default([]),
  ];
}

/**
 * The converted schema's text, for the Markdown report's diagram: the file, or every `.prisma` file of a schema
 * folder (multi-file schemas). Undefined when it cannot be read: the report is written without a diagram.
 */
export async function readSchemaText(path: string): Promise<string | undefined> {
  try {
    if (!(await stat(path)).isDirectory()) return await readFile(path, "utf8");
    const files = (await readdir(path)).filter((f) => f.endsWith(".prisma")).sort();
    return (await Promise.all(files.map((f) => readFile(join(path, f), "utf8")))).join("\n");
  } catch {
    return undefined;
  }
}
