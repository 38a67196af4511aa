#!/usr/bin/env node
// Launcher: the TypeScript sources are compiled to dist/ by `npm install` (the "prepare" script), and the CLI is
// bundled into dist/bundle/ (scripts/bundle.js: a few files to load instead of ~1000).
import { statSync } from "node:fs";
import { setFlagsFromString } from "node:v8";

// V8 flags for the CLI process only, set before anything is compiled (src/cli/launch-flags.ts says which and why:
// a sooner garbage collection; Prisma's WASM engines on V8's baseline compiler, unless a large file goes to PGlite).
const { launchFlags } = await import("../dist/bundle/launch-flags.js");
const sizeOf = (path) => statSync(path, { throwIfNoEntry: false })?.size;
for (const flag of launchFlags(process.argv.slice(2), process.env, sizeOf)) setFlagsFromString(flag);

// `migrate` and `plan` start with Prisma's introspection: its engine thread loads on the other core while this one
// loads the rest of sqlite2pg (schema-engine-spare.js imports nothing else).
if (process.argv[2] === "migrate" || process.argv[2] === "plan") {
  const { prewarmSchemaEngine } = await import("../dist/bundle/schema-engine-spare.js");
  prewarmSchemaEngine();
}

const { main } = await import("../dist/bundle/main.js");

main(process.argv).then((code) => {
  process.exitCode = code;
});
