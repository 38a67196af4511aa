/**
 * Which PostgreSQL a command targets when `--to` is not given. A module without imports: the launcher
 * (bin/sqlite2pg.js, through launch-flags.ts) reads it before the rest of the CLI is loaded.
 */

/** Where the embedded PostgreSQL (PGlite) keeps its data when no server is given. */
export const EMBEDDED_DEFAULT = "pglite:./sqlite2pg-data";

/** The target URL: --to, else DATABASE_URL, else the embedded PostgreSQL in ./sqlite2pg-data. */
export function targetUrlFrom(to: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return to ?? env.DATABASE_URL ?? EMBEDDED_DEFAULT;
}
