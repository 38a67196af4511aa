/** `sqlite2pg plan <sqlite-file>`: write the converted schema and baseline migration, list decisions and problems; no PostgreSQL. */
import { writeFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import type { Suggestion } from "../../copy/remedies.js";
import { plan } from "../../pipeline/plan.js";
import { formatPlan, planMarkdown } from "../../report/plan-report.js";
import { collect, readSchemaText, toJson, track, tableFilterFrom, tableFilterOptions } from "../context.js";
import { EXIT_FAILURE, EXIT_OK } from "../exit-codes.js";
import { makeRenderer } from "../render.js";
import { assertNotAnAppSchema, assertWritableDir, assertWritableFile } from "../output-paths.js";
import { NAMING_HELP, parseDecodeFallback, parseNaming, parseTypeOverrides } from "../options.js";
import { formatFlags } from "../suggest-command.js";

interface PlanFlags {
  out: string;
  /** The PostgreSQL namespace. */
  pgSchema?: string;
  /** Deprecated alias of pgSchema (migrate's --schema is a Prisma file: one word, one meaning). */
  schema?: string;
  type: string[];
  tables?: string[];
  exclude?: string[];
  report?: string;
  json?: boolean;
  quiet?: boolean;
  decodeFallback?: string;
  naming?: string;
}

async function run(sqliteFile: string, flags: PlanFlags): Promise<number> {
  // Every flag parsed once, before anything is looked at (a bad value is exit 2 with nothing done).
  const naming = parseNaming(flags.naming, undefined);
  const typeOverrides = parseTypeOverrides(flags.type);
  const decodeFallback = parseDecodeFallback(flags.decodeFallback);
  assertWritableDir("--out", flags.out);
  assertNotAnAppSchema("--out", flags.out);
  if (flags.report) assertWritableFile("--report", flags.report);
  if (flags.schema !== undefined) process.stderr.write("warning: plan --schema is deprecated, use --pg-schema (migrate's --schema is a Prisma schema file)\n");
  const emit = makeRenderer({ quiet: Boolean(flags.quiet || flags.json), tty: Boolean(process.stderr.isTTY) });
  const summary = await plan({ sqlitePath: sqliteFile, outDir: flags.out, pgSchema: flags.pgSchema ?? flags.schema, typeOverrides, tables: tableFilterFrom(flags), decodeFallback, naming, emit });
  if (flags.report) await writeFile(flags.report, flags.report.endsWith(".md") ? planMarkdown(summary, await readSchemaText(summary.schemaPath)) : `${toJson(summary)}\n`);
  process.stdout.write(flags.json ? `${toJson(summary)}\n` : `\n${formatPlan(summary)}\n${planSuggestion(summary.suggestion)}`);
  return summary.problemCount + summary.orphans.length === 0 ? EXIT_OK : EXIT_FAILURE;
}

/** What migrate needs to proceed (the lossless flags, or the lossy choices), rendered from the plan's suggestion. */
function planSuggestion(s: Suggestion | null): string {
  if (s === null) return "";
  if (s.lossless !== null) return `\nto migrate keeping every row, add: ${formatFlags(s.lossless)}\n${s.checkText ? `note: ${s.checkText}\n` : ""}`;
  const lines = [`\nno option keeps every row: no flag converts the values of ${s.unresolved.join(", ")} exactly (fix them in SQLite). Choices for migrate:`];
  for (const c of s.lossy) lines.push(`  ${formatFlags(c.flags)}`, `    loses: ${c.loses}`);
  return `${lines.join("\n")}\n`;
}

export function registerPlan(program: Command, setResult: (p: Promise<number>) => void): void {
  program
    .command("plan")
    .description("review a migration before running it: write schema.prisma and the baseline migration, list every decision and data problem (no PostgreSQL needed)")
    .argument("<sqlite-file>", "the SQLite database (never modified)")
    .addOption(tableFilterOptions()[0])
    .addOption(tableFilterOptions()[1])
    .option("--out <dir>", "where schema.prisma and migrations/ are written", "./prisma")
    .option("--pg-schema <name>", "the PostgreSQL schema (namespace) the migration will target (default: public, or ?schema= of the URL migrate gets)")
    .addOption(new Option("--schema <name>", "deprecated: use --pg-schema (in migrate, --schema names a Prisma schema file)").hideHelp())
    .option("--type <table.column=Type>", "override a column's type (repeatable)", collect, [])
    .option("--decode-fallback <encoding>", "text whose bytes are not valid UTF-8 is decoded with this encoding (e.g. windows-1252), as migrate would")
    .option("--naming <mode>", NAMING_HELP)
    .option("--report <file>", "write the plan as JSON, or as Markdown when the name ends in .md (for a pull request)")
    .option("--json", "print the plan as JSON")
    .option("-q, --quiet", "no progress output")
    .addHelpText(
      "after",
      `
Exit status is 0 when the data converts cleanly, 1 when problems were found (they are listed with table, column
and row key, with the options migrate offers for them).

Examples:
  $ sqlite2pg plan app.db --out prisma
  $ sqlite2pg plan app.db --report migration-plan.md`,
    )
    .action((file: string, flags: PlanFlags) => track(setResult, run(file, flags)));
}
