/** `sqlite2pg sync <sqlite-file>`: bring a migrated PostgreSQL level with the file again (the cutover catch-up). */
import { writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { Sqlite2pgError } from "../../core/errors.js";
import { redactUrl } from "../../core/redact.js";
import { sync } from "../../pipeline/sync.js";
import { formatSyncSummary, type SyncSummary } from "../../report/sync-summary.js";
import { confirm, targetUrlFrom, toJson, track, usage } from "../context.js";
import { EXIT_OK } from "../exit-codes.js";
import { assertWritableFile } from "../output-paths.js";
import { makeRenderer } from "../render.js";
import { errorJson } from "../format-error.js";
import { parseWatch } from "../options.js";

interface SyncFlags {
  to?: string;
  yes?: boolean;
  watch?: string;
  json?: boolean;
  quiet?: boolean;
  report?: string;
}

async function run(sqliteFile: string, flags: SyncFlags): Promise<number> {
  const url = targetUrlFrom(flags.to);
  const watch = parseWatch(flags.watch);
  if (flags.report) assertWritableFile("--report", flags.report);
  if (!flags.yes) {
    if (!process.stdin.isTTY) throw usage("refusing to run unattended without --yes", "add --yes to confirm the sync");
    const ok = await confirm(`Make ${redactUrl(url)} equal to ${sqliteFile}${watch === undefined ? "" : `, every ${watch} s until Ctrl-C`}?`);
    if (!ok) throw usage("cancelled");
  }
  const emit = makeRenderer({ quiet: Boolean(flags.quiet || flags.json), tty: Boolean(process.stderr.isTTY) });
  const pass = async (): Promise<SyncSummary> => {
    const summary = await sync({ sqlitePath: sqliteFile, targetUrl: url, emit }).catch(async (err: unknown) => {
      // A refusal is reported too (what changed in PostgreSQL or in the SQLite schema, as data).
      if (flags.report && err instanceof Sqlite2pgError) await writeFile(flags.report, `${errorJson(err, process.argv.slice(2))}\n`);
      throw err;
    });
    if (flags.report) await writeFile(flags.report, `${toJson(summary)}\n`);
    // With --watch and --json: one JSON document per line and pass.
    process.stdout.write(flags.json ? `${watch === undefined ? toJson(summary) : JSON.stringify(JSON.parse(toJson(summary)))}\n` : `\n${formatSyncSummary(summary)}\n`);
    return summary;
  };
  await pass();
  if (watch === undefined) return EXIT_OK;
  // Until Ctrl-C (main.ts ends the process; an interrupted pass is rolled back with its connection).
  for (;;) {
    await sleep(watch * 1000);
    await pass();
  }
}

export function registerSync(program: Command, setResult: (p: Promise<number>) => void): void {
  program
    .command("sync")
    .description("bring a migrated PostgreSQL level with the SQLite file again: only the rows inserted, updated or deleted since, in one transaction (the cutover catch-up)")
    .argument("<sqlite-file>", "the SQLite database that was migrated (never modified; the application may keep writing to it)")
    .option("--to <url>", "PostgreSQL URL (default: $DATABASE_URL)")
    .option("-y, --yes", "do not ask for confirmation (required when stdin is not a terminal)")
    .option("--watch <seconds>", "repeat every N seconds until Ctrl-C")
    .option("--report <file>", "also write the pass's summary as JSON to this file (the latest pass with --watch)")
    .option("--json", "print the summary as JSON (one line per pass with --watch)")
    .option("-q, --quiet", "no progress output")
    .addHelpText(
      "after",
      `
sync refuses, changing nothing, when rows in PostgreSQL were written by anyone else since the last migrate/sync,
when the SQLite schema changed (that needs a Prisma migration first), or when the target was not migrated by
sqlite2pg. Its state lives in the PostgreSQL schema sqlite2pg_sync.

Cutover with seconds of downtime:
  $ sqlite2pg migrate app.db --to $PG --out prisma --yes     # while the app keeps writing to app.db
  $ sqlite2pg sync    app.db --to $PG --yes                  # repeat at will, or:
  $ sqlite2pg sync    app.db --to $PG --yes --watch 30       # keep it level until Ctrl-C
  # stop the app's writes, run a final sync, switch DATABASE_URL to $PG`,
    )
    .action((file: string, flags: SyncFlags) => track(setResult, run(file, flags)));
}
