#!/usr/bin/env node
// Launcher: the TypeScript sources are compiled to dist/ by `npm install` (the "prepare" script).
import { main } from "../dist/cli/main.js";

main(process.argv).then((code) => {
  process.exitCode = code;
});
