/**
 * Schema drift: does the PostgreSQL database match the schema the migration was written from? Prisma's
 * `migrate status` compares histories only, so we do what the toolchain notes found to work offline: `db pull`
 * the live database into a copy of the schema, then `migrate diff --from-schema-datamodel <pulled>
 * --to-schema-datamodel <ours> --exit-code` (0 = no drift, 2 = drift, with the SQL that would close it).
 *
 * Best effort: Prisma 6.19's WASM engine crashes introspecting some databases (views, expression indexes), and
 * there is no Prisma adapter for the embedded target; then the check says it could not run, and why.
 */
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { runPrisma } from "../db/prisma-cli.js";
import { isPgliteUrl } from "../db/pglite-target.js";
import { redact } from "../redact.js";

export interface DriftResult {
  readonly status: "no-drift" | "drift" | "unavailable";
  /** The SQL that would make the database match (drift), or why the check could not run. */
  readonly detail?: string;
}

export async function checkDrift(options: {
  readonly targetUrl: string;
  readonly pgSchema: string;
  readonly schemaPath: string;
  readonly workDir: string;
}): Promise<DriftResult> {
  if (isPgliteUrl(options.targetUrl)) return { status: "unavailable", detail: "no Prisma driver adapter for the embedded target" };
  if (options.pgSchema !== "public") return { status: "unavailable", detail: "only the public schema is checked" };
  const pulled = join(options.workDir, "drift-pulled.prisma");
  await copyFile(options.schemaPath, pulled);
  try {
    await runPrisma(["db", "pull"], {
      stage: "verify",
      adapter: "pg",
      adapterUrl: options.targetUrl,
      schemaPath: pulled,
      cwd: options.workDir,
      env: { DATABASE_URL: options.targetUrl },
    });
  } catch (err) {
    const line = redact((err as Error).message).split("\n").find((l) => /error/i.test(l) && !/^prisma /.test(l)) ?? "introspection failed";
    return { status: "unavailable", detail: `prisma db pull on PostgreSQL failed: ${line.trim()}` };
  }
  const diff = await runPrisma(
    ["migrate", "diff", "--from-schema-datamodel", pulled, "--to-schema-datamodel", options.schemaPath, "--script", "--exit-code"],
    {
      stage: "verify",
      adapter: "sqlite",
      adapterUrl: ":memory:",
      schemaPath: options.schemaPath,
      cwd: options.workDir,
      env: { DATABASE_URL: "postgresql://localhost/unused" },
      okExitCodes: [2],
    },
  );
  return diff.exitCode === 0 ? { status: "no-drift" } : { status: "drift", detail: diff.stdout.trim() };
}
