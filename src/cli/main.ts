/**
 * The `sqlite2pg` command line. Parses arguments (commander), renders progress, prints the summary, and is the
 * only place that decides exit codes.
 */
import { createInterface } from "node:readline/promises";
import { Command, CommanderError } from "commander";
import { Sqlite2pgError } from "../errors.js";
import { migrate } from "../pipeline/migrate.js";
import { formatSummary } from "../report/summary.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitCodeFor } from "./exit-codes.js";
import { formatError } from "./format-error.js";
import { makeRenderer } from "./render.js";
import { redactUrl } from "../redact.js";

interface MigrateFlags {
  to?: string;
  out: string;
  yes?: boolean;
  json?: boolean;
  quiet?: boolean;
  type: string[];
}

function usage(message: string, hint?: string): Sqlite2pgError {
  return new Sqlite2pgError(message, { code: "USAGE", kind: "usage", stage: "cli", hint });
}

function parseTypeOverrides(values: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const v of values) {
    const m = /^(.+\..+?)=(.+)$/.exec(v);
    if (!m) throw usage(`--type expects table.column=Type, got "${v}"`, "e.g. --type posts.views=BigInt");
    map.set(m[1], m[2]);
  }
  return map;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function runMigrate(sqliteFile: string, flags: MigrateFlags): Promise<number> {
  const url = flags.to ?? process.env.DATABASE_URL;
  if (!url) throw usage("no target database", "pass --to postgresql://user@host:5432/db or set DATABASE_URL");
  if (!flags.yes) {
    if (!process.stdin.isTTY) throw usage("refusing to run unattended without --yes", "add --yes to confirm the migration");
    const ok = await confirm(`Migrate ${sqliteFile} into ${redactUrl(url)} and write ${flags.out}/?`);
    if (!ok) throw usage("cancelled");
  }
  const emit = makeRenderer({ quiet: Boolean(flags.quiet || flags.json), tty: Boolean(process.stderr.isTTY) });
  const summary = await migrate({
    sqlitePath: sqliteFile,
    targetUrl: url,
    outDir: flags.out,
    typeOverrides: parseTypeOverrides(flags.type),
    emit,
  });
  process.stdout.write(flags.json ? `${JSON.stringify(summary, jsonReplacer, 2)}\n` : `\n${formatSummary(summary)}\n`);
  return summary.ok ? EXIT_OK : EXIT_FAILURE;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

export function buildProgram(): Command {
  const program = new Command("sqlite2pg")
    .description("Move a SQLite database onto a Prisma-managed PostgreSQL: schema, data, and proof the copy is exact.")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program
    .command("migrate")
    .description("introspect, convert, create the schema with a Prisma baseline migration, copy every row, verify")
    .argument("<sqlite-file>", "the SQLite database to migrate (never modified)")
    .option("--to <url>", "target PostgreSQL URL (default: $DATABASE_URL)")
    .option("--out <dir>", "where schema.prisma and migrations/ are written", "./prisma")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .option("--type <table.column=Type>", "override a column's type (repeatable), e.g. posts.views=BigInt", collect, [])
    .option("--json", "print the summary as JSON")
    .option("-q, --quiet", "no progress output")
    .addHelpText(
      "after",
      `
Examples:
  $ sqlite2pg migrate app.db --to postgresql://me@localhost:5432/app --yes
  $ DATABASE_URL=postgresql://me@db:5432/app sqlite2pg migrate app.db --out prisma --json`,
    );
  return program;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  let code = EXIT_OK;
  program.commands
    .find((c) => c.name() === "migrate")!
    .action(async (file: string, flags: MigrateFlags) => {
      code = await runMigrate(file, flags);
    });
  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    process.stderr.write(`${formatError(err)}\n`);
    return err instanceof Sqlite2pgError ? exitCodeFor(err.kind) : EXIT_FAILURE;
  }
}
