/**
 * The V8 flags the CLI launcher (bin/sqlite2pg.js) sets for its own process, before any module is compiled (flags
 * changed later are not guaranteed to apply: https://nodejs.org/api/v8.html#v8setflagsfromstringflags). A library
 * user's process keeps its own settings.
 *
 * - `--heap-growing-percent=10`: collect garbage sooner. By default V8 lets the heap grow up to 4× between full
 *   collections, so a run holding ~150 MB of live data peaked near 600 MB on the 2000-table bench. 1.1 is not a
 *   limit: the heap still grows to whatever a run needs (a big cell needs ~3× its size), it is only collected
 *   before each 10% (https://v8.dev/blog/trash-talk, `node --v8-options`).
 * - `--liftoff-only`: Prisma's engines (the schema engine for `db pull` and `migrate diff`, the query compiler
 *   behind the read-back's Prisma Client, both WASM) run from V8's baseline compiler, Liftoff, and are never
 *   recompiled by the optimizing one, TurboFan (https://v8.dev/blog/liftoff,
 *   https://v8.dev/docs/wasm-compilation-pipeline). Their calls are short; TurboFan's background compilation of the
 *   modules' hot functions took the second core from the run's own work and held memory. Measured on 2 cores side
 *   by side (docs/benchmarks.md, session 9): Chinook 1.75 → 1.24 s (the migration diff 237 → 77 ms, the read-back
 *   593 → 346 ms), peak RSS 2000 tables 270–295 → 237–251 MB, blog scale 1 18.1 → 17.4 s and 239–245 → 191–201 MB.
 *   Not for a PGlite target with a SQLite file over 32 MB: PGlite is PostgreSQL itself compiled to WASM, and with
 *   that much data its copy, index builds and checksums run long enough for optimized code to pay (blog 0.05,
 *   44 MB, into PGlite: copy 1.12 → 1.24–1.34 s on Liftoff only, the whole run even); with less, Liftoff wins
 *   there too (Chinook into PGlite 3.8–4.3 → 3.1–3.4 s, `npm run demo` 7.8 → 6.1 s). `plan` reads no PostgreSQL.
 *   Under the flag a function Liftoff cannot compile is a fatal error instead of a TurboFan fallback; the one
 *   family it may refuse on tier-1 CPUs is SIMD without SSE4.1, and Prisma 6.19.3's modules hold no SIMD
 *   instruction (wabt's wasm2wat: no v128 in the schema engine nor the query compilers).
 */
import { isPgliteUrl } from "../db/pglite-target.js";
import { targetUrlFrom } from "./target-url.js";

/** The value of `--to` on the command line (`--to url` or `--to=url`), if given before a `--`. */
function targetOption(args: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < args.length && args[i] !== "--"; i++) {
    if (args[i] === "--to" && i + 1 < args.length) found = args[++i];
    else if (args[i].startsWith("--to=")) found = args[i].slice("--to=".length);
  }
  return found; // commander takes the last one given
}

/** Up to this size of the SQLite file, PGlite's own work is short enough for Liftoff's code too. */
export const PGLITE_LIFTOFF_BYTES = 32 * 1024 * 1024;

/**
 * The commands' options that take a value (`--name value`; `--name=value` is one argument). A unit test holds this
 * to the commands' definitions; an option missing here could only make a PGlite run keep V8's default.
 */
export const VALUED_OPTIONS: ReadonlySet<string> = new Set([
  "--decode-fallback", "--exclude", "--jobs", "--naming", "--on-error", "--orphans", "--out", "--pg-schema",
  "--rejects", "--report", "--schema", "--tables", "--to", "--type", "--verify", "--watch",
]);

/** The first argument after the command that is not an option or an option's value: the SQLite file. */
function sourceArgument(args: readonly string[]): string | undefined {
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (a === "--") return args[i + 1];
    if (VALUED_OPTIONS.has(a)) i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

/**
 * The flags for a CLI process started with `args` (process.argv without node and the script) and `env`;
 * `sizeOf` gives a file's size in bytes (undefined if it cannot be read).
 */
export function launchFlags(args: readonly string[], env: NodeJS.ProcessEnv, sizeOf: (path: string) => number | undefined = () => undefined): string[] {
  const flags = ["--heap-growing-percent=10"];
  // `plan` reads no PostgreSQL at all: only Prisma's engines run WASM there.
  if (args[0] === "plan" || !isPgliteUrl(targetUrlFrom(targetOption(args), env))) flags.push("--liftoff-only");
  else {
    const source = sourceArgument(args);
    const size = source === undefined ? undefined : sizeOf(source);
    if (size !== undefined && size <= PGLITE_LIFTOFF_BYTES) flags.push("--liftoff-only");
  }
  return flags;
}
