/**
 * Every flag's parser, in one place: each flag is parsed once, and a flag the user leaves out stays undefined so
 * the library's own default applies (one default per option: the pipeline's). The commands hand each stage
 * only the options it uses.
 */
import { availableParallelism } from "node:os";
import { usage } from "./context.js";
import { NAMING_MODES } from "../convert/naming/index.js";

export const ON_ERROR = ["stop", "reject"] as const;
export const ORPHANS = ["stop", "null", "delete", "keep-without-fk"] as const;
export const MIGRATE_VERIFY = ["full", "deep", "counts", "none"] as const;
export const VERIFY_VERIFY = ["full", "deep"] as const;
export const NAMING = NAMING_MODES;
export const NAMING_HELP =
  "model and field names of an introspected database: prisma (PascalCase singular models, camelCase fields, relation fields named after their keys, all through @map/@@map: tables and columns keep their names) or keep (the database's names) (default: prisma; with --schema the project's names are kept)";

/** One of `allowed`, or undefined when the flag was not given; a usage error (exit 2) otherwise. */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usage(`${flag} must be one of ${allowed.join(", ")} (got "${value}")`);
}

/**
 * `--naming prisma|keep`. With `--schema` the names are the project's own: asking for Prisma's conventions there is
 * a usage error rather than a flag silently ignored.
 */
export function parseNaming(value: string | undefined, userSchema: string | undefined): (typeof NAMING)[number] | undefined {
  const naming = oneOf("--naming", value, NAMING);
  if (naming === "prisma" && userSchema !== undefined) throw usage("--naming prisma does not apply with --schema: the project's schema keeps its own names", "leave --naming out with --schema");
  return naming;
}

/** `--type table.column=Type`, repeatable. */
export function parseTypeOverrides(values: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const v of values) {
    const m = /^(.+\..+?)=(.+)$/.exec(v);
    if (!m) throw usage(`--type expects table.column=Type, got "${v}"`, "e.g. --type posts.views=BigInt");
    map.set(m[1], m[2]);
  }
  return map;
}

/** `--decode-fallback <encoding>`: an encoding Node's TextDecoder knows (WHATWG labels: windows-1252, latin1, …). */
export function parseDecodeFallback(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    new TextDecoder(value);
  } catch {
    throw usage(`--decode-fallback: unknown encoding "${value}"`, "e.g. --decode-fallback windows-1252 (labels: https://encoding.spec.whatwg.org/#names-and-labels)");
  }
  return value;
}

/**
 * The default --jobs for a machine with `cores` CPUs. Every table's rows are encoded by this process's one
 * thread while each job's PostgreSQL backend parses them: N jobs need N + 1 cores. On 2 cores `--jobs 2` was
 * measured slower than `--jobs 1` (18.0 s against 15.7 s in `npm run bench`, issue 19: the encoder and two
 * backends fight for two cores), so the default leaves the encoder a core of its own, at most 8 jobs.
 */
export function defaultJobs(cores: number): number {
  return Math.max(1, Math.min(cores - 1, 8));
}

/**
 * --jobs, else $SQLITE2PG_JOBS, else defaultJobs(the number of cores). The variable lets a CI job (or a test suite) pin the
 * path taken — parallel or one transaction — instead of inheriting it from whatever machine it runs on.
 */
export function parseJobs(value: string | undefined): number {
  const env = process.env.SQLITE2PG_JOBS;
  if (value === undefined && (env === undefined || env === "")) return defaultJobs(availableParallelism());
  const [given, name] = value === undefined ? [env as string, "SQLITE2PG_JOBS"] : [value, "--jobs"];
  if (!/^[1-9]\d*$/.test(given)) throw usage(`${name} expects a positive whole number (got "${given}")`, "e.g. --jobs 4; --jobs 1 copies one table at a time in one transaction");
  return Number(given);
}

/** `--watch <seconds>`: a positive whole number of seconds, or undefined (one pass). */
export function parseWatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value)) throw usage(`--watch expects a positive whole number of seconds (got "${value}")`, "e.g. --watch 30");
  return Number(value);
}
