// Tests run the real CLI (bin/ → dist/bundle/) and the Prisma CLI loads our compiled config module: build first.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { REPO_ROOT } from "./files.js";

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: REPO_ROOT, stdio: "inherit" });
  // The CLI runs from its bundle (scripts/bundle.js), as after `npm install`.
  execFileSync(process.execPath, ["scripts/bundle.js"], { cwd: REPO_ROOT, stdio: "inherit" });
}
