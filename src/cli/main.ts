/**
 * The `sqlite2pg` command line: one file per command under commands/. This is the only place that decides
 * exit codes (see exit-codes.ts).
 */
import { Command, CommanderError } from "commander";
import { Sqlite2pgError } from "../core/errors.js";
import { interruptState, runInterruptCleanups } from "../core/interrupt.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerPlan } from "./commands/plan.js";
import { registerSync } from "./commands/sync.js";
import { registerVerify } from "./commands/verify.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitCodeFor } from "./exit-codes.js";
import { errorJson, formatError } from "./format-error.js";

const COMMANDS = [registerMigrate, registerPlan, registerVerify, registerSync];

export function buildProgram(setResult: (p: Promise<number>) => void): Command {
  const program = new Command("sqlite2pg")
    .description("Move a SQLite database onto a Prisma-managed PostgreSQL: schema, data, and proof the copy is exact.")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const register of COMMANDS) register(program, setResult);
  return program;
}

/** Exit status of a process ended by a signal, as shells report it: 128 + the signal number. */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Ctrl-C or a `kill`: say what state the target is in, remove the work directory, exit 130/143. Connections
 * close with the process, so PostgreSQL rolls back whatever was not committed.
 */
function handleInterrupts(): void {
  for (const signal of Object.keys(SIGNAL_EXIT)) {
    process.once(signal, () => {
      process.stderr.write(`\ninterrupted (${signal}): ${interruptState()}\n`);
      void runInterruptCleanups().finally(() => process.exit(SIGNAL_EXIT[signal]));
    });
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  handleInterrupts();
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
