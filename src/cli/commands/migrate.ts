/** `sqlite2pg migrate <sqlite-file>` */
import { writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Command } from "commander";
import { migrateMarkdown } from "../../report/migrate-report.js";
import { migrate } from "../../pipeline/migrate.js";
import { type MigrateSummary } from "../../report/summary-types.js";
import { Sqlite2pgError } from "../../core/errors.js";
import { assertNotAnAppSchema, assertWritableDir, assertWritableFile } from "../output-paths.js";
import { redactUrl } from "../../core/redact.js";
import { formatSummary } from "../../report/summary.js";
import { collect, confirm, readSchemaText, targetUrlFrom, toJson, track, usage, tableFilterFrom, tableFilterOptions } from "../context.js";
import { EXIT_FAILURE, EXIT_OK } from "../exit-codes.js";
import { makeRenderer } from "../render.js";
import { errorJson, formatError } from "../format-error.js";
import { MIGRATE_VERIFY, NAMING_HELP, ON_ERROR, ORPHANS, oneOf, parseDecodeFallback, parseJobs, parseNaming, parseTypeOverrides } from "../options.js";

interface MigrateFlags {
  to?: string;
  /** Default: the --schema file's folder, else ./prisma. */
  out?: string;
  schema?: string;
  prisma7?: boolean;
  yes?: boolean;
  json?: boolean;
  quiet?: boolean;
  type: string[];
  tables?: string[];
  exclude?: string[];
  onError?: string;
  rejects?: string;
  orphans?: string;
  verify?: string;
  jobs?: string;
  report?: string;
  decodeFallback?: string;
  naming?: string;
  /** true with --sync-state. */
  syncState?: boolean;
}

async function run(sqliteFile: string, flags: MigrateFlags): Promise<number> {
  const url = targetUrlFrom(flags.to);
  // Every flag parsed once, before anything is touched (a bad value is exit 2 with nothing done).
  const jobs = parseJobs(flags.jobs);
  const typeOverrides = parseTypeOverrides(flags.type);
  const onError = oneOf("--on-error", flags.onError, ON_ERROR);
  const orphans = oneOf("--orphans", flags.orphans, ORPHANS);
  const verify = oneOf("--verify", flags.verify, MIGRATE_VERIFY);
  const decodeFallback = parseDecodeFallback(flags.decodeFallback);
  const naming = parseNaming(flags.naming, flags.schema);
  if (flags.prisma7 && !flags.schema) throw usage("--prisma7 needs --schema", "pass the project's schema.prisma with --schema");
  const outDir = flags.out ?? (flags.schema ? dirname(flags.schema) : "./prisma");
  assertWritableDir("--out", outDir);
  if (!flags.schema) assertNotAnAppSchema("--out", outDir);
  if (flags.report) assertWritableFile("--report", flags.report);
  if (flags.rejects) assertWritableFile("--rejects", flags.rejects);
  if (!flags.yes) {
    if (!process.stdin.isTTY) throw usage("refusing to run unattended without --yes", "add --yes to confirm the migration");
    const ok = await confirm(
      flags.schema
        ? `Migrate ${sqliteFile} into ${redactUrl(url)} and switch ${flags.schema} to PostgreSQL in place (originals kept)?`
        : `Migrate ${sqliteFile} into ${redactUrl(url)} and write ${outDir}/?`,
    );
    if (!ok) throw usage("cancelled");
  }
  const emit = makeRenderer({ quiet: Boolean(flags.quiet || flags.json), tty: Boolean(process.stderr.isTTY) });
  const writeReport = async (summary: MigrateSummary): Promise<void> =>
    flags.report ? writeFile(flags.report, flags.report.endsWith(".md") ? migrateMarkdown(summary, await readSchemaText(summary.schemaPath)) : `${toJson(summary)}\n`) : Promise.resolve();
  const summary = await migrate({
    decodeFallback,
    sqlitePath: sqliteFile,
    targetUrl: url,
    outDir,
    userSchemaPath: flags.schema,
    prisma7: flags.prisma7,
    typeOverrides,
    tables: tableFilterFrom(flags),
    onError,
    rejectsPath: flags.rejects,
    orphans,
    verify,
    jobs,
    naming,
    syncState: flags.syncState,
    emit,
  }).catch(async (err: unknown) => {
    // A failure before the verification is reported too: with data problems, the report holds every one of them
    // and the suggestion.
    if (flags.report && err instanceof Sqlite2pgError)
      await writeFile(flags.report, flags.report.endsWith(".md") ? `\`\`\`\n${formatError(err, process.argv.slice(2))}\n\`\`\`\n` : `${errorJson(err, process.argv.slice(2))}\n`);
    throw err;
  });
  await writeReport(summary);
  // A verification that failed after the commit: the report is the summary (ok: false); the failure is printed
  // as an error (what differs, that the data is committed, how to start over) and the exit code is 1.
  if (summary.failure) throw verificationError(summary);
  process.stdout.write(flags.json ? `${toJson(summary)}\n` : `\n${formatSummary(summary)}\n`);
  return summary.ok ? EXIT_OK : EXIT_FAILURE;
}

export function registerMigrate(program: Command, setResult: (p: Promise<number>) => void): void {
  program
    .command("migrate")
    .description("introspect, convert, create the schema with a Prisma baseline migration, copy every row, verify")
    .argument("<sqlite-file>", "the SQLite database to migrate (never modified)")
    .addOption(tableFilterOptions()[0])
    .addOption(tableFilterOptions()[1])
    .option("--to <url>", "target PostgreSQL URL (default: $DATABASE_URL)")
    .option("--out <dir>", "where schema.prisma and migrations/ are written (default: the --schema file's folder, else ./prisma)")
    .option("--schema <file>", "an existing Prisma project's schema.prisma (provider sqlite): checked against the database, then switched to PostgreSQL in place, keeping its names, relations, defaults and enums (original kept as *.sqlite.bak, old migrations archived)")
    .option("--prisma7", "with --schema: write Prisma 7 style (no url in the datasource; prisma.config.ts next to the schema)")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .option("--type <table.column=Type>", "override a column's type (repeatable), e.g. posts.views=BigInt", collect, [])
    .option("--on-error <mode>", "a value that cannot be converted exactly: stop (list every problem, write nothing) or reject (copy the rest, write those rows to a rejects file) (default: stop)")
    .option("--rejects <file>", "rejects file for --on-error=reject (JSON Lines, full rows)", undefined)
    .option("--decode-fallback <encoding>", "text whose bytes are not valid UTF-8 is decoded with this encoding (e.g. windows-1252), each such column reported as a decision; verify with the same flag")
    .option("--orphans <mode>", "rows whose foreign key points nowhere: stop, null (clear the reference), delete (leave the row out), keep-without-fk (default: stop)")
    .option("--jobs <n>", "tables copied at once, each on its own connection, its indexes built as soon as its rows are in (default: $SQLITE2PG_JOBS, else the CPU cores minus one, at most 8; 1 = one table at a time in one transaction)")
    .option("--verify <mode>", "after the copy: full (row counts, every row's content, and a sample of rows decoded independently of the copy's encoder), deep (full, with every row decoded independently), counts, or none (default: full)")
    .option("--naming <mode>", NAMING_HELP)
    .option("--sync-state", "also record the state `sqlite2pg sync` starts from (a cutover: migrate --sync-state while the app runs, then sync): one more scan of the file and ~40 bytes a row in the schema sqlite2pg_sync")
    .option("--report <file>", "write the summary as JSON, or as Markdown when the name ends in .md (for a pull request)")
    .option("--json", "print the summary as JSON")
    .option("-q, --quiet", "no progress output")
    .addHelpText(
      "after",
      `
Examples:
  $ sqlite2pg migrate app.db --to postgresql://me@localhost:5432/app --yes
  $ DATABASE_URL=postgresql://me@db:5432/app sqlite2pg migrate app.db --out prisma --json
  $ sqlite2pg migrate prisma/dev.db --schema prisma/schema.prisma --to postgresql://me@localhost/app --yes
  $ sqlite2pg migrate legacy.db --to postgresql://me@localhost/app --on-error=reject --orphans=null --yes`,
    )
    .action((file: string, flags: MigrateFlags) => track(setResult, run(file, flags)));
}

/** The summary's failed verification as the error the CLI prints (exit 1: kind "verification"). */
function verificationError(summary: MigrateSummary): Sqlite2pgError {
  const f = summary.failure!;
  return new Sqlite2pgError(f.message, { code: f.code, kind: "verification", stage: "verify", object: f.object, hint: f.hint, details: { summary } });
}
