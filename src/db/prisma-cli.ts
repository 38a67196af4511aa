/**
 * Runs the Prisma CLI (6.19.3, JS schema engine) as a child process with our config module. Each call costs
 * ~1.5 s (Node start + WASM load), so the pipeline makes as few as it can.
 */
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { setPriority } from "node:os";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Sqlite2pgError, type Stage } from "../core/errors.js";
import { redact } from "../core/redact.js";

const require = createRequire(import.meta.url);
const PRISMA_CLI = require.resolve("prisma/build/index.js");
/**
 * The config module is loaded by the Prisma CLI in its own process, so it must be compiled JavaScript: next to
 * this file in dist/, or in dist/ when this file runs from src/ (tests).
 */
const CONFIG_MODULE = [new URL("./prisma-config.js", import.meta.url), new URL("../../dist/db/prisma-config.js", import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((p) => existsSync(p)) ?? fileURLToPath(new URL("./prisma-config.js", import.meta.url));

export interface PrismaRunOptions {
  readonly stage: Stage;
  /** Which driver adapter the engine talks through. */
  readonly adapter: "sqlite" | "pg";
  /** `file:<path>` / ":memory:" for sqlite, a PostgreSQL URL for pg. */
  readonly adapterUrl: string;
  readonly schemaPath: string;
  readonly cwd?: string;
  /** Extra environment (e.g. DATABASE_URL that the schema's `env()` needs to parse). */
  readonly env?: Readonly<Record<string, string>>;
  /** Exit codes that are answers, not failures (e.g. 2 for `migrate diff --exit-code`). */
  readonly okExitCodes?: readonly number[];
  /**
   * Work done ahead of time, beside a busy stage: the child runs at the lowest CPU priority (nice 19), so it takes
   * only CPU time the busy stage leaves idle (https://man7.org/linux/man-pages/man2/setpriority.2.html).
   */
  readonly lowPriority?: boolean;
  /** Kills the child (SIGTERM) when aborted: work done ahead of time that is no longer wanted. */
  readonly signal?: AbortSignal;
}

export interface PrismaRunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Lowest CPU priority for a child: nice 19, and on Linux its autogroup's too. Best effort: refused, it runs as is. */
function lowerPriority(pid: number, ownSession: boolean): void {
  try {
    setPriority(pid, 19);
    if (ownSession) writeFileSync(`/proc/${pid}/autogroup`, "19");
  } catch {
    // Not permitted (a restricted container) or no autogroup support: only sooner, not gentler.
  }
}

export function runPrisma(args: readonly string[], options: PrismaRunOptions): Promise<PrismaRunResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    SQLITE2PG_ADAPTER: options.adapter,
    SQLITE2PG_ADAPTER_URL: options.adapterUrl,
    SQLITE2PG_SCHEMA: options.schemaPath,
    // No network here and none wanted: no update check, no telemetry, no query-engine download, and no
    // `npm install @prisma/client` by `prisma generate` when it cannot find the package next to the schema.
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    PRISMA_CLIENT_ENGINE_TYPE: "client",
    PRISMA_GENERATE_SKIP_AUTOINSTALL: "1",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  };
  const fullArgs = [PRISMA_CLI, ...args, "--config", CONFIG_MODULE];
  return new Promise((resolve, reject) => {
    // A low-priority child on Linux gets a session of its own, hence its own autogroup, whose niceness is what
    // the scheduler weighs against other sessions (PostgreSQL's backends among them): nice alone only ranks it
    // within our session (https://man7.org/linux/man-pages/man7/sched.7.html, "The autogroup feature").
    const ownSession = options.lowPriority === true && process.platform === "linux";
    const child = spawn(process.execPath, fullArgs, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"], signal: options.signal, detached: ownSession });
    if (options.lowPriority && child.pid !== undefined) lowerPriority(child.pid, ownSession);
    // Outside our process group, Ctrl-C would not reach it: it ends with us.
    const killOnExit = (): void => void child.kill();
    if (ownSession) {
      process.once("exit", killOnExit);
      child.once("exit", () => process.removeListener("exit", killOnExit));
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      const result = {
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        exitCode: code ?? 1,
      };
      if (result.exitCode === 0 || options.okExitCodes?.includes(result.exitCode)) {
        resolve(result);
        return;
      }
      const output = redact(`${result.stderr}\n${result.stdout}`.trim());
      reject(
        new Sqlite2pgError(`prisma ${args.slice(0, 2).join(" ")} failed (exit ${result.exitCode}):\n${output}`, {
          code: "PRISMA_CLI",
          kind: options.adapter === "pg" ? "target" : "source",
          stage: options.stage,
          hint: "the Prisma CLI output above says what it could not do",
        }),
      );
    });
  });
}
