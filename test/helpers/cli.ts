import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./files.js";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a program as a child process (no stdin) and collect its exit code, stdout and stderr. */
export function runProcess(command: string, args: readonly string[], options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Run a Node script of the repository as a child process; `env` entries set to undefined are removed. */
export function runNodeScript(script: string, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  return runProcess(process.execPath, [script, ...args], { env: childEnv });
}

/**
 * The default `--jobs` of every CLI run in the tests: 1, or $SQLITE2PG_TEST_JOBS (e.g. a CI job running the whole
 * suite again with SQLITE2PG_TEST_JOBS=4 for the parallel path). Without it the default would be the machine's core
 * count, so a test passing no `--jobs` would take the parallel path on one machine and the one-transaction path on
 * another. Tests about one path pass `--jobs` themselves.
 */
export const TEST_DEFAULT_JOBS = process.env.SQLITE2PG_TEST_JOBS ?? "1";

/** Run the real CLI (bin/sqlite2pg.js, compiled dist/) as a child process; SQLITE2PG_JOBS defaults to TEST_DEFAULT_JOBS. */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runNodeScript(join(REPO_ROOT, "bin", "sqlite2pg.js"), args, { SQLITE2PG_JOBS: TEST_DEFAULT_JOBS, ...env });
}
