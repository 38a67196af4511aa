/**
 * Runs Prisma's own CLI (6.19.3, JS schema engine) as a child process with the config module
 * test/fixtures/prisma-config.mjs: the reference the in-process engines are compared with
 * (prisma-engines.test.ts), and what a user runs on the files sqlite2pg writes (`migrate status`, `migrate deploy`).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Sqlite2pgError, type Stage } from "../../src/core/errors.js";
import { redact } from "../../src/core/redact.js";

const require = createRequire(import.meta.url);
const PRISMA_CLI = require.resolve("prisma/build/index.js");
const CONFIG_MODULE = fileURLToPath(new URL("../fixtures/prisma-config.mjs", import.meta.url));

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
    // No network here: no update check, no telemetry, no query-engine download, no `npm install @prisma/client`.
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    PRISMA_CLIENT_ENGINE_TYPE: "client",
    PRISMA_GENERATE_SKIP_AUTOINSTALL: "1",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PRISMA_CLI, ...args, "--config", CONFIG_MODULE], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      const result = { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), exitCode: code ?? 1 };
      if (result.exitCode === 0 || options.okExitCodes?.includes(result.exitCode)) return resolve(result);
      const output = redact(`${result.stderr}\n${result.stdout}`.trim());
      reject(new Sqlite2pgError(`prisma ${args.slice(0, 2).join(" ")} failed (exit ${result.exitCode}):\n${output}`, { code: "PRISMA_CLI", kind: "internal", stage: options.stage }));
    });
  });
}
