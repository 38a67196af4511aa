// `npm run demo`: migrate the bundled Flask blog (examples/blog.db) and show the converted schema and the summary.
// Target: $DEMO_DATABASE_URL when set (e.g. postgresql://postgres@127.0.0.1:5432/sqlite2pg_demo — it must be an
// empty database), otherwise the embedded PostgreSQL (PGlite) in demo-output/pgdata: no server needed.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const out = `${root}demo-output`;
rmSync(out, { recursive: true, force: true });
const target = process.env.DEMO_DATABASE_URL ?? `pglite:${out}/pgdata`;

const run = spawnSync(
  process.execPath,
  [`${root}bin/sqlite2pg.js`, "migrate", `${root}examples/blog.db`, "--to", target, "--out", `${out}/prisma`, "--yes"],
  { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" },
);
if (run.status === 0) {
  console.log(`\n===== ${out}/prisma/schema.prisma =====\n`);
  console.log(readFileSync(`${out}/prisma/schema.prisma`, "utf8"));
}
process.stdout.write(run.stdout ?? "");
process.exit(run.status ?? 1);
