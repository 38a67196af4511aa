// Builds sqlite2pg's SQLite extension (native/extension.c: s2p_copy_text, s2p_profile, s2p_jsonb_copy, s2p_copy_line(s)) into native/build/. Run by npm as the
// package's postinstall. It is an accelerator, not a requirement: when no C compiler is found or the build fails,
// this says so and exits 0, and the copy and the profile do the same work without it (the same results, slower;
// src/db/sqlite-extension.ts). `npm rebuild sqlite2pg` builds it again.
//
// The compiler is $CC, else cc. The header is the sqlite3ext.h of the SQLite that better-sqlite3 embeds (its
// deps/sqlite3), else the system's. The module calls SQLite only through the routine table SQLite passes to its
// entry point (https://sqlite.org/loadext.html), so it links against no SQLite library.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const SUFFIX = process.platform === "darwin" ? "dylib" : process.platform === "win32" ? "dll" : "so";
const OUT = join(HERE, "build", `sqlite2pg.${SUFFIX}`);

function headerDir() {
  try {
    const dir = join(dirname(createRequire(import.meta.url).resolve("better-sqlite3/package.json")), "deps", "sqlite3");
    if (existsSync(join(dir, "sqlite3ext.h"))) return dir;
  } catch {
    // better-sqlite3 not resolvable from here: the system's header, if any.
  }
  return null;
}

function skip(why) {
  console.warn(`sqlite2pg: its SQLite extension was not built (${why}); the copy and the profile use SQLite's core functions and JS instead, with the same results, more slowly`);
  process.exit(0);
}

if (process.env.SQLITE2PG_NO_NATIVE === "1") skip("SQLITE2PG_NO_NATIVE=1");
if (process.platform === "win32") skip("no build for Windows yet");
const include = headerDir();
const cc = process.env.CC || "cc";
mkdirSync(join(HERE, "build"), { recursive: true });
const tmp = `${OUT}.${process.pid}.tmp`;
const args = ["-O2", "-fPIC", "-shared", ...(include ? [`-I${include}`] : []), ...["extension.c", "copy-text.c", "profile.c", "jsonb-text.c", "lines.c"].map((f) => join(HERE, f)), "-o", tmp];
const run = spawnSync(cc, args, { stdio: ["ignore", "inherit", "pipe"], encoding: "utf8" });
if (run.error) skip(`${cc}: ${run.error.message}`);
if (run.status !== 0) skip(`${cc} exited with ${run.status}: ${run.stderr.trim().split("\n").slice(-3).join(" / ")}`);
// Renamed into place, so a process loading the module never sees a half-written file.
renameSync(tmp, OUT);
