#!/usr/bin/env node
// Launcher: the TypeScript sources are compiled to dist/ by `npm install` (the "prepare" script), and the CLI is
// bundled into dist/bundle/ (scripts/bundle.js: a few files to load instead of ~1000).
import { setFlagsFromString } from "node:v8";

// Collect garbage sooner, for the CLI process only (a library user's process keeps its own settings). By default V8
// lets the heap grow up to 4× between full collections, so a run holding ~150 MB of live data peaked near 600 MB
// on the 2000-table bench (docs/benchmarks.md, "Many tables"). A growing factor of 1.1 is not a limit: the heap
// still grows to whatever a run needs (a big cell needs ~3× its size), it is only collected before each 10%.
// https://v8.dev/blog/trash-talk · `node --v8-options` (--heap-growing-percent)
setFlagsFromString("--heap-growing-percent=10");

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
