/**
 * The `sqlite2pg` command line: one file per command under commands/. This is the only place that decides
 * exit codes (see exit-codes.ts).
 */
import { Command, CommanderError } from "commander";
import { Sqlite2pgError } from "../errors.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerPlan } from "./commands/plan.js";
import { registerVerify } from "./commands/verify.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitCodeFor } from "./exit-codes.js";
import { errorJson, formatError } from "./format-error.js";

const COMMANDS = [registerMigrate, registerPlan, registerVerify];

export function buildProgram(setResult: (p: Promise<number>) => void): Command {
  const program = new Command("sqlite2pg")
    .description("Move a SQLite database onto a Prisma-managed PostgreSQL: schema, data, and proof the copy is exact.")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of COMMANDS) register(program, setResult);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  let result: Promise<number> = Promise.resolve(EXIT_OK);
  const program = buildProgram((p) => (result = p));
  try {
    await program.parseAsync([...argv]);
    return await result;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    // argv is process.argv: the node binary and the script come first.
    const userArgs = argv.slice(2);
    process.stderr.write(`${formatError(err, userArgs)}\n`);
    // With --json, a failure is machine-readable too (stdout holds exactly one JSON document either way).
    if (argv.includes("--json")) process.stdout.write(`${errorJson(err, userArgs)}\n`);
    return err instanceof Sqlite2pgError ? exitCodeFor(err.kind) : EXIT_FAILURE;
  }
}
