/**
 * Runs the Prisma CLI (6.19.3, JS schema engine) as a child process with our config module. Each call costs
 * ~1.5 s (Node start + WASM load), so the pipeline makes as few as it can.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Sqlite2pgError, type Stage } from "../errors.js";
import { redact } from "../redact.js";

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
}

export interface PrismaRunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
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
    const child = spawn(process.execPath, fullArgs, { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
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
