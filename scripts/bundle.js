// The CLI's bundle (run by `npm run build` after tsc): dist/cli/main.js and the modules that worker threads load,
// bundled with esbuild (https://esbuild.github.io/api/#bundle) into dist/bundle/, so that a run loads a few files
// instead of ~240 of sqlite2pg's and ~800 of its dependencies' (chevrotain alone, through lodash-es's one module per
// function, took ~0.3 s to import on a 2-core host; the whole import 0.56–0.61 s → 0.17 s, issue #19).
// The library (dist/index.js, what `import "sqlite2pg"` gets) is not bundled.
//
// Left outside: packages that load files of their own at run time (Prisma's WASM engines and client runtime,
// PGlite's WASM, better-sqlite3's native addon), found through node_modules as before.
import { build } from "esbuild";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");
const OUT = join(DIST, "bundle");

// Entry points keep the names the code gives them: `new URL("./schema-engine-worker.js", import.meta.url)` and the
// other workers' resolve next to whichever bundle file holds that code.
const entryPoints = {
  main: join(DIST, "cli/main.js"),
  "launch-flags": join(DIST, "cli/launch-flags.js"),
  "schema-engine-spare": join(DIST, "db/schema-engine-spare.js"),
  "schema-engine-worker": join(DIST, "db/schema-engine-worker.js"),
  "profile-worker": join(DIST, "profile/profile-worker.js"),
  "digest-worker": join(DIST, "sync/digest-worker.js"),
};

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints,
  outdir: OUT,
  bundle: true,
  // Shared code goes to chunks that the entry points import (one copy of each module in a thread).
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["better-sqlite3", "@prisma/*", "@electric-sql/pglite", "@electric-sql/pglite/*", "pglite-prisma-adapter", "pg-native"],
  // CommonJS dependencies bundled into ES modules still call `require` for Node's built-ins.
  banner: { js: 'import { createRequire as __bundleRequire } from "node:module"; const require = __bundleRequire(import.meta.url);' },
  logLevel: "warning",
});

// A module that starts a worker thread names the worker's file next to itself; in the bundle that is next to the
// bundle's file. A worker entry point missing above would fail only when the thread starts: fail the build instead.
const missing = [];
for (const file of readdirSync(OUT).filter((f) => f.endsWith(".js"))) {
  for (const m of readFileSync(join(OUT, file), "utf8").matchAll(/new URL\("\.\/([^"]+\.js)", import\.meta\.url\)/g)) {
    if (!existsSync(join(OUT, m[1]))) missing.push(`${file} starts ${m[1]}, which is not an entry point of scripts/bundle.js`);
  }
}
if (missing.length > 0) {
  console.error(missing.join("\n"));
  process.exit(1);
}
