/** `sqlite2pg verify <sqlite-file>`: compare every row of a migrated PostgreSQL with its SQLite source. */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { formatVerifyResult, verifyCommandRun } from "../../pipeline/verify.js";
import { collect, targetUrlFrom, toJson, track, tableFilterFrom, tableFilterOptions } from "../context.js";
import { EXIT_FAILURE, EXIT_OK } from "../exit-codes.js";
import { makeRenderer } from "../render.js";
import { assertWritableFile } from "../output-paths.js";
import { oneOf, parseDecodeFallback, parseTypeOverrides, VERIFY_VERIFY } from "../options.js";

interface VerifyFlags {
  to?: string;
  report?: string;
  json?: boolean;
  quiet?: boolean;
  type: string[];
  tables?: string[];
  exclude?: string[];
  verify?: string;
  decodeFallback?: string;
}

async function run(sqliteFile: string, flags: VerifyFlags): Promise<number> {
  const url = targetUrlFrom(flags.to);
  const typeOverrides = parseTypeOverrides(flags.type);
  const verify = oneOf("--verify", flags.verify, VERIFY_VERIFY);
  const decodeFallback = parseDecodeFallback(flags.decodeFallback);
  if (flags.report) assertWritableFile("--report", flags.report);
  const emit = makeRenderer({ quiet: Boolean(flags.quiet || flags.json), tty: Boolean(process.stderr.isTTY) });
  const result = await verifyCommandRun({
    sqlitePath: sqliteFile,
    targetUrl: url,
    typeOverrides,
    tables: tableFilterFrom(flags),
    decodeFallback,
    emit,
    verify,
  });
  if (flags.report) writeFileSync(flags.report, `${toJson(result)}\n`);
  process.stdout.write(flags.json ? `${toJson(result)}\n` : `\n${formatVerifyResult(result)}\n`);
  return result.ok ? EXIT_OK : EXIT_FAILURE;
}

export function registerVerify(program: Command, setResult: (p: Promise<number>) => void): void {
  program
    .command("verify")
    .description("prove a migrated PostgreSQL equals its SQLite source: row counts, checksums and every differing row")
    .argument("<sqlite-file>", "the SQLite database that was migrated (never modified)")
    .addOption(tableFilterOptions()[0])
    .addOption(tableFilterOptions()[1])
    .option("--to <url>", "PostgreSQL URL (default: $DATABASE_URL)")
    .option("--report <file>", "also write the full result as JSON to this file")
    .option("--type <table.column=Type>", "the --type overrides given to migrate (repeatable)", collect, [])
    .option("--verify <mode>", "full: checksums of every row and a sample of rows decoded independently of the copy's encoder; deep: every row decoded independently (default: full)")
    .option("--decode-fallback <encoding>", "the --decode-fallback encoding given to migrate: text that is not UTF-8 is compared decoded with it")
    .option("--json", "print the result as JSON")
    .option("-q, --quiet", "no progress output")
    .addHelpText(
      "after",
      `
Exit status is 0 only when every table matches, 1 otherwise (each difference names table, key and column).

Examples:
  $ sqlite2pg verify app.db --to postgresql://me@localhost:5432/app
  $ sqlite2pg verify app.db --to postgresql://me@localhost:5432/app --report verify.json --quiet`,
    )
    .action((file: string, flags: VerifyFlags) => track(setResult, run(file, flags)));
}
